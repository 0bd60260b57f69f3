"""The support desk's service levels: a first response within N working days of the target country,
where weekends and that country's public holidays do not count."""

import datetime

import holidays
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import ACTIVE_SUPPORT_STATUSES, Institution, Role, SupportBreach, SupportRequest, User
from .notifications import notify

# The assignee hears about a waiting request when this share of the time to the deadline has passed.
REMINDER_SHARE = 2 / 3


def add_working_days(start: datetime.datetime, days: int, country: str) -> datetime.datetime:
    """The moment `days` working days after `start` in `country`: the same time of day on the day
    reached by skipping weekends and public holidays (a request sent on Friday afternoon with three
    days is due on Wednesday afternoon)."""
    try:
        # str(): a CountryField hands out Country objects, which the package does not take.
        closed = holidays.country_holidays(str(country), years=range(start.year, start.year + 2))
    except NotImplementedError:
        closed = {}  # a country the package does not know: weekends only
    moment, left = start, days
    while left:
        moment += datetime.timedelta(days=1)
        if moment.weekday() < 5 and moment.date() not in closed:
            left -= 1
    return moment


def first_response_due(*, country: str, opened_at: datetime.datetime) -> datetime.datetime:
    return add_working_days(opened_at, settings.SUPPORT_FIRST_RESPONSE_WORKING_DAYS, country)


def reminder_due_at(request: SupportRequest) -> datetime.datetime:
    return request.created_at + (request.first_response_due_at - request.created_at) * REMINDER_SHARE


def check_support_deadlines(now: datetime.datetime | None = None) -> dict[str, int]:
    """Remind the assignees of requests still waiting for a first response at two thirds of the
    time, and record and escalate each breach of the deadline.

    Idempotent: a reminder is claimed by a conditional update of reminded_at and a breach by the
    one-to-one row, each in its own transaction with its notifications, so a second run (or a
    concurrent one) sends and records nothing more. Returns how many of each it did.
    """
    now = now or timezone.now()
    waiting = SupportRequest.objects.filter(status__in=ACTIVE_SUPPORT_STATUSES, first_response_at__isnull=True)
    # Requests waiting for a first response are few at any time, so the two-thirds point is
    # worked out here rather than in SQL, where duration arithmetic differs between databases.
    candidates = waiting.filter(reminded_at__isnull=True, first_response_due_at__gt=now).only(
        "pk", "created_at", "first_response_due_at"
    )
    reminded = sum(_remind(request.pk, now) for request in candidates if reminder_due_at(request) <= now)
    overdue = SupportRequest.objects.overdue(now).filter(breach__isnull=True).values_list("pk", flat=True)
    breached = sum(_record_breach(pk, now) for pk in list(overdue))
    return {"reminded": reminded, "breached": breached}


@transaction.atomic
def _remind(request_id: int, now: datetime.datetime) -> bool:
    updated = SupportRequest.objects.filter(
        pk=request_id,
        reminded_at__isnull=True,
        first_response_at__isnull=True,
        status__in=ACTIVE_SUPPORT_STATUSES,
    ).update(reminded_at=now)
    if not updated:
        return False
    request = SupportRequest.objects.select_related("assignee", "target_institution", "requesting_institution").get(
        pk=request_id
    )
    assignee = request.assignee if request.assignee and request.assignee.is_active else None
    notify(
        [assignee] if assignee else _desk_staff(request),
        "support.reminder",
        context={"request": request, "due_at": request.first_response_due_at},
        dedupe_key=f"support-reminder:{request.pk}",
        target=request,
    )
    return True


@transaction.atomic
def _record_breach(request_id: int, now: datetime.datetime) -> bool:
    request = (
        SupportRequest.objects.select_for_update(of=("self",))
        .select_related("assignee", "target_institution", "requesting_institution")
        .overdue(now)
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return False
    _breach, created = SupportBreach.objects.get_or_create(
        request=request,
        defaults={
            "institution": request.target_institution,
            "assignee": request.assignee,
            "due_at": request.first_response_due_at,
        },
    )
    if not created:
        return False
    notify(
        _escalation_recipients(request),
        "support.breach",
        context={"request": request, "due_at": request.first_response_due_at, "assignee": request.assignee},
        dedupe_key=f"support-breach:{request.pk}",
        target=request,
    )
    return True


def _target_institutions(request: SupportRequest):
    """The member institutions that owe the answer: the chosen one, or every member in the country
    while the request has not been routed to one."""
    if request.target_institution_id:
        return Institution.objects.filter(pk=request.target_institution_id)
    return Institution.objects.active().filter(country=request.target_country)


# Current liaison officers of active members.
LIAISON = Q(liaison_nominations__ends_at__isnull=True, liaison_nominations__institution__is_active=True)


def _desk_staff(request: SupportRequest) -> list[User]:
    """Who picks up a request nobody is assigned to: the target's career officers, or every
    liaison officer for the consortium-wide queue."""
    if request.in_shared_queue:
        people = User.objects.filter(LIAISON)
    else:
        people = User.objects.filter(
            institution__in=_target_institutions(request), role_assignments__role=Role.CAREER_OFFICER
        )
    return list(people.filter(is_active=True).distinct())


def _escalation_recipients(request: SupportRequest) -> list[User]:
    if request.in_shared_queue:
        people = User.objects.filter(LIAISON | Q(role_assignments__role=Role.CONSORTIUM_ADMIN))
    else:
        people = User.objects.filter(
            institution__in=_target_institutions(request),
            role_assignments__role__in=(Role.CAREER_OFFICER, Role.PARTNER_ADMIN),
        )
    return list(people.filter(is_active=True).distinct())
