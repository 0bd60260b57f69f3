"""Writes to the job board: save, publish, close and expire jobs, with their rules."""

import datetime
import re

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from consortium.models import CompanyDecline, Institution, User
from consortium.permissions import require
from consortium.richtext import render_markdown
from consortium.services.notifications import notify
from consortium.services.webhooks import emit_event

from .. import permissions
from ..models import ApplyMethod, Audience, Job, JobLanguage, JobStatus, StartKind

# Invisible characters that have no place in an offer and that XML (the Atom feed) cannot carry.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


EDITED_COLUMNS = [
    field.name
    for field in Job._meta.concrete_fields
    if not field.primary_key
    and field.name not in {"status", "published_at", "approved_by", "approved_at", "created_at", "search_vector"}
]


def _validate(job: Job, languages: list[tuple[str, str]]) -> None:
    errors = {
        name: _("Remove the invisible control characters.")
        for name in ("title", "city", "description")
        if CONTROL_CHARACTERS.search(getattr(job, name) or "")
    }
    if job.country and job.country.code not in countries:
        errors["country"] = _("Choose a country from the list.")
    if job.deadline and job.deadline < timezone.localdate():
        errors["deadline"] = _("The deadline is in the past.")
    if job.salary_min is not None and job.salary_max is not None and job.salary_min > job.salary_max:
        errors["salary_min"] = _("The minimum salary is above the maximum.")
    if (job.salary_min is not None or job.salary_max is not None) and not job.salary_currency:
        errors["salary_currency"] = _("Give the currency of the salary.")
    if job.start_kind == StartKind.DATE and not job.start_date:
        errors["start_date"] = _("Give the start date, or choose immediate or flexible start.")
    if job.apply_method == ApplyMethod.URL and not job.apply_url:
        errors["apply_url"] = _("Give the address where students apply.")
    if job.apply_method == ApplyMethod.EMAIL and not job.apply_email:
        errors["apply_email"] = _("Give the address students write to.")
    if len({code for code, _level in languages}) != len(languages):
        errors["languages"] = _("Each language can be listed once.")
    if errors:
        raise ValidationError(errors)


def refresh_search_vector(job: Job) -> None:
    """Store the words a search matches: title and company first, then skills, then the description."""
    # Full-text search needs PostgreSQL; SQLite searches with a plain match instead.
    if connection.vendor != "postgresql":
        return
    Job.objects.filter(pk=job.pk).update(
        search_vector=SearchVector("title", weight="A", config="simple")
        + SearchVector(Value(job.company.name), weight="A", config="simple")
        + SearchVector(Value(" ".join(job.skills)), weight="B", config="simple")
        + SearchVector("description", weight="C", config="simple")
    )


@transaction.atomic
def save_job(
    *,
    job: Job,
    languages: list[tuple[str, str]],
    partner_institutions: list[Institution],
    by: User,
) -> Job:
    """Create or update a job of the poster's institution; its status is changed only by publish/close."""
    if job.pk is None:
        require(permissions.can_post_job(by, job.institution))
        job.posted_by = by if isinstance(by, User) else None
    else:
        require(permissions.can_edit_job(by, job))
    if permissions.is_company_contact(by) and job.company_id != by.company_id:
        raise ValidationError({"company": _("You can post jobs of %(company)s only.") % {"company": by.company}})
    ensure_not_declined(job, by)
    _validate(job, languages)
    previous_company = (
        Job.objects.filter(pk=job.pk).values_list("company_id", flat=True).first()
        if job.status == JobStatus.PUBLISHED
        else None
    )
    if job.start_kind != StartKind.DATE:
        job.start_date = None
    job.skills = sorted({skill.strip() for skill in job.skills if skill.strip()}, key=str.lower)
    job.description_html = render_markdown(job.description)
    duplicate = ValidationError({"external_id": _("Another job of your institution has this external id.")})
    if (
        job.external_id
        and Job.objects.filter(institution=job.institution, external_id=job.external_id).exclude(pk=job.pk).exists()
    ):
        raise duplicate
    try:
        with transaction.atomic():
            # An edit never writes the status: publishing, approval, closing and expiry own it, and one
            # of them may have committed since the editor loaded the job.
            job.save(update_fields=None if job.pk is None else EDITED_COLUMNS)
    except IntegrityError:
        raise duplicate from None  # the same id saved by a concurrent request
    job.partner_institutions.set(partner_institutions if job.audience == Audience.PARTNERS else [])
    job.languages.all().delete()
    JobLanguage.objects.bulk_create(JobLanguage(job=job, language=code, level=level) for code, level in languages)
    refresh_search_vector(job)
    moved = job.status == JobStatus.PUBLISHED and job.company_id != previous_company
    if moved and permissions.needs_approval(by, job):
        # Moving an offer to a flagged company must not be a way around the approval of its jobs.
        return _hold_for_approval(job)
    if job.status == JobStatus.PUBLISHED:
        _emit(job, "job.updated")
    return job


def _audience_institutions(job: Job):
    if job.audience == Audience.CONSORTIUM:
        return Institution.objects.active()
    if job.audience == Audience.PARTNERS:
        return Institution.objects.filter(
            pk__in=[job.institution_id, *job.partner_institutions.values_list("pk", flat=True)]
        )
    return Institution.objects.filter(pk=job.institution_id)


