"""Writes to summer schools with their rules: editions and their call, challenges, applications,
reviews, selection decisions with seats, and the follow-up form.

Seats are the core's (consortium.services.seats). Accepting an application requests an OFFERED seat
of the edition's plan, counted against the student's institution's quota and refused when that
quota (or the capacity) is full; the student confirms within the plan's offer_hours (7 days). An
offer left unconfirmed expires (core beat task `expire_seat_offers`) and the seat passes to the
first waitlisted student who fits; the seat handler below tells both. Waitlisting always queues a
seat at the end of the plan's line, even with room left: an organiser who waitlists means "not now";
the student is offered a seat only when one is freed later, in their turn.

Only students of the host or a co-organising institution that can get seats (a quota above 0, or
seats no quota reserves) may apply: other institutions have no organiser to review them.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.access import is_signed_in
from consortium.models import Institution, Seat, SeatPlan, User, validate_time_zone
from consortium.permissions import require
from consortium.richtext import render_markdown
from consortium.services import seats as seat_service
from consortium.services.notifications import notify
from consortium.uploads import MB, FileKind, check_upload

from .. import permissions
from ..models import (
    EDITABLE_EDITION_FIELDS,
    MAX_SCORE,
    Application,
    ApplicationStatus,
    Challenge,
    Criterion,
    Edition,
    EditionStatus,
    FollowUp,
    Place,
    Review,
    Score,
)
from . import organise

SEAT_KIND = "summerschools.edition"
OFFER_HOURS = 7 * 24
CV_MAX_BYTES = 5 * MB
FOLLOW_UP_KEPT_DAYS = 30
# Addresses the summer-school pages use themselves.
RESERVED_SLUGS = {"new", "my", "applications", "alumni", "ventures", "teams", "certificates"}


# Editions


def _check_edition(edition: Edition) -> dict:
    errors = {}
    if edition.slug in RESERVED_SLUGS:
        errors["slug"] = _("This address is taken by a page of the site; choose another.")
    if edition.starts_on and edition.ends_on and edition.ends_on < edition.starts_on:
        errors["ends_on"] = _("The last day cannot be before the first day.")
    elif edition.on_site_days is not None and edition.starts_on and edition.on_site_days > edition.days:
        errors["on_site_days"] = _("There cannot be more days on site than days of the school.")
    if edition.call_opens_at and edition.call_closes_at:
        if edition.call_closes_at <= edition.call_opens_at:
            errors["call_closes_at"] = _("The call must close after it opens.")
        elif edition.starts_on and edition.call_closes_at.date() > edition.starts_on:
            errors["call_closes_at"] = _("The call must close before the school starts.")
    if edition.ects is not None and edition.ects <= 0:
        errors["ects"] = _("Give the ECTS credits the school is worth.")
    try:
        validate_time_zone(edition.time_zone)
    except ValidationError as error:
        errors["time_zone"] = error.messages[0]
    return errors


@transaction.atomic
def save_edition(
    *,
    edition: Edition,
    capacity: int,
    quotas: dict[Institution, int] | None = None,
    co_organisers: list[Institution] | None = None,
    organisers: list[User] | None = None,
    criteria: list[tuple[str, int]] | None = None,
    by: User,
) -> Edition:
    """Create or change an edition with its seats (capacity and a quota per institution), its
    co-organising institutions, organisers (staff of those institutions; the creator is always one)
    and its selection criteria with weights. ValidationError naming the field on bad dates or
    quotas adding up to more than the capacity (the seats service refuses those)."""
    if edition.pk:
        require(permissions.can_edit_edition(by, edition))
    else:
        require(permissions.can_create_edition(by, edition.host))
    errors = _check_edition(edition)
    if criteria is not None:
        names = [name.strip() for name, _weight in criteria]
        if any(not name for name in names) or len(set(names)) != len(names):
            errors["criteria"] = _("Each criterion needs a name, given once.")
        elif any(not isinstance(w, int) or w < 1 for _name, w in criteria):
            errors["criteria"] = _("Each weight must be a whole number, 1 or more.")
    if errors:
        raise ValidationError(errors)
    edition.description_html = render_markdown(edition.description)
    quota_ids = {institution.pk: seats for institution, seats in (quotas or {}).items() if seats is not None}
    if edition.pk:
        seat_service.update_seat_plan(plan=edition.seat_plan, capacity=capacity, quotas=quota_ids)
        edition.save(update_fields=[*EDITABLE_EDITION_FIELDS, "description_html", "updated_at"])
    else:
        edition.seat_plan = seat_service.create_seat_plan(
            kind=SEAT_KIND, capacity=capacity, quotas=quota_ids, offer_hours=OFFER_HOURS
        )
        edition.save()
        edition.organisers.add(by)
    if co_organisers is not None:
        edition.co_organisers.set([i for i in co_organisers if i.pk != edition.host_id])
    if organisers is not None:
        strangers = [u for u in organisers if not permissions.can_be_organiser(u, edition)]
        if strangers:
            raise ValidationError(
                {"organisers": _("Organisers must be staff of the host or a co-organising institution.")}
            )
        edition.organisers.set({*organisers, *([by] if permissions.can_be_organiser(by, edition) else [])})
    if criteria is not None:
        if edition.applications.filter(reviews__isnull=False).exists():
            raise ValidationError({"criteria": _("Reviews have started; the criteria can no longer change.")})
        edition.criteria.all().delete()
        Criterion.objects.bulk_create(Criterion(edition=edition, name=n.strip(), weight=w) for n, w in criteria)
    return edition


def bip_shortfalls(edition: Edition) -> list[str]:
    """Why the edition does not qualify as an Erasmus+ Blended Intensive Programme (BIP): at least
    three institutions from three countries, 5 to 30 days on site with a virtual part, at least 3
    ECTS. An empty list: it qualifies."""
    institutions = edition.institutions()
    countries = {str(i.country) for i in institutions}
    reasons = []
    if len(institutions) < 3:
        reasons.append(
            _("At least 3 institutions must organise it; there are %(count)d.") % {"count": len(institutions)}
        )
    if len(countries) < 3:
        reasons.append(
            _("The institutions must come from at least 3 countries; there are %(count)d.") % {"count": len(countries)}
        )
    if not 5 <= edition.on_site_days <= 30:
        days = edition.on_site_days
        reasons.append(_("The part on site must last 5 to 30 days; it lasts %(days)d.") % {"days": days})
    if edition.place != Place.BLENDED:
        reasons.append(_("A BIP combines the days on site with a virtual part: make the school blended."))
    if edition.ects < Decimal(3):
        reasons.append(_("It must award at least 3 ECTS credits; it awards %(ects)s.") % {"ects": edition.ects})
    return reasons


@transaction.atomic
def publish_edition(*, edition: Edition, by: User) -> Edition:
    require(permissions.can_edit_edition(by, edition))
    if edition.status != EditionStatus.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    if not edition.criteria.exists():
        raise ValidationError(_("Add the selection criteria before publishing the call."))
    Edition.objects.filter(pk=edition.pk).update(status=EditionStatus.PUBLISHED, updated_at=timezone.now())
    edition.status = EditionStatus.PUBLISHED
    return edition


@transaction.atomic
def add_challenge(
    *, edition: Edition, company, title: str, description: str = "", mentor: User | None = None, by: User
) -> Challenge:
    """A company's challenge. The company must be one the host institution works with (a relationship
    in the shared company network); the mentor, one of organise.mentor_candidates."""
    require(permissions.can_edit_edition(by, edition))
    errors = organise.challenge_errors(edition=edition, company=company, title=title, mentor=mentor)
    if errors:
        raise ValidationError(errors)
    return Challenge.objects.create(
        edition=edition, company=company, title=title.strip(), description=description, mentor=mentor
    )


# Applications


def eligible_institutions(edition: Edition) -> list[Institution]:
    """The organising institutions whose students may apply: those that can get seats."""
    institutions = edition.institutions()
    with_seats = seat_service.institutions_with_seats(edition.seat_plan, [i.pk for i in institutions])
    return [i for i in institutions if i.pk in with_seats]


def application_refusal(edition: Edition, student: User, eligible: list[Institution] | None = None) -> str | None:
    """Why the student's institution may not apply to the edition, or None when it may."""
    eligible = eligible_institutions(edition) if eligible is None else eligible
    if any(i.pk == student.institution_id for i in eligible):
        return None
    if not any(i.pk == student.institution_id for i in edition.institutions()):
        return _("Only students of the organising institutions may apply: their organisers review the applications.")
    return _("%(institution)s has no seats at this summer school, so its students cannot apply.") % {
        "institution": student.institution
    }


