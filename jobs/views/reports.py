"""Reporting a suspicious job, and the posting institution's list of reports to resolve."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from consortium.forms import form_errors

from .. import permissions
from ..forms import JobReportForm, ResolveReportForm
from ..models import JobReport
from ..services.reports import report_job, resolve_report
from . import postings  # a module reference: postings imports this module too

PAGE_SIZE = 50


def job_page_context(request, job) -> dict:
    return {"can_report": permissions.can_report_job(request.user, job)}


@login_required
def report(request, pk):
    job = postings._job_for(request, pk, permissions.can_report_job)
    form = JobReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_job(job=job, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Thank you. The institution that posted this offer will look into it."))
            return redirect(job)
    return render(request, "jobs/jobreport_form.html", {"form": form, "job": job})


@login_required
def open_reports(request):
    if not permissions.can_handle_reports(request.user, request.user.institution):
        raise Http404
    reports = JobReport.objects.handled_by(request.user).open().select_related("job__company").order_by("created_at")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jobs/jobreport_list.html", {"page": page})


@login_required
def resolve(request, pk):
    reports = JobReport.objects.handled_by(request.user).select_related("job__company", "job__institution")
    report = get_object_or_404(reports, pk=pk)
    form = ResolveReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resolve_report(report=report, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The report is resolved."))
            return redirect("jobs:reports")
    return render(request, "jobs/jobreport_resolve.html", {"form": form, "report": report})
