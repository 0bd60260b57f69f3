"""The support desk's service levels: a first response within N working days of the target country,
where weekends and that country's public holidays do not count."""

import datetime
import functools
import zoneinfo

import holidays
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import ACTIVE_SUPPORT_STATUSES, Institution, Role, SupportBreach, SupportRequest, User
from .notifications import notify

# The assignee hears about a waiting request when this share of the time to the deadline has passed.
REMINDER_SHARE = (2, 3)


# The representative time zone of each country the consortium works in (its capital's); the
# holidays package knows no zones. A country not listed counts its days in UTC.
COUNTRY_TIME_ZONES = {
    "AT": "Europe/Vienna",
    "BE": "Europe/Brussels",
    "BG": "Europe/Sofia",
    "CH": "Europe/Zurich",
    "CY": "Asia/Nicosia",
    "CZ": "Europe/Prague",
    "DE": "Europe/Berlin",
    "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn",
    "ES": "Europe/Madrid",
    "FI": "Europe/Helsinki",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "GR": "Europe/Athens",
    "HR": "Europe/Zagreb",
    "HU": "Europe/Budapest",
    "IE": "Europe/Dublin",
    "IS": "Atlantic/Reykjavik",
    "IT": "Europe/Rome",
    "LI": "Europe/Vaduz",
    "LT": "Europe/Vilnius",
    "LU": "Europe/Luxembourg",
    "LV": "Europe/Riga",
    "MT": "Europe/Malta",
    "NL": "Europe/Amsterdam",
    "NO": "Europe/Oslo",
    "PL": "Europe/Warsaw",
    "PT": "Europe/Lisbon",
    "RO": "Europe/Bucharest",
    "SE": "Europe/Stockholm",
    "SI": "Europe/Ljubljana",
    "SK": "Europe/Bratislava",
}


def country_time_zone(country: str) -> datetime.tzinfo:
    return zoneinfo.ZoneInfo(COUNTRY_TIME_ZONES[code]) if (code := str(country)) in COUNTRY_TIME_ZONES else datetime.UTC


@functools.cache
def _closed_days(country: str):
    """The country's public holidays (the package adds each year as it is asked about)."""
    try:
        return holidays.country_holidays(country)
    except NotImplementedError:
        return frozenset()  # a country the package does not know: weekends only


def _is_working_day(day: datetime.date, country: str) -> bool:
    return day.weekday() < 5 and day not in _closed_days(country)


def _local_days(start: datetime.datetime, country: str):
    """From the local day of `start` on: (wall-clock start, wall-clock end) of each working day,
    the first cut at `start`. Naive local times, so that every working day is 24 hours long."""
    tz = country_time_zone(country)
    local = start.astimezone(tz).replace(tzinfo=None)
    day = local.date()
    while True:
        if _is_working_day(day, str(country)):
            day_start = datetime.datetime.combine(day, datetime.time.min)
            yield max(local, day_start), day_start + datetime.timedelta(days=1)
        day += datetime.timedelta(days=1)


def add_working_time(start: datetime.datetime, working: datetime.timedelta, country: str) -> datetime.datetime:
    """The moment when `working` time has passed in `country`'s working days after `start`.

    The rule: only the hours of the country's working days count (Monday to Friday, except its
    public holidays), whole local days of 24 hours, in the local time of the country's capital.
    So a request sent on Friday at 15:00 with three working days is due on Wednesday at 15:00;
    one sent during a weekend or a holiday starts counting at 00:00 of the next working day, and
    is due at the end of the third one (Saturday 10:00 → Wednesday 23:59:59). A deadline that
    falls exactly at the end of a working day is given as its last second, 23:59:59, so that it
    is on that day and not at the start of a weekend.
    """
    if working <= datetime.timedelta(0):
        return start
    left = working
    for begin, end in _local_days(start, country):
        if left < end - begin:
            moment = begin + left
            break
        if left == end - begin:
            moment = end - datetime.timedelta(seconds=1)
            break
        left -= end - begin
    return moment.replace(tzinfo=country_time_zone(country)).astimezone(start.tzinfo or datetime.UTC)


def working_time_between(start: datetime.datetime, end: datetime.datetime, country: str) -> datetime.timedelta:
    """How much of the country's working time lies between two moments (see add_working_time)."""
    tz = country_time_zone(country)
    stop = end.astimezone(tz).replace(tzinfo=None)
    total = datetime.timedelta(0)
    for begin, day_end in _local_days(start, country):
        if begin >= stop:
            break
        total += min(day_end, stop) - begin
    return total


def add_working_days(start: datetime.datetime, days: int, country: str) -> datetime.datetime:
    """`days` working days of `country` after `start`, by the rule of add_working_time."""
    return add_working_time(start, datetime.timedelta(days=days), country)


def first_response_due(*, country: str, opened_at: datetime.datetime) -> datetime.datetime:
    return add_working_days(opened_at, settings.SUPPORT_FIRST_RESPONSE_WORKING_DAYS, country)


def reminder_due_at(request: SupportRequest) -> datetime.datetime:
    """Two thirds of the request's working time to its deadline (two of three working days), so
    that, like the deadline, it falls on a working day of the target country."""
    country = str(request.target_country)
    working = working_time_between(request.created_at, request.first_response_due_at, country)
    # Whole seconds: a deadline given as 23:59:59 would otherwise leave a fraction of a second.
    share = round(working.total_seconds() * REMINDER_SHARE[0] / REMINDER_SHARE[1])
    return add_working_time(request.created_at, datetime.timedelta(seconds=share), country)


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
        "pk", "created_at", "first_response_due_at", "target_country"
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
        [assignee] if assignee else list(request.desk_staff()),
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
    """The member institution that owes the answer. Outside the shared queue a request always has
    one: routing picks a member or queues it, and claiming from the queue or the queue's release
    of an inactive member's requests keep the two in step."""
    return Institution.objects.filter(pk=request.target_institution_id)


def _escalation_recipients(request: SupportRequest) -> list[User]:
    if request.in_shared_queue:
        # The liaison officers who work the queue (never the asking institution's) and the admins.
        people = User.objects.filter(
            Q(pk__in=request.desk_staff().values("pk")) | Q(role_assignments__role=Role.CONSORTIUM_ADMIN)
        )
    else:
        people = User.objects.filter(
            institution__in=_target_institutions(request),
            role_assignments__role__in=(Role.CAREER_OFFICER, Role.PARTNER_ADMIN),
        )
    return list(people.filter(is_active=True).distinct())
