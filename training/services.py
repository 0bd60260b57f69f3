"""Writes to training weeks with their rules: weeks and agendas, registrations with approval and
seats, check-in, the evaluation survey and the curriculum.

Seats are the core's (consortium.services.seats): a registration, once approved, requests a seat of
the week's SeatPlan, which confirms it or queues it on the waitlist under the plan's row lock.
"""

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import Institution, Role, User
from consortium.permissions import require
from consortium.richtext import render_markdown
from consortium.services import seats as seat_service
from consortium.services import surveys as survey_service
from consortium.services.notifications import notify

from . import permissions
from .models import (
    EDITABLE_WEEK_FIELDS,
    LIVE_SEAT_STATUSES,
    Attendance,
    Module,
    Registration,
    RegistrationStatus,
    Session,
    TrainingPolicy,
    TrainingWeek,
    WeekStatus,
)

SEAT_KIND = "training.week"
SURVEY_KEY = "training-week"
SURVEY_DAYS_OPEN = 14


# Weeks and their agendas


# Addresses the training pages use themselves.
RESERVED_SLUGS = {"new", "curriculum", "my", "approvals", "registrations"}


def _check_week(week: TrainingWeek) -> dict:
    errors = {}
    if week.slug in RESERVED_SLUGS:
        errors["slug"] = _("This address is taken by a page of the site; choose another.")
    if week.starts_on and week.ends_on:
        if week.ends_on < week.starts_on:
            errors["ends_on"] = _("The last day cannot be before the first day.")
        elif (week.ends_on - week.starts_on).days > 13:
            errors["ends_on"] = _("A training week lasts at most two weeks.")
    if week.registration_opens_at and week.registration_closes_at:
        if week.registration_closes_at <= week.registration_opens_at:
            errors["registration_closes_at"] = _("Registration must close after it opens.")
        elif week.starts_on and week.registration_closes_at.date() > week.ends_on:
            errors["registration_closes_at"] = _("Registration must close before the week ends.")
    if week.contact_id and not permissions.can_edit_week(week.contact, week):
        errors["contact"] = _("The contact person must be a career officer or partner admin of the host.")
    if week.pk:
        outside = week.sessions.exclude(day__range=(week.starts_on, week.ends_on))
        if outside.exists():
            errors["starts_on"] = _("Some sessions of the agenda fall outside these dates: move them first.")
    return errors


@transaction.atomic
def save_week(
    *,
    week: TrainingWeek,
    capacity: int,
    quotas: dict[Institution, int] | None = None,
    materials=None,
    by: User,
) -> TrainingWeek:
    """Create or change a week with its seats: the capacity and a quota per partner institution
    (institutions without one are capped by the capacity alone), and its materials from the resource
    library when given. Refuses a quota sum above the capacity, and a capacity below the seats
    already taken, naming the field."""
    require(permissions.can_edit_week(by, week) if week.pk else permissions.can_organise_weeks(by, week.host))
    if errors := _check_week(week):
        raise ValidationError(errors)
    quotas = {institution.pk: seats for institution, seats in (quotas or {}).items() if seats is not None}
    week.description_html = render_markdown(week.description)
    if week.pk:
        seat_service.update_seat_plan(plan=week.seat_plan, capacity=capacity, quotas=quotas)
        # Never the status: a publication or cancellation committed meanwhile stays.
        week.save(update_fields=[*EDITABLE_WEEK_FIELDS, "description_html", "updated_at"])
    else:
        week.seat_plan = seat_service.create_seat_plan(kind=SEAT_KIND, capacity=capacity, quotas=quotas)
        week.created_by = by
        week.save()
    if materials is not None:
        week.materials.set(materials)
    return week


@transaction.atomic
def publish_week(*, week: TrainingWeek, by: User) -> TrainingWeek:
    require(permissions.can_edit_week(by, week))
    if week.status != WeekStatus.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    if not week.sessions.exists():
        raise ValidationError(_("Add the agenda's sessions before publishing the week."))
    TrainingWeek.objects.filter(pk=week.pk).update(status=WeekStatus.PUBLISHED, updated_at=timezone.now())
    week.status = WeekStatus.PUBLISHED
    return week


