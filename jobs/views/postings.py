from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.access import is_signed_in, staff_institution_id
from consortium.facets import facet_counts, filter_fields
from consortium.forms import country_choices, form_errors
from consortium.models import Institution
from consortium.permissions import can_view_company_record

from .. import permissions, services
from ..filters import JOB_FACETS, JobFilter
from ..forms import CompanyContactJobForm, JobForm
from ..impact import record_job_view
from ..models import Job, JobKind, JobStatus, WorkMode
from ..structured_data import job_posting
from . import applications, reports, saved

PAGE_SIZE = 20
# What a result card shows (jobs/_results.html), read as plain values: not the long description and
# search vector of every job, and no model instances to build.
CARD_FIELDS = ["id", "title", "city", "country", "kind", "work_mode", "deadline", "company__name"]


def index(request):
    jobs = Job.objects.visible_to(request.user).published()
    search = JobFilter(request.GET or None, queryset=jobs, request=request)
    results = search.qs if search.is_bound else jobs
    facets = facet_counts(results, JOB_FACETS)
    if not is_signed_in(request.user):
        del search.form.fields["my_languages"]
    paginator = Paginator(results.values(*CARD_FIELDS), PAGE_SIZE)
    paginator.count = facets["total"]  # counted with the facets: one query fewer
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filter_fields(search.form, facets),
        "page": page,
        "cards": _cards(page.object_list),
        "query": query.urlencode(),
        "can_post": _posting_institution(request),
        "can_review": permissions.can_review_jobs(request.user),
        "is_company_contact": permissions.is_company_contact(request.user),
    }
    template = "jobs/_search_update.html" if request.headers.get("HX-Request") else "jobs/index.html"
    return render(request, template, context)


def _cards(rows) -> list[dict]:
    """What each result card shows, put together once here, with the names of countries, kinds and work
    modes looked up once a page: the template language resolving each job's attributes, a reverse() for
    each job's address and a translation for each label took a third of the page's rendering."""
    board = reverse("jobs:index")  # a job's page is the board's address and its id (as the API writes it)
    countries = dict(country_choices())
    kinds = {value: str(label) for value, label in JobKind.choices}
    modes = {value: str(label) for value, label in WorkMode.choices}
    apply_by = _("Apply by %(date)s")
    return [
        {
            "url": f"{board}{row['id']}/",
            "title": row["title"],
            "about": f"{row['company__name']} · {row['city']}, {countries.get(row['country'], row['country'])}"
            f" · {kinds.get(row['kind'], row['kind'])} · {modes.get(row['work_mode'], row['work_mode'])}",
            "apply_by": row["deadline"] and apply_by % {"date": date_format(row["deadline"], "SHORT_DATE_FORMAT")},
        }
        for row in rows
    ]


def _posting_institution(request) -> Institution | None:
    institution_id = staff_institution_id(request.user)
    institution = Institution.objects.filter(pk=institution_id).first() if institution_id else None
    return institution if institution and permissions.can_post_job(request.user, institution) else None


def _job_for(request, pk, allowed=None) -> Job:
    """A job the user may see (404 otherwise); with `allowed`, one they may also change."""
    job = get_object_or_404(Job.objects.visible_to(request.user).select_related("company", "institution"), pk=pk)
    if allowed is not None and not allowed(request.user, job):
        raise Http404
    return job


def detail(request, pk):
    job = _job_for(request, pk)
    record_job_view(request, job)
    context = {
        "job": job,
        "languages": job.languages.all(),
        "can_edit": permissions.can_edit_job(request.user, job),
        "needs_approval": permissions.needs_approval(request.user, job),
        "can_approve": permissions.can_approve_job(request.user, job),
        "can_open_company": can_view_company_record(request.user),
        "json_ld": job_posting(job, request) if job.status == JobStatus.PUBLISHED else None,
        "more_from_company": Job.objects.visible_to(request.user)
        .published()
        .filter(company=job.company)
        .exclude(pk=job.pk)[:5],
        **applications.job_page_context(request, job),
        **reports.job_page_context(request, job),
        **saved.job_page_context(request, job),
    }
    return render(request, "jobs/job_detail.html", context)


@login_required
def edit(request, pk=None):
    """Post a new job (no pk) or change one: staff for their institution, company contacts for their
    company, to an institution that works with it."""
    job = _job_for(request, pk, permissions.can_edit_job) if pk else None
    if permissions.is_company_contact(request.user):
        form = CompanyContactJobForm(
            request.POST or None,
            instance=job or Job(company=request.user.company),
            institutions=permissions.submission_institutions(request.user),
        )
        saved = _("Job saved as a draft. Submit it for approval when it is ready.")
    else:
        institution = job.institution if job else _posting_institution(request)
        if institution is None:
            raise Http404
        form = JobForm(request.POST or None, instance=job or Job(institution=institution), institution=institution)
        saved = _("Job saved.")
    job = form.instance
    if request.method == "POST" and form.is_valid():
        try:
            job = services.save_job(
                job=form.instance,
                languages=form.cleaned_data["languages"],
                partner_institutions=form.cleaned_data["partner_institutions"],
                by=request.user,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, saved)
            return redirect(job)
    return render(request, "jobs/job_form.html", {"form": form, "job": job})


@login_required
@require_POST
def change_status(request, pk, action):
    job = _job_for(request, pk, permissions.can_edit_job)
    service = {"publish": services.publish_job, "close": services.close_job, "reopen": services.reopen_job}[action]
    try:
        service(job=job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if job.status == JobStatus.PENDING:
            messages.success(request, _("The job waits for approval: students see it once an approver publishes it."))
        else:
            messages.success(request, _("The job is now %(status)s.") % {"status": job.get_status_display().lower()})
    return redirect(job)
