"""Seats for any event with limited places: capacity, a quota per institution, an ordered waitlist,
and offers that expire. Training weeks and summer schools build on these functions.

Rules:
- A seat counts against capacity and its institution's quota while it is OFFERED or CONFIRMED.
- Quotas: a SeatQuota row reserves seats for its institution and caps it there (a row of 0 shuts
  it out); institutions without a row share the seats that no quota reserves, so a quota holder
  always gets its quota. A plan without quotas has only the capacity. Nobody is put in a line that
  can never reach a seat: people whose institution has no seats at all are refused.
- The waitlist is served in order of arrival (queued_at, then id). Whenever room appears (a seat
  released, an offer expired, a larger capacity or quota) the first waiting people who fit are
  OFFERED a seat at once, to confirm within plan.offer_hours; someone further down the line whose
  institution still has room may pass those whose institution is full. Someone queued on purpose
  while room is left (request_seat(queue=True)) waits likewise for the next room that appears.
- Every write locks the plan row first (select_for_update), then its seats: the counts read under
  that lock stay true until commit, however many people click at once.
- Whenever a seat becomes OFFERED or an offer EXPIRED, the handler registered for the plan's kind
  (consortium.registry.register_seat_handler) is called with (seat, "offered"|"expired") inside the
  same transaction, so the change and the owner's notice (notify() queues e-mail on commit) are
  saved together or not at all; handlers must be idempotent (notify's dedupe keys make them so).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Institution, Seat, SeatPlan, SeatQuota, SeatStatus, User
from ..registry import SEAT_HANDLERS

# Events passed to seat handlers.
OFFERED = "offered"
EXPIRED = "expired"


# Checks and counts


def _check_plan(capacity, quotas: dict[int, int], offer_hours=None) -> None:
    errors = {}
    if not isinstance(capacity, int) or capacity < 0:
        errors["capacity"] = _("The capacity must be a whole number of seats, 0 or more.")
    if offer_hours is not None and (not isinstance(offer_hours, int) or offer_hours < 1):
        errors["offer_hours"] = _("An offer must stay open for at least one hour.")
    if any(not isinstance(seats, int) or seats < 0 for seats in quotas.values()):
        errors["quotas"] = _("Each quota must be a whole number of seats, 0 or more.")
    elif "capacity" not in errors and sum(quotas.values()) > capacity:
        errors["quotas"] = _("The quotas add up to %(total)d seats, more than the capacity of %(capacity)d.") % {
            "total": sum(quotas.values()),
            "capacity": capacity,
        }
    if "quotas" not in errors:
        known = set(Institution.objects.filter(pk__in=quotas).values_list("pk", flat=True))
        if known != set(quotas):
            errors["quotas"] = _("A quota names an institution that does not exist.")
    if errors:
        raise ValidationError(errors)


def _lock(plan: SeatPlan) -> SeatPlan:
    """Lock the plan row and read it again; every seat write of the plan queues behind this lock."""
    locked = SeatPlan.objects.select_for_update().get(pk=plan.pk)
    plan.capacity, plan.offer_hours = locked.capacity, locked.offer_hours
    return plan


@dataclass
class _Room:
    """Seats held per institution and the caps, read under the plan's lock."""

    capacity: int
    quotas: dict[int, int]
    held: Counter = field(default_factory=Counter)

    @classmethod
    def of(cls, plan: SeatPlan) -> "_Room":
        held = Counter(
            dict(
                Seat.objects.holding()
                .filter(plan=plan)
                .order_by()
                .values("institution")
                .annotate(n=Count("pk"))
                .values_list("institution", "n")
            )
        )
        quotas = dict(SeatQuota.objects.filter(plan=plan).values_list("institution_id", "seats"))
        return cls(plan.capacity, quotas, held)

    @property
    def total(self) -> int:
        return sum(self.held.values())

    @property
    def unreserved(self) -> int:
        """Seats no quota reserves, shared by the institutions without one."""
        return self.capacity - sum(self.quotas.values())

    def fits(self, institution_id: int) -> bool:
        if self.total >= self.capacity:
            return False
        quota = self.quotas.get(institution_id)
        if quota is not None:
            return self.held[institution_id] < quota
        held_unreserved = sum(n for pk, n in self.held.items() if pk not in self.quotas)
        return held_unreserved < self.unreserved

    def can_ever_fit(self, institution_id: int) -> bool:
        quota = self.quotas.get(institution_id)
        return (quota if quota is not None else self.unreserved) > 0