@transaction.atomic
def cancel_week(*, week: TrainingWeek, by: User) -> TrainingWeek:
    """Cancel a week: every live registration is cancelled and its person told."""
    require(permissions.can_edit_week(by, week))
    if week.status == WeekStatus.CANCELLED:
        return week
    TrainingWeek.objects.filter(pk=week.pk).update(status=WeekStatus.CANCELLED, updated_at=timezone.now())
    week.status = WeekStatus.CANCELLED
    registrations = list(week.registrations.active().select_related("person", "seat"))
    week.registrations.active().update(status=RegistrationStatus.CANCELLED, cancelled_at=timezone.now())
    # No refill: a freed seat is offered to nobody, since everyone in line is cancelled too.
    for registration in registrations:
        if registration.seat_status in LIVE_SEAT_STATUSES:
            seat_service.release_seat(seat=registration.seat, refill=False)
    notify(
        [r.person for r in registrations],
        "training.week_cancelled",
        context={"week": week},
        dedupe_key=f"week:{week.pk}:cancelled",
        target=week,
    )
    return week


@transaction.atomic
def save_session(*, session: Session, by: User) -> Session:
    """Add or change a session of a week's agenda, on one of the week's days."""
    week = TrainingWeek.objects.select_for_update().get(pk=session.week_id)
    require(permissions.can_edit_week(by, week))
    errors = {}
    if session.day and not week.starts_on <= session.day <= week.ends_on:
        errors["day"] = _("The day must be within the week, from %(start)s to %(end)s.") % {
            "start": week.starts_on.isoformat(),
            "end": week.ends_on.isoformat(),
        }
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        errors["ends_at"] = _("The session must end after it starts.")
    if errors:
        raise ValidationError(errors)
    session.save()
    return session


@transaction.atomic
def delete_session(*, session: Session, by: User) -> None:
    require(permissions.can_edit_week(by, session.week))
    if session.attendances.exists():
        raise ValidationError(_("Participants were checked in to this session: it stays on the agenda."))
    session.delete()


# Registrations


def _approvers(institution: Institution):
    return User.objects.holding(institution, Role.PARTNER_ADMIN)


def _tell_person(registration: Registration, event: str) -> None:
    notify(
        [registration.person],
        "training.registration_status",
        context={"week": registration.week, "registration": registration, "event": event},
        dedupe_key=f"registration:{registration.pk}:{event}:{timezone.now().isoformat()}",
        target=registration,
    )


def _take_seat(registration: Registration) -> Registration:
    """Ask the week's seat plan for a seat: confirmed, or on the waitlist in arrival order. Without a
    waitlist a full week or quota refuses the registration."""
    week = registration.week
    try:
        seat = seat_service.request_seat(
            plan=week.seat_plan,
            holder=registration.person,
            institution=registration.institution,
            waitlist=week.waitlist,
        )
    except ValidationError as error:
        raise ValidationError({"week": error.messages}) from None
    registration.seat = seat
    registration.status = RegistrationStatus.APPROVED
    registration.save(update_fields=["seat", "status", "decided_by", "decided_at", "updated_at"])
    # Told once committed: the plan's row lock is then released, and a rollback tells nobody.
    transaction.on_commit(lambda: _tell_person(registration, seat.status))
    return registration


def week_is_over(week: TrainingWeek, now: datetime.datetime | None = None) -> bool:
    """Whether the week's last day has passed where it takes place."""
    now = now or timezone.now()
    return timezone.localdate(now, timezone=zoneinfo.ZoneInfo(week.time_zone)) > week.ends_on


