"""Saved jobs and saved searches: the person's own lists, and the save buttons on the job board."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.forms import form_errors

from ..forms import SavedSearchAlertForm, SavedSearchForm
from ..models import Job, SavedJob, SavedSearch
from ..services import alerts as services

SAVED_JOBS_PAGE_SIZE = 30


def _back(request, fallback):
    """Where the form came from when it said so and it is our own page, else `fallback`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def save_job(request, pk, action):
    """Save or unsave, each idempotent; HTMX swaps the button, a plain form goes back where it was."""
    saving = action == "save"
    # A closed job can still be taken off the list, but only a job one may read now can be saved.
    jobs = Job.objects.visible_to(request.user, include_closed=not saving)
    job = get_object_or_404(jobs.select_related("company"), pk=pk)
    if saving:
        services.add_saved_job(user=request.user, job=job)
    else:
        services.remove_saved_job(user=request.user, job=job)
    if request.headers.get("HX-Request"):
        return render(request, "jobs/_save_button.html", {"job": job, "is_saved": saving})
    messages.success(request, _("Saved to your jobs.") if saving else _("Removed from your saved jobs."))
    return _back(request, job)


@login_required
def saved_jobs(request):
    """What the person saved and may still read; jobs closed since are listed as closed."""
    readable = Job.objects.visible_to(request.user, include_closed=True)
    entries = SavedJob.objects.visible_to(request.user).filter(job__in=readable).select_related("job__company")
    page = Paginator(entries, SAVED_JOBS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jobs/savedjob_list.html", {"page": page})


def _search_summary(query: str, user) -> list[tuple[str, str]]:
    """The filters of a query string as (label, value) pairs a person can read."""
    form = services.search_for(query, user).form
    if not form.is_valid():
        return []
    summary = []
    for name, value in form.cleaned_data.items():
        field = form.fields[name]
        # An unticked checkbox is no filter; "No" in a yes/no/any choice is one.
        if (
            value in (None, "")
            or name == "sort"
            or (value is False and getattr(field.widget, "input_type", "") == "checkbox")
        ):
            continue
        if isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        else:
            shown = dict(getattr(field, "choices", ())).get(value, value)
        summary.append((str(field.label), str(shown)))
    return summary


@login_required
def saved_search_create(request):
    query = services.clean_query(request.POST.get("query") or request.GET.get("query", ""))
    summary = _search_summary(query, request.user)
    suggested = " · ".join(value for _label, value in summary)[:120] or _("My search")
    form = SavedSearchForm(
        request.POST or None,
        initial={"query": query, "name": suggested},
        offer_email=not services.alert_email_on(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_search(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Search saved."))
            return redirect("jobs:saved-searches")
    return render(request, "jobs/savedsearch_form.html", {"form": form, "summary": summary, "query": query})


def _saved_search_for(request, pk) -> SavedSearch:
    """One of the person's own saved searches; anybody else's answers 404."""
    return get_object_or_404(SavedSearch.objects.visible_to(request.user), pk=pk)


def _alert_form(saved: SavedSearch, bound: SavedSearchAlertForm | None) -> SavedSearchAlertForm:
    """The row's form: the one just posted, with its errors, or a fresh one."""
    if bound is not None and bound.instance.pk == saved.pk:
        return bound
    return SavedSearchAlertForm(instance=saved, prefix=f"alert-{saved.pk}")


def _saved_searches_page(request, bound: SavedSearchAlertForm | None = None, status: int = 200):
    rows = [(saved, _alert_form(saved, bound)) for saved in SavedSearch.objects.visible_to(request.user)]
    context = {"rows": rows, "limit": services.MAX_SAVED_SEARCHES, "email_on": services.alert_email_on(request.user)}
    return render(request, "jobs/savedsearch_list.html", context, status=status)


@login_required
def saved_searches(request):
    return _saved_searches_page(request)


@login_required
@require_POST
def saved_search_edit(request, pk):
    saved = _saved_search_for(request, pk)
    form = SavedSearchAlertForm(request.POST, instance=saved, prefix=f"alert-{saved.pk}")
    if form.is_valid():
        try:
            services.update_saved_search(saved_search=saved, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Alert updated."))
            return redirect("jobs:saved-searches")
    return _saved_searches_page(request, bound=form, status=400)


@login_required
@require_POST
def saved_search_delete(request, pk):
    saved = _saved_search_for(request, pk)
    services.delete_saved_search(saved_search=saved, by=request.user)
    messages.success(request, _("Saved search deleted."))
    return redirect("jobs:saved-searches")


def job_page_context(request, job) -> dict:
    """Whether the job page's save button shows the job as saved."""
    return {"is_saved": SavedJob.objects.visible_to(request.user).filter(job=job).exists()}