def _tell(application: Application) -> None:
    """Tell the student their application's new status; once per status."""
    notify(
        [application.student],
        "summerschools.application_status",
        context={"application": application, "edition": application.edition, "seat": application.seat},
        dedupe_key=f"application:{application.pk}:{application.status}",
        target=application,
    )


@transaction.atomic
def apply(
    *,
    edition: Edition,
    student: User,
    motivation: str,
    cv,
    languages: list[tuple[str, str]],
    field_of_study: str,
    preferred_challenges: list[Challenge] | None = None,
    now: datetime.datetime | None = None,
) -> Application:
    """A student's application: once per edition, while the call is open, with a CV in PDF."""
    require(permissions.can_apply(student, edition))
    refusal = application_refusal(edition, student)
    if refusal:
        raise ValidationError(refusal, code="not_eligible")
    if not edition.call_is_open(now):
        raise ValidationError(_("The call for this summer school is closed."), code="closed")
    if Application.objects.filter(edition=edition, student=student).exists():
        raise ValidationError(_("You have applied to this summer school already."), code="duplicate")
    errors = {}
    if not motivation.strip():
        errors["motivation"] = _("Tell the organisers why you want to take part.")
    if cv is None:
        errors["cv"] = _("Attach your CV as a PDF.")
    else:
        try:
            check_upload(cv, kinds={FileKind.PDF}, max_bytes=CV_MAX_BYTES)
        except ValidationError as error:
            errors["cv"] = error.messages
    if preferred_challenges and any(c.edition_id != edition.pk for c in preferred_challenges):
        errors["preferred_challenges"] = _("Choose challenges of this summer school.")
    if errors:
        raise ValidationError(errors)
    application = Application(
        edition=edition,
        student=student,
        institution=student.institution,
        motivation=motivation.strip(),
        languages=[[code, level] for code, level in languages],
        field_of_study=field_of_study,
    )
    application.cv.save("cv.pdf", cv, save=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise ValidationError(_("You have applied to this summer school already."), code="duplicate") from None
    application.preferred_challenges.set(preferred_challenges or [])
    _tell(application)
    return application


# Reviews


@transaction.atomic
def review_application(
    *,
    application: Application,
    reviewer: User,
    scores: dict[Criterion, int] | None = None,
    conflict_of_interest: bool = False,
    comment: str = "",
) -> Review:
    """Score an application on each criterion (0 to MAX_SCORE), or declare a conflict of interest,
    which leaves the reviewer out of the average. Only organisers from the applicant's institution
    review. Reviewing again replaces the earlier review."""
    require(permissions.can_review(reviewer, application))
    criteria = list(application.edition.criteria.all())
    scores = scores or {}
    if not conflict_of_interest:
        if {c.pk for c in scores} != {c.pk for c in criteria}:
            raise ValidationError({"scores": _("Score every criterion.")})
        if any(not isinstance(s, int) or not 0 <= s <= MAX_SCORE for s in scores.values()):
            raise ValidationError({"scores": _("Each score runs from 0 to %(max)d.") % {"max": MAX_SCORE}})
    review, _created = Review.objects.update_or_create(
        application=application,
        reviewer=reviewer,
        defaults={"conflict_of_interest": conflict_of_interest, "comment": comment},
    )
    review.scores.all().delete()
    if not conflict_of_interest:
        Score.objects.bulk_create(Score(review=review, criterion=c, score=s) for c, s in scores.items())
    return review


def weighted_scores(applications) -> dict[int, float | None]:
    """Each application's score: per review, the weighted mean of its scores (weights of the
    criteria); then the mean over the reviews without a conflict of interest. None when nobody
    has scored it yet. Two queries, whatever the number of applications."""
    totals: dict[int, dict[int, list[int]]] = {}
    rows = Score.objects.filter(
        review__application__in=[a.pk for a in applications], review__conflict_of_interest=False
    ).values_list("review__application_id", "review_id", "score", "criterion__weight")
    for application_id, review_id, score, weight in rows:
        sums = totals.setdefault(application_id, {}).setdefault(review_id, [0, 0])
        sums[0] += score * weight
        sums[1] += weight
    result = {}
    for application in applications:
        reviews = totals.get(application.pk)
        if not reviews:
            result[application.pk] = None
            continue
        means = [points / weight for points, weight in reviews.values() if weight]
        result[application.pk] = round(sum(means) / len(means), 2)
    return result


# Decisions


def _lock(application: Application, by: User) -> Application:
    require(permissions.can_review(by, application))
    # The plan first, then the application: the seats service's handlers take them in that order.
    SeatPlan.objects.select_for_update().filter(pk=application.edition.seat_plan_id).first()
    locked = Application.objects.select_for_update().get(pk=application.pk)
    application.status, application.seat_id = locked.status, locked.seat_id
    return application


@transaction.atomic
def accept_application(*, application: Application, by: User) -> Application:
    """Offer the student a seat to confirm within 7 days, counted against their institution's quota.
    ValidationError (with the seats service's message) when the quota or the capacity is full."""
    application = _lock(application, by)
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED):
        raise ValidationError(_("Only a submitted or waitlisted application can be accepted."))
    if application.status == ApplicationStatus.WAITLISTED:
        # Leaving the line for an offer: the place in line is given up in the same transaction.
        seat_service.release_seat(seat=application.seat, refill=False)
    seat = seat_service.request_seat(
        plan=application.edition.seat_plan,
        holder=application.student,
        institution=application.institution,
        offer=True,
        waitlist=False,
    )
    return _decided(application, ApplicationStatus.ACCEPTED, seat)


