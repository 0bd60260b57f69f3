"""Applying to jobs on the platform, and moving applications through their statuses."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import Role, User
from consortium.permissions import require
from consortium.services.notifications import notify
from consortium.uploads import MB, FileKind, check_upload

from .. import permissions
from ..models import Application, ApplicationStatus, ApplyMethod, Job, JobStatus

CV_MAX_BYTES = 5 * MB
MESSAGE_MAX_LENGTH = 3000
# What the job's staff may set; "submitted" is where every application starts, "withdrawn" the student's.
STAFF_STATUSES = (
    ApplicationStatus.SEEN,
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.HIRED,
)


def closed_reason(job: Job) -> str | None:
    """Why a job takes no applications on the platform now, or None when it does."""
    if job.apply_method != ApplyMethod.PLATFORM:
        return _("This job takes applications on the employer's site or by e-mail, not here.")
    if job.status != JobStatus.PUBLISHED:
        return _("This job is no longer open for applications.")
    if job.deadline and job.deadline < timezone.localdate():
        return _("The application deadline has passed.")
    return None


def _recruiters(job: Job) -> list[User]:
    """Whom to tell about applications: the poster, or while there is none, the institution's officers."""
    if job.posted_by is not None and permissions.can_manage_applications(job.posted_by, job):
        return [job.posted_by]
    return list(User.objects.holding(job.institution, Role.CAREER_OFFICER))


@transaction.atomic
def apply_to_job(*, job: Job, applicant: User, message: str, cv) -> Application:
    """Apply once to a job that takes applications on the platform, with a message and a PDF CV.

    The CV is stored only when the application is written; a refusal, including a second
    application racing this one, leaves neither a row nor a file.
    """
    require(permissions.can_apply(applicant, job))
    if reason := closed_reason(job):
        raise ValidationError(reason)
    already = ValidationError(_("You have already applied to this job."), code="duplicate")
    if Application.objects.filter(job=job, applicant=applicant).exists():
        raise already
    errors = {}
    message = (message or "").strip()
    if not message:
        errors["message"] = _("Write a short message to the employer.")
    elif len(message) > MESSAGE_MAX_LENGTH:
        errors["message"] = _("The message is too long: at most %(limit)d characters.") % {"limit": MESSAGE_MAX_LENGTH}
    if not cv:
        errors["cv"] = _("Attach your CV as a PDF.")
    else:
        try:
            check_upload(cv, kinds={FileKind.PDF}, max_bytes=CV_MAX_BYTES)
        except ValidationError as error:
            errors["cv"] = error.messages
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    application = Application(
        job=job, applicant=applicant, message=message, status_changed_at=now, status_changed_by=applicant
    )
    application.cv.save("cv.pdf", cv, save=False)
    try:
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError:
            raise already from None  # the same person applied in another request at the same moment
        notify(
            _recruiters(job),
            "job.application_received",
            context={"job": job, "application": application},
            dedupe_key=f"application:{application.pk}",
            target=application,
        )
    except BaseException:
        application.cv.delete(save=False)
        raise
    return application


def _set_status(application: Application, status: str, by: User, *, only_from: str | None = None) -> bool:
    """Move an application to a status with a conditional UPDATE, so that of two requests at once only
    one moves it; False when it was already there (or, with only_from, no longer in that status)."""
    now = timezone.now()
    rows = Application.objects.filter(pk=application.pk)
    rows = rows.filter(status=only_from) if only_from else rows.exclude(status=status)
    if not rows.update(status=status, status_changed_at=now, status_changed_by=by, updated_at=now):
        return False
    application.status, application.status_changed_at, application.status_changed_by = status, now, by
    return True


def _tell_applicant(application: Application) -> None:
    notify(
        [application.applicant],
        "job.application_status",
        context={"job": application.job, "application": application},
        # One message per move: going back to a status tells the student again.
        dedupe_key=f"application:{application.pk}:{application.status}:{application.status_changed_at.isoformat()}",
        target=application,
    )


@transaction.atomic
def change_application_status(*, application: Application, status: str, by: User) -> Application:
    """Set the status of an application to the job's staff's decision and tell the student.
    Setting the status it already has changes nothing and sends nothing."""
    require(permissions.can_manage_applications(by, application.job))
    if status not in STAFF_STATUSES:
        choices = ", ".join(str(choice.label).lower() for choice in STAFF_STATUSES)
        raise ValidationError({"status": _("Choose one of: %(choices)s.") % {"choices": choices}})
    current = Application.objects.select_for_update().values_list("status", flat=True).get(pk=application.pk)
    if current == ApplicationStatus.WITHDRAWN:
        raise ValidationError({"status": _("The student has withdrawn this application.")})
    if _set_status(application, status, by):
        _tell_applicant(application)
    return application


@transaction.atomic
def mark_application_seen(*, application: Application, by: User) -> Application:
    """The first time the job's staff open an application it becomes "seen"; later openings change nothing."""
    require(permissions.can_manage_applications(by, application.job))
    if _set_status(application, ApplicationStatus.SEEN, by, only_from=ApplicationStatus.SUBMITTED):
        _tell_applicant(application)
    return application


@transaction.atomic
def withdraw_application(*, application: Application, by: User) -> Application:
    """The applicant takes their application back; the job's staff are told. Idempotent."""
    require(permissions.can_withdraw_application(by, application))
    if _set_status(application, ApplicationStatus.WITHDRAWN, by):
        notify(
            _recruiters(application.job),
            "job.application_withdrawn",
            context={"job": application.job, "application": application},
            dedupe_key=f"withdrawn:{application.pk}",
            target=application,
        )
    return application
