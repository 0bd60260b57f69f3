"""Company contacts on the job board: they post their company's jobs for an institution to approve."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from consortium.forms import form_errors

from .. import permissions, services
from ..forms import CompanyContactJobForm
from ..models import Job


def edit(request, job: Job | None):
    """Post a new job (job None) or change a draft; postings.edit sends company contacts here."""
    user = request.user
    job = job or Job(company=user.company)
    form = CompanyContactJobForm(
        request.POST or None, instance=job, institutions=permissions.submission_institutions(user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = services.save_job(
                job=form.instance,
                languages=form.cleaned_data["languages"],
                partner_institutions=form.cleaned_data["partner_institutions"],
                by=user,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Job saved as a draft. Submit it for approval when it is ready."))
            return redirect(job)
    return render(request, "jobs/job_form.html", {"form": form, "job": job})


@login_required
def company_jobs(request):
    if not permissions.is_company_contact(request.user):
        raise Http404
    jobs = (
        Job.objects.visible_to(request.user)
        .filter(company_id=request.user.company_id)
        .select_related("institution")
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(request, "jobs/company_jobs.html", {"page": page, "company": request.user.company})
