"""The approval queue: pending jobs an officer or admin may publish or send back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, services
from ..forms import RejectJobForm
from ..models import Job
from .postings import _job_for


@login_required
def queue(request):
    if not permissions.can_review_jobs(request.user):
        raise Http404
    jobs = (
        Job.objects.visible_to(request.user)
        .awaiting_approval_by(request.user)
        .select_related("company", "institution", "posted_by")
        .order_by("updated_at", "pk")
    )
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(request, "jobs/approval_list.html", {"page": page, "reject_form": RejectJobForm()})


@login_required
@require_POST
def decide(request, pk, action):
    job = _job_for(request, pk, permissions.can_approve_job)
    try:
        if action == "approve":
            services.approve_job(job=job, by=request.user)
        else:
            form = RejectJobForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            services.reject_job(job=job, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as error:
        fields = {"reason": _("What the poster should change"), "deadline": _("Deadline")}
        for field, problems in getattr(error, "message_dict", {"": error.messages}).items():
            label = fields.get(field, "")
            messages.error(request, f"{label}: {' '.join(problems)}" if label else " ".join(problems))
    else:
        done = _("“%(title)s” was approved and published.") if action == "approve" else _("“%(title)s” was sent back.")
        messages.success(request, done % {"title": job.title})
    return redirect("jobs:approvals")