def _refusal(week: TrainingWeek, person: User) -> tuple[str, str] | None:
    """(field, reason) when the person cannot register for the week now."""
    now = timezone.now()
    if week.status != WeekStatus.PUBLISHED:
        return "week", _("This week does not take registrations.")
    if now < week.registration_opens_at:
        opens = timezone.localtime(week.registration_opens_at).strftime("%Y-%m-%d %H:%M")
        return "week", _("Registration for this week opens on %(date)s (UTC).") % {"date": opens}
    if now >= week.registration_closes_at:
        return "week", _("Registration for this week has closed.")
    if Registration.objects.active().filter(week=week, person=person).exists():
        return "person", _("You are already registered for this week.")
    if Registration.objects.filter(week=week, person=person, status=RegistrationStatus.DECLINED).exists():
        return "person", _(
            "Your partner admin declined your registration for this week; you cannot register for it again."
        )
    if not week.waitlist and not _has_free_seat(week, person.institution):
        return "week", _("There are no seats left for your institution, and this week keeps no waitlist.")
    return None


def registration_refusal(week: TrainingWeek, person: User) -> str | None:
    """Why a person cannot register for the week now, or None."""
    refusal = _refusal(week, person)
    return refusal[1] if refusal else None


def _has_free_seat(week: TrainingWeek, institution: Institution) -> bool:
    return seats_left_for(seat_service.seat_summary(week.seat_plan), institution) > 0


def seats_left_for(summary, institution: Institution) -> int:
    """Seats an institution's people could still take: the week's, within the institution's quota."""
    left = summary.remaining
    for row in summary.institutions:
        if row.institution == institution and row.remaining is not None:
            left = min(left, row.remaining)
    return left


@transaction.atomic
def register_for_week(*, week: TrainingWeek, person: User, motivation: str = "") -> Registration:
    """Register a member of career staff. Their partner admin approves it, unless the institution turned
    approval off: then it takes a seat at once (confirmed or waitlisted). Refuses registering twice,
    outside the window, and a full quota when the week keeps no waitlist; nothing is saved then."""
    require(permissions.can_register(person, week))
    if refusal := _refusal(week, person):
        raise ValidationError(dict([refusal]))
    registration = Registration(
        week=week, person=person, institution=person.institution, motivation=(motivation or "").strip()[:2000]
    )
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        raise ValidationError({"person": _("You are already registered for this week.")}) from None
    if TrainingPolicy.requires_approval(person.institution):
        notify(
            _approvers(person.institution).exclude(pk=person.pk),
            "training.approval_needed",
            context={"week": week, "registration": registration},
            dedupe_key=f"registration:{registration.pk}",
            target=registration,
        )
    else:
        registration.decided_at = timezone.now()
        _take_seat(registration)
    return registration


def _locked(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("week__seat_plan", "person", "institution")
        .get(pk=registration.pk)
    )


@transaction.atomic
def approve_registration(*, registration: Registration, by: User) -> Registration:
    """The registrant's partner admin lets the registration take a seat. Refused when the week is full
    for their institution and keeps no waitlist, and once the week has ended; the registration stays
    pending then. Approving after registration closed, before the week ends, is allowed: the
    registration arrived in time, and the partner admin may be slow to decide."""
    registration = _locked(registration)
    require(permissions.can_approve_registration(by, registration))
    if registration.week.status != WeekStatus.PUBLISHED:
        raise ValidationError(_("This week does not take registrations."))
    if week_is_over(registration.week):
        raise ValidationError(_("This week has ended: its registrations can no longer be approved."))
    registration.decided_by, registration.decided_at = by, timezone.now()
    return _take_seat(registration)


@transaction.atomic
def decline_registration(*, registration: Registration, by: User) -> Registration:
    registration = _locked(registration)
    require(permissions.can_approve_registration(by, registration))
    registration.status = RegistrationStatus.DECLINED
    registration.decided_by, registration.decided_at = by, timezone.now()
    registration.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _tell_person(registration, "declined")
    return registration


@transaction.atomic
def cancel_registration(*, registration: Registration, by: User) -> Registration:
    """Cancel: a held seat is freed at once and offered to the first in line who fits, unless the
    week has ended (nobody is offered a seat in a week that is over). Idempotent."""
    registration = _locked(registration)
    require(permissions.can_cancel_registration(by, registration))
    if registration.status not in (RegistrationStatus.PENDING, RegistrationStatus.APPROVED):
        return registration
    if registration.seat_status in LIVE_SEAT_STATUSES:
        seat_service.release_seat(seat=registration.seat, refill=not week_is_over(registration.week))
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    if by.pk != registration.person_id:
        _tell_person(registration, "cancelled")
    return registration