def _emit(job: Job, event: str) -> None:
    emit_event(
        event,
        institutions=_audience_institutions(job),
        data={
            "id": job.pk,
            "external_id": job.external_id or None,
            "institution": job.institution.slug,
            "title": job.title,
            "company": job.company.name,
            "country": job.country.code,
            "status": job.status,
            "url": job.get_absolute_url(),
        },
    )


def ensure_not_declined(job: Job, by: User) -> None:
    if CompanyDecline.objects.filter(institution=job.institution_id, company=job.company_id).exists():
        field = "institution" if permissions.is_company_contact(by) else "company"
        raise ValidationError(
            {
                field: _("%(institution)s has declined %(company)s: no jobs can be posted for it there.")
                % {"institution": job.institution.short_name, "company": job.company}
            }
        )


@transaction.atomic
def publish_job(*, job: Job, by: User) -> Job:
    """Publish a draft, or hold it for approval (a company contact's job, a flagged company's job).
    A job already published or waiting for approval is left as it is."""
    require(permissions.can_edit_job(by, job))
    if job.status in (JobStatus.PUBLISHED, JobStatus.PENDING):
        return job
    return _release(job, by, past_deadline=_("The deadline is in the past: move it before publishing."))


def _release(job: Job, by: User, *, past_deadline: str) -> Job:
    """Publish the job, or hold it for approval where one is needed (a company contact's job, a
    flagged company's job): publishing and reopening must both pass the same checks."""
    if job.deadline and job.deadline < timezone.localdate():
        raise ValidationError({"deadline": past_deadline})
    ensure_not_declined(job, by)
    if permissions.needs_approval(by, job):
        return _hold_for_approval(job)
    return go_live(job)


def go_live(job: Job) -> Job:
    """Publish now, after the caller checked who may and whether an approval was needed."""
    job.status = JobStatus.PUBLISHED
    job.published_at = job.published_at or timezone.now()
    job.save(update_fields=["status", "published_at", "approved_by", "approved_at", "updated_at"])
    _emit(job, "job.published")
    _flag_duplicates(job)
    return job


def _hold_for_approval(job: Job) -> Job:
    job.status = JobStatus.PENDING
    job.save(update_fields=["status", "updated_at"])
    notify(
        permissions.approvers_of(job),
        "job.submitted",
        context={"job": job, "poster": job.posted_by},
        # One message per submission: a job sent back and submitted again is asked about again.
        dedupe_key=f"submitted:{job.pk}:{job.updated_at.isoformat()}",
        target=job,
    )
    return job


def _flag_duplicates(job: Job) -> None:
    """Tell the posters when the same company, title and city are open twice."""
    twins = (
        Job.objects.published()
        .filter(company=job.company, title__iexact=job.title, city__iexact=job.city)
        .exclude(pk=job.pk)
        .select_related("posted_by", "institution")
    )
    for other in twins:
        pair = f"{min(job.pk, other.pk)}-{max(job.pk, other.pk)}"
        for subject, twin in ((job, other), (other, job)):
            notify(
                [subject.posted_by],
                "job.possible_duplicate",
                context={"job": subject, "other": twin},
                dedupe_key=f"duplicate:{pair}",
                target=subject,
            )


def expire_jobs(*, today: datetime.date | None = None) -> list[Job]:
    """Expire published jobs whose deadline has passed and tell their posters. Running it twice
    expires nothing twice: each job changes state with a conditional UPDATE."""
    today = today or timezone.localdate()
    expired = []
    for job in Job.objects.published().filter(deadline__lt=today).select_related("posted_by", "company", "institution"):
        with transaction.atomic():
            if not Job.objects.filter(pk=job.pk, status=JobStatus.PUBLISHED).update(
                status=JobStatus.EXPIRED, updated_at=timezone.now()
            ):
                continue
            job.status = JobStatus.EXPIRED
            _emit(job, "job.closed")
            notify([job.posted_by], "job.expired", context={"job": job}, dedupe_key=f"expired:{job.pk}", target=job)
        expired.append(job)
    return expired


def remind_deadlines(*, today: datetime.date | None = None) -> int:
    """Remind posters three days before a published job's deadline; once per deadline."""
    day = (today or timezone.localdate()) + datetime.timedelta(days=3)
    jobs = Job.objects.published().filter(deadline=day).select_related("posted_by", "company")
    for job in jobs:
        notify(
            [job.posted_by],
            "job.deadline_soon",
            context={"job": job},
            dedupe_key=f"deadline:{job.pk}:{job.deadline}",
            target=job,
        )
    return len(jobs)


@transaction.atomic
def close_job(*, job: Job, by: User) -> Job:
    require(permissions.can_edit_job(by, job))
    if job.status in (JobStatus.CLOSED, JobStatus.EXPIRED):
        return job
    job.status = JobStatus.CLOSED
    job.save(update_fields=["status", "updated_at"])
    _emit(job, "job.closed")
    return job


@transaction.atomic
def reopen_job(*, job: Job, by: User) -> Job:
    """Publish a closed or expired job again; its deadline must be moved first if it has passed."""
    require(permissions.can_edit_job(by, job))
    if job.status not in (JobStatus.CLOSED, JobStatus.EXPIRED):
        return job
    return _release(job, by, past_deadline=_("The deadline is in the past: move it before reopening."))