def _tell(plan: SeatPlan, seat: Seat, event: str) -> None:
    handler = SEAT_HANDLERS.get(plan.kind)
    if handler is not None:
        handler(seat, event)


def _offer(plan: SeatPlan, seat: Seat, now: datetime) -> None:
    seat.status = SeatStatus.OFFERED
    seat.offered_at = now
    seat.offer_expires_at = now + timedelta(hours=plan.offer_hours)
    seat.save(update_fields=["status", "offered_at", "offer_expires_at"])
    _tell(plan, seat, OFFERED)


def _fill(plan: SeatPlan, now: datetime, room: _Room | None = None) -> list[Seat]:
    """Offer free seats to the first waiting people who fit. The plan must be locked."""
    room = room or _Room.of(plan)
    offered = []
    if room.total >= room.capacity:
        return offered
    for seat in Seat.objects.filter(plan=plan).waiting().select_related("holder"):
        if room.total >= room.capacity:
            break
        if room.fits(seat.institution_id):
            _offer(plan, seat, now)
            room.held[seat.institution_id] += 1
            offered.append(seat)
    return offered


def _expire_overdue(plan: SeatPlan, now: datetime) -> list[Seat]:
    """Mark the plan's overdue offers EXPIRED. The plan must be locked."""
    overdue = list(
        Seat.objects.select_for_update(of=("self",))
        .filter(plan=plan, status=SeatStatus.OFFERED, offer_expires_at__lte=now)
        .select_related("holder")
    )
    for seat in overdue:
        seat.status = SeatStatus.EXPIRED
        seat.released_at = now
        seat.save(update_fields=["status", "released_at"])
        _tell(plan, seat, EXPIRED)
    return overdue


# Plans


@transaction.atomic
def create_seat_plan(
    *, kind: str, capacity: int, quotas: dict[int, int] | None = None, offer_hours: int = 48
) -> SeatPlan:
    """A plan of `capacity` seats; `quotas` maps institution ids to their most seats. Raises
    ValidationError (keys capacity, quotas, offer_hours) when the quotas add up to more than the capacity."""
    quotas = dict(quotas or {})
    _check_plan(capacity, quotas, offer_hours)
    plan = SeatPlan.objects.create(kind=kind, capacity=capacity, offer_hours=offer_hours)
    SeatQuota.objects.bulk_create(SeatQuota(plan=plan, institution_id=pk, seats=n) for pk, n in quotas.items())
    return plan


@transaction.atomic
def update_seat_plan(*, plan: SeatPlan, capacity: int, quotas: dict[int, int]) -> SeatPlan:
    """Set the capacity and replace the quotas (institutions left out lose their cap). Refuses a
    capacity or quota below the seats already held; offers the seats that the change frees to the
    waitlist at once. Locks the plan."""
    quotas = dict(quotas)
    _check_plan(capacity, quotas)
    plan = _lock(plan)
    now = timezone.now()
    _expire_overdue(plan, now)
    room = _Room.of(plan)
    errors = {}
    if capacity < room.total:
        errors["capacity"] = _("%(held)d seats are taken already; the capacity cannot be lower.") % {"held": room.total}
    short = [pk for pk, seats in quotas.items() if seats < room.held[pk]]
    if short:
        names = ", ".join(Institution.objects.filter(pk__in=short).order_by("name").values_list("name", flat=True))
        errors["quotas"] = _("More seats are taken already than the new quota allows for: %(names)s.") % {
            "names": names
        }
    if errors:
        raise ValidationError(errors)
    plan.capacity = capacity
    plan.save(update_fields=["capacity"])
    SeatQuota.objects.filter(plan=plan).exclude(institution_id__in=quotas).delete()
    for pk, seats in quotas.items():
        SeatQuota.objects.update_or_create(plan=plan, institution_id=pk, defaults={"seats": seats})
    _fill(plan, now)
    return plan


# Seats


