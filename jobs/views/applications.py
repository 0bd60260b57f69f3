"""Applying to jobs in the browser, and following applications: the student's own, and a job's for its staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.access import is_signed_in
from consortium.forms import form_errors
from consortium.uploads import FileKind, private_download

from .. import permissions, services
from ..forms import ApplicationForm
from ..models import Application, ApplicationStatus, ApplyMethod
from ..services.applications import STAFF_STATUSES
from . import postings  # a module reference: postings imports this module too

PAGE_SIZE = 25


def job_page_context(request, job) -> dict:
    """What the job page shows about applying: the count for the job's staff; for everyone else the
    person's application, the form, the reason it is closed, or a sign-in link."""
    user = request.user
    if permissions.can_manage_applications(user, job):
        visible = Application.objects.visible_to(user).filter(job=job)
        return {"can_manage_applications": True, "application_count": visible.count()}
    if job.apply_method != ApplyMethod.PLATFORM:
        return {}
    context = {"apply_closed": services.closed_reason(job)}
    if is_signed_in(user):
        context["my_application"] = Application.objects.filter(job=job, applicant=user).first()
        if not context["my_application"] and not context["apply_closed"] and permissions.can_apply(user, job):
            context["apply_form"] = ApplicationForm()
    return context


@login_required
def apply(request, pk):
    job = postings._job_for(request, pk)
    if not permissions.can_apply(request.user, job):
        raise PermissionDenied
    mine = Application.objects.filter(job=job, applicant=request.user).first()
    if mine and request.method != "POST":
        return redirect(mine)
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.apply_to_job(
                job=job, applicant=request.user, message=form.cleaned_data["message"], cv=form.cleaned_data["cv"]
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Your application was sent. You can follow it under My applications."))
            return redirect(job)
    context = {"job": job, "form": form, "apply_closed": services.closed_reason(job)}
    return render(request, "jobs/application_form.html", context)


@login_required
def mine(request):
    applications = (
        Application.objects.visible_to(request.user)
        .filter(applicant=request.user)
        .select_related("job__company", "job__institution")
    )
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jobs/application_list.html", {"page": page})


@login_required
def for_job(request, pk):
    job = postings._job_for(request, pk, permissions.can_manage_applications)
    applications = Application.objects.visible_to(request.user).filter(job=job).select_related("applicant")
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jobs/application_job_list.html", {"job": job, "page": page})


def _application_for(request, pk) -> Application:
    """An application the user may see: their own, or one to a job they recruit for (404 otherwise)."""
    applications = Application.objects.visible_to(request.user).select_related(
        "job__company", "job__institution", "applicant"
    )
    return get_object_or_404(applications, pk=pk)


@login_required
def detail(request, pk):
    application = _application_for(request, pk)
    can_manage = permissions.can_manage_applications(request.user, application.job)
    if can_manage:
        services.mark_application_seen(application=application, by=request.user)
    context = {
        "application": application,
        "job": application.job,
        "can_manage": can_manage,
        "statuses": STAFF_STATUSES if application.status != ApplicationStatus.WITHDRAWN else (),
        "can_withdraw": permissions.can_withdraw_application(request.user, application)
        and application.status != ApplicationStatus.WITHDRAWN,
    }
    return render(request, "jobs/application_detail.html", context)


@login_required
@require_POST
def change_status(request, pk):
    application = _application_for(request, pk)
    if not permissions.can_manage_applications(request.user, application.job):
        raise PermissionDenied
    try:
        services.change_application_status(
            application=application, status=request.POST.get("status", ""), by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The application is now %(status)s.") % {"status": application.get_status_display().lower()}
        )
    return redirect(application)


@login_required
@require_POST
def withdraw(request, pk):
    application = _application_for(request, pk)
    if not permissions.can_withdraw_application(request.user, application):
        raise PermissionDenied
    services.withdraw_application(application=application, by=request.user)
    messages.success(request, _("You withdrew your application."))
    return redirect(application)


@login_required
def cv(request, pk):
    """The CV, to those who may see the application only: it is never under a public media URL."""
    application = _application_for(request, pk)
    return private_download(application.cv, name=f"cv-{application.pk}", kind=FileKind.PDF)