@transaction.atomic
def confirm_offer(*, registration: Registration, by: User) -> Registration:
    """The person takes the seat offered to them from the waitlist, before the offer expires."""
    registration = _locked(registration)
    require(permissions.can_confirm_offer(by, registration))
    if registration.seat_status != "offered":
        raise ValidationError(_("There is no seat offer to confirm for this registration."))
    seat_service.confirm_seat(seat=registration.seat)
    registration.seat.refresh_from_db()
    Registration.objects.filter(pk=registration.pk).update(updated_at=timezone.now())
    return registration


def handle_seat_event(seat, event: str) -> None:
    """The seat plan offered a freed seat to someone on the waitlist, or such an offer lapsed."""
    registration = (
        Registration.objects.filter(seat=seat, status=RegistrationStatus.APPROVED)
        .select_related("week", "person")
        .first()
    )
    if registration is None:
        return
    kind = {"offered": "training.seat_offered", "expired": "training.offer_expired"}.get(event)
    if kind is None:
        return
    stamp = (seat.offered_at or seat.created_at).isoformat()
    notify(
        [registration.person],
        kind,
        context={"week": registration.week, "registration": registration, "seat": seat},
        dedupe_key=f"seat:{seat.pk}:{event}:{stamp}",
        target=registration,
    )
    Registration.objects.filter(pk=registration.pk).update(updated_at=timezone.now())


@transaction.atomic
def set_training_policy(*, institution: Institution, approval_required: bool, by: User) -> TrainingPolicy:
    require(permissions.can_manage_training_policy(by, institution))
    policy, _created = TrainingPolicy.objects.update_or_create(
        institution=institution, defaults={"approval_required": approval_required}
    )
    return policy


# Check-in


@transaction.atomic
def set_attendance(*, session: Session, registration: Registration, present: bool, by: User) -> bool:
    """Mark a confirmed participant present at a session, or take the mark back. Idempotent; returns
    whether they are marked present now."""
    require(permissions.can_check_in(by, session.week))
    if registration.week_id != session.week_id or not registration.is_confirmed:
        raise ValidationError({"registration": _("Only confirmed participants of this week can be checked in.")})
    if present:
        Attendance.objects.get_or_create(session=session, registration=registration, defaults={"checked_in_by": by})
    else:
        Attendance.objects.filter(session=session, registration=registration).delete()
    return present


# Survey

SURVEY_QUESTIONS = [
    ("likert", "The week met the goals announced in its programme."),
    ("likert", "I learned things I will use when advising students about this country."),
    ("likert", "The sessions were well organised."),
    ("likert", "The hosts made me feel welcome."),
    ("recommend", "How likely are you to recommend this training week to a colleague?"),
    ("text", "What should the next edition keep or change?"),
]


def week_survey(week: TrainingWeek):
    from consortium.models import Survey

    return Survey.objects.for_event(week).first()


@transaction.atomic
def open_survey(*, week: TrainingWeek, by: User, anonymous: bool = True):
    """Open the evaluation survey for the week's confirmed participants, from its last day on, for
    two weeks; each participant gets a link. Refused before the last day and a second time."""
    require(permissions.can_open_survey(by, week))
    # The week's last day where it takes place, as for week_is_over.
    if timezone.localdate(timezone=zoneinfo.ZoneInfo(week.time_zone)) < week.ends_on:
        raise ValidationError(_("The evaluation survey opens on the week's last day at the earliest."))
    participants = [r.person for r in week.registrations.confirmed().select_related("person")]
    return survey_service.open_evaluation(
        event=week,
        title=week.title,
        key=SURVEY_KEY,
        questionnaire_title="Training week evaluation",
        questions=SURVEY_QUESTIONS,
        participants=participants,
        anonymous=anonymous,
        days_open=SURVEY_DAYS_OPEN,
        by=by,
    )


# Curriculum


@transaction.atomic
def save_module(*, module: Module, by: User) -> Module:
    require(permissions.can_edit_curriculum(by))
    module.materials_html = render_markdown(module.materials)
    module.save()
    return module