@transaction.atomic
def request_seat(
    *,
    plan: SeatPlan,
    holder: User,
    institution: Institution,
    offer: bool = False,
    waitlist: bool = True,
    queue: bool = False,
) -> Seat:
    """A seat for `holder`, counted against `institution`'s quota. With room, CONFIRMED at once, or
    OFFERED (to confirm within plan.offer_hours) when `offer` is true; without room, WAITLISTED at the
    end of the line, or ValidationError when `waitlist` is false. With `queue`, WAITLISTED at the end
    of the line even when there is room: the holder is offered a seat only when room next appears
    (a release, an expiry, a larger plan), in their turn. ValidationError when the holder already has
    a live seat (offered, confirmed or waiting). Locks the plan; overdue offers of the plan expire
    first, so their seats go to the line before any newcomer."""
    if institution is None:
        raise ValidationError(_("Only people of a member institution can hold a seat."), code="no_institution")
    plan = _lock(plan)
    now = timezone.now()
    expired = _expire_overdue(plan, now)
    if Seat.objects.live().filter(plan=plan, holder=holder).exists():
        raise ValidationError(_("You already have a seat or a place on the waitlist."), code="duplicate")
    room = _Room.of(plan)
    # Only room that has just appeared goes to the line: people queued while room was left wait
    # for the next release rather than take the seats of whoever asks next.
    if expired:
        _fill(plan, now, room)
    seat = Seat(plan=plan, holder=holder, institution=institution)
    if not room.can_ever_fit(institution.pk):
        raise ValidationError(
            _("%(institution)s has no seats at this event.") % {"institution": institution}, code="no_quota"
        )
    if queue:
        seat.status, seat.queued_at = SeatStatus.WAITLISTED, now
    elif room.fits(institution.pk):
        if offer:
            seat.status, seat.offered_at = SeatStatus.OFFERED, now
            seat.offer_expires_at = now + timedelta(hours=plan.offer_hours)
        else:
            seat.status, seat.confirmed_at = SeatStatus.CONFIRMED, now
    elif waitlist:
        seat.status, seat.queued_at = SeatStatus.WAITLISTED, now
    elif room.total >= room.capacity:
        raise ValidationError(_("All %(capacity)d seats are taken.") % {"capacity": room.capacity}, code="full")
    elif institution.pk in room.quotas:
        raise ValidationError(
            _("The %(quota)d seats of %(institution)s's quota are taken.")
            % {"quota": room.quotas[institution.pk], "institution": institution},
            code="quota_full",
        )
    else:
        raise ValidationError(
            _("The %(seats)d seats open to institutions without a quota are taken.") % {"seats": room.unreserved},
            code="quota_full",
        )
    seat.save()
    if seat.status == SeatStatus.OFFERED:
        _tell(plan, seat, OFFERED)
    return seat


@transaction.atomic
def confirm_seat(*, seat: Seat) -> Seat:
    """OFFERED and not yet expired -> CONFIRMED. Anything else: ValidationError saying why. Locks the plan."""
    plan = _lock(seat.plan)
    now = timezone.now()
    if _expire_overdue(plan, now):
        _fill(plan, now)
    seat.refresh_from_db()
    if seat.status == SeatStatus.CONFIRMED:
        raise ValidationError(_("This seat is confirmed already."), code="confirmed")
    if seat.status == SeatStatus.EXPIRED:
        raise ValidationError(_("The offer expired; the seat has passed to the next person in line."), code="expired")
    if seat.status == SeatStatus.WAITLISTED:
        raise ValidationError(_("You are still on the waitlist; there is no seat to confirm yet."), code="waiting")
    if seat.status == SeatStatus.CANCELLED:
        raise ValidationError(_("This seat was cancelled."), code="cancelled")
    seat.status, seat.confirmed_at, seat.offer_expires_at = SeatStatus.CONFIRMED, now, None
    seat.save(update_fields=["status", "confirmed_at", "offer_expires_at"])
    return seat


