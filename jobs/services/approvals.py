"""Approving the jobs that wait for it: company contacts' jobs and the jobs of flagged companies."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import User
from consortium.permissions import require
from consortium.services.notifications import notify

from .. import permissions
from ..models import Job, JobStatus
from .postings import ensure_not_declined, go_live


def _lock_pending(job: Job) -> Job:
    """Lock the job, so that two approvers deciding at once cannot both act on it."""
    locked = Job.objects.select_for_update(of=("self",)).select_related("company", "institution").get(pk=job.pk)
    if locked.status != JobStatus.PENDING:
        raise ValidationError({"status": _("This job no longer waits for approval.")})
    return locked


@transaction.atomic
def approve_job(*, job: Job, by: User) -> Job:
    """Publish a pending job and tell its poster; records who approved it and when."""
    require(permissions.can_approve_job(by, job))
    job = _lock_pending(job)
    require(permissions.can_approve_job(by, job))
    if job.deadline and job.deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline is in the past: the poster must move it first.")})
    ensure_not_declined(job, by)
    job.approved_by, job.approved_at = by, timezone.now()
    go_live(job)
    notify(
        [job.posted_by],
        "job.approved",
        context={"job": job, "by": by},
        dedupe_key=f"approved:{job.pk}:{job.approved_at.isoformat()}",
        target=job,
    )
    return job


@transaction.atomic
def reject_job(*, job: Job, reason: str, by: User) -> Job:
    """Send a pending job back to its poster as a draft, saying why."""
    require(permissions.can_approve_job(by, job))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the poster what to change.")})
    job = _lock_pending(job)
    require(permissions.can_approve_job(by, job))
    job.status = JobStatus.DRAFT
    job.save(update_fields=["status", "updated_at"])
    notify(
        [job.posted_by],
        "job.rejected",
        context={"job": job, "by": by, "reason": reason},
        dedupe_key=f"rejected:{job.pk}:{job.updated_at.isoformat()}",
        target=job,
    )
    return job
