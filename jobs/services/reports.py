"""Reports of suspicious jobs, sent to the posting institution's staff and resolved by them."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import User
from consortium.permissions import require
from consortium.services.notifications import notify

from .. import permissions
from ..models import Job, JobReport, ReportReason
from .postings import close_job

DETAILS_MAX_LENGTH = JobReport._meta.get_field("details").max_length


@transaction.atomic
def report_job(*, job: Job, by: User, reason: str, details: str = "") -> JobReport:
    """Report a job once per person; its institution's career officers and partner admins are told."""
    require(permissions.can_report_job(by, job))
    details = details.strip()
    if reason not in ReportReason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    if len(details) > DETAILS_MAX_LENGTH:
        raise ValidationError(
            {"details": _("Keep the details under %(max)d characters.") % {"max": DETAILS_MAX_LENGTH}}
        )
    already = ValidationError(
        _("You have already reported this job. Thank you: its institution is looking into it."), code="reported"
    )
    if JobReport.objects.filter(job=job, reported_by=by).exists():
        raise already
    try:
        with transaction.atomic():
            report = JobReport.objects.create(job=job, reported_by=by, reason=reason, details=details)
    except IntegrityError:
        raise already from None  # the same person's second click, committed first
    notify(
        User.objects.holding(job.institution, *permissions.POSTING_ROLES),
        "job.reported",
        context={"job": job, "report": report, "url": reverse("jobs:reports")},
        dedupe_key=f"report:{report.pk}",
        target=job,
    )
    return report


@transaction.atomic
def resolve_report(*, report: JobReport, by: User, resolution: str, close: bool = False) -> JobReport:
    """Record what was done about a report, closing the job if asked. A resolved report stays as it was."""
    require(permissions.can_resolve_report(by, report))
    report = JobReport.objects.select_for_update(of=("self",)).select_related("job__institution").get(pk=report.pk)
    if report.resolved_at is not None:
        return report
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": _("Say what was done about the report.")})
    if close:
        close_job(job=report.job, by=by)
    report.resolution = resolution
    report.resolved_by = by
    report.resolved_at = timezone.now()
    report.save(update_fields=["resolution", "resolved_by", "resolved_at"])
    return report