@transaction.atomic
def waitlist_application(*, application: Application, by: User) -> Application:
    """Put the student at the end of the plan's line, even with room left; a seat freed later is
    offered to them in their turn (the seat handler then accepts the application)."""
    application = _lock(application, by)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted application can be waitlisted."))
    seat = seat_service.request_seat(
        plan=application.edition.seat_plan,
        holder=application.student,
        institution=application.institution,
        offer=True,
        queue=True,
    )
    return _decided(application, ApplicationStatus.WAITLISTED, seat)


@transaction.atomic
def reject_application(*, application: Application, by: User) -> Application:
    application = _lock(application, by)
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED):
        raise ValidationError(_("Only a submitted or waitlisted application can be rejected."))
    if application.seat_id:
        seat_service.release_seat(seat=application.seat)
    return _decided(application, ApplicationStatus.REJECTED, application.seat)


def _decided(application: Application, status: str, seat: Seat | None) -> Application:
    application.status, application.seat, application.decided_at = status, seat, timezone.now()
    application.save(update_fields=["status", "seat", "decided_at", "updated_at"])
    _tell(application)
    return application


@transaction.atomic
def confirm_application(*, application: Application, by: User) -> Application:
    """The student confirms the offered seat before it expires (ValidationError saying why not)."""
    require(is_signed_in(by) and application.student_id == by.pk)
    if application.status != ApplicationStatus.ACCEPTED or application.seat is None:
        raise ValidationError(_("There is no offered seat to confirm."))
    try:
        seat_service.confirm_seat(seat=application.seat)
    except ValidationError:
        application.refresh_from_db()
        raise
    application.status = ApplicationStatus.CONFIRMED
    application.save(update_fields=["status", "updated_at"])
    _tell(application)
    return application