@transaction.atomic
def release_seat(*, seat: Seat, refill: bool = True) -> Seat:
    """Cancel a seat or a place in line. A held seat goes at once to the first waiting person who
    fits, unless `refill` is false (the event is over: nobody should be offered a seat in it).
    Releasing a seat already cancelled or expired changes nothing. Locks the plan."""
    plan = _lock(seat.plan)
    now = timezone.now()
    _expire_overdue(plan, now)
    seat.refresh_from_db()
    if seat.status not in (SeatStatus.CANCELLED, SeatStatus.EXPIRED):
        seat.status, seat.released_at = SeatStatus.CANCELLED, now
        seat.save(update_fields=["status", "released_at"])
    if refill:
        _fill(plan, now)
    return seat


def expire_offers(*, now: datetime | None = None) -> int:
    """Expire the offers past their deadline and pass each seat to the next in line. One transaction
    per plan (plans locked one by one, in id order); running it again changes nothing. Returns the
    number of offers expired."""
    now = now or timezone.now()
    plan_ids = (
        Seat.objects.filter(status=SeatStatus.OFFERED, offer_expires_at__lte=now)
        .order_by("plan_id")
        .values_list("plan_id", flat=True)
        .distinct()
    )
    expired = 0
    for plan_id in list(plan_ids):
        with transaction.atomic():
            plan = SeatPlan.objects.select_for_update().get(pk=plan_id)
            expired += len(_expire_overdue(plan, now))
            _fill(plan, now)
    return expired


# Reads


def waitlist_position(seat: Seat) -> int | None:
    """1 for the first in line; None when the seat is not waiting."""
    if seat.status != SeatStatus.WAITLISTED:
        return None
    ahead = (
        Seat.objects.filter(plan_id=seat.plan_id, status=SeatStatus.WAITLISTED, queued_at__lt=seat.queued_at).count()
        + Seat.objects.filter(
            plan_id=seat.plan_id, status=SeatStatus.WAITLISTED, queued_at=seat.queued_at, pk__lt=seat.pk
        ).count()
    )
    return ahead + 1


def institutions_with_seats(plan: SeatPlan, institution_ids) -> set[int]:
    """Which of these institutions can ever hold a seat of the plan: a quota above 0, or seats no
    quota reserves for those without one. One query."""
    quotas = dict(SeatQuota.objects.filter(plan=plan).values_list("institution_id", "seats"))
    unreserved = plan.capacity - sum(quotas.values())
    return {pk for pk in institution_ids if quotas.get(pk, unreserved) > 0}


@dataclass
class SeatCounts:
    confirmed: int = 0
    offered: int = 0
    waiting: int = 0

    @property
    def held(self) -> int:
        return self.confirmed + self.offered


@dataclass
class InstitutionSeats(SeatCounts):
    institution: Institution | None = None
    quota: int | None = None  # None: capped by the capacity alone

    @property
    def remaining(self) -> int | None:
        return None if self.quota is None else max(self.quota - self.held, 0)


@dataclass
class SeatSummary(SeatCounts):
    capacity: int = 0
    institutions: list[InstitutionSeats] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.held, 0)


def seat_summary(plan: SeatPlan) -> SeatSummary:
    """Confirmed, offered (held = both) and waiting seats in all and per institution, with each
    institution's quota and what remains. Institutions with a quota or a seat appear, by name.
    Three queries."""
    rows = (
        Seat.objects.live()
        .filter(plan=plan)
        .order_by()
        .values("institution", "status")
        .annotate(n=Count("pk"))
        .values_list("institution", "status", "n")
    )
    quotas = dict(SeatQuota.objects.filter(plan=plan).values_list("institution_id", "seats"))
    per: dict[int, InstitutionSeats] = {pk: InstitutionSeats(quota=seats) for pk, seats in quotas.items()}
    summary = SeatSummary(capacity=plan.capacity)
    attribute = {SeatStatus.CONFIRMED: "confirmed", SeatStatus.OFFERED: "offered", SeatStatus.WAITLISTED: "waiting"}
    for institution_id, status, n in rows:
        name = attribute[status]
        counts = per.setdefault(institution_id, InstitutionSeats())
        setattr(counts, name, getattr(counts, name) + n)
        setattr(summary, name, getattr(summary, name) + n)
    for institution in Institution.objects.filter(pk__in=per).order_by("name"):
        per[institution.pk].institution = institution
        summary.institutions.append(per[institution.pk])
    return summary