def handle_seat_event(seat: Seat, event: str) -> None:
    """The seats service's handler for SEAT_KIND: an offer from the waitlist accepts the application;
    an expired offer expires it. Each tells the student once. Runs inside the seats service's
    transaction; a seat not yet linked to its application (a decision in progress) is left to it."""
    application = Application.objects.filter(seat=seat).select_related("edition", "student").first()
    if application is None:
        return
    status = {seat_service.OFFERED: ApplicationStatus.ACCEPTED, seat_service.EXPIRED: ApplicationStatus.EXPIRED}[event]
    if application.status == status:
        return
    application.status, application.seat = status, seat
    fields = ["status", "updated_at"]
    if event == seat_service.OFFERED:
        # The offer is the decision the student acts on: its date, not the waitlisting's.
        application.decided_at = timezone.now()
        fields.append("decided_at")
    application.save(update_fields=fields)
    _tell(application)


# Follow-up


@transaction.atomic
def save_follow_up(
    *, application: Application, by: User, arrival: datetime.datetime, dietary_needs: str, emergency_contact: str
) -> FollowUp:
    require(permissions.can_fill_follow_up(by, application))
    if not emergency_contact.strip():
        raise ValidationError({"emergency_contact": _("Give someone to call in an emergency.")})
    follow_up, _created = FollowUp.objects.update_or_create(
        application=application,
        defaults={"arrival": arrival, "dietary_needs": dietary_needs, "emergency_contact": emergency_contact},
    )
    return follow_up


def delete_old_follow_ups(*, now: datetime.datetime | None = None) -> int:
    """Delete the follow-up forms of schools whose last day was 30 days ago or earlier, in the
    school's own time zone. Safe to run twice."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=FOLLOW_UP_KEPT_DAYS)
    deleted, _rows = FollowUp.objects.filter(application__edition__last_day_starts_at__lte=cutoff).delete()
    return deleted
