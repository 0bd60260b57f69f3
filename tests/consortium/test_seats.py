"""The shared seats: capacity, quotas, the ordered waitlist, offers that expire, promotion."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from consortium import registry, tasks
from consortium.models import Seat, SeatQuota, SeatStatus
from consortium.services.seats import (
    confirm_seat,
    create_seat_plan,
    expire_offers,
    release_seat,
    request_seat,
    seat_summary,
    update_seat_plan,
    waitlist_position,
)
from tests.factories import InstitutionFactory, officer

KIND = "tests.event"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def heard(monkeypatch):
    """What the owner's seat handler was told, in order: (holder, event)."""
    events = []
    monkeypatch.setitem(registry.SEAT_HANDLERS, KIND, lambda seat, event: events.append((seat.holder, event)))
    return events


@pytest.fixture
def two(home, other):
    """A plan of 3 seats with a quota of 1 for home; other has no quota row."""
    return create_seat_plan(kind=KIND, capacity=3, quotas={home.pk: 1})


def _ask(plan, institution, **kwargs):
    person = officer(institution=institution)
    return request_seat(plan=plan, holder=person, institution=institution, **kwargs)


def _status(seat):
    seat.refresh_from_db()
    return seat.status


# Plans


def test_a_plan_keeps_its_quotas(home, other):
    plan = create_seat_plan(kind=KIND, capacity=10, quotas={home.pk: 4, other.pk: 6}, offer_hours=168)
    assert plan.offer_hours == 168
    assert dict(plan.quotas.values_list("institution", "seats")) == {home.pk: 4, other.pk: 6}


def test_quotas_above_the_capacity_are_refused(home, other):
    with pytest.raises(ValidationError) as error:
        create_seat_plan(kind=KIND, capacity=10, quotas={home.pk: 6, other.pk: 6})
    assert error.value.message_dict == {"quotas": ["The quotas add up to 12 seats, more than the capacity of 10."]}
    assert not SeatQuota.objects.exists()


def test_a_negative_capacity_and_an_unknown_institution_are_refused(home):
    with pytest.raises(ValidationError) as error:
        create_seat_plan(kind=KIND, capacity=-1, quotas={home.pk: 0}, offer_hours=0)
    assert set(error.value.message_dict) == {"capacity", "offer_hours"}
    with pytest.raises(ValidationError) as error:
        create_seat_plan(kind=KIND, capacity=5, quotas={home.pk + 1000: 1})
    assert error.value.message_dict == {"quotas": ["A quota names an institution that does not exist."]}


# Requests


def test_with_room_a_seat_is_confirmed_at_once(two, home):
    seat = _ask(two, home)
    assert seat.status == SeatStatus.CONFIRMED
    assert seat.confirmed_at is not None and seat.offer_expires_at is None


def test_an_offered_seat_waits_offer_hours_for_confirmation(home, heard, django_capture_on_commit_callbacks):
    plan = create_seat_plan(kind=KIND, capacity=2, offer_hours=24 * 7)
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        seat = _ask(plan, home, offer=True)
    assert seat.status == SeatStatus.OFFERED
    assert seat.offer_expires_at == START + timedelta(days=7)
    assert heard == [(seat.holder, "offered")]


def test_a_full_quota_puts_the_next_on_the_waitlist(two, home, other):
    _ask(two, home)
    seat = _ask(two, home)
    assert seat.status == SeatStatus.WAITLISTED
    # The other institution has no quota row: only the capacity caps it.
    assert _ask(two, other).status == SeatStatus.CONFIRMED
    assert _ask(two, other).status == SeatStatus.CONFIRMED
    assert _ask(two, other).status == SeatStatus.WAITLISTED


def test_without_a_waitlist_a_full_quota_is_refused(two, home):
    _ask(two, home)
    person = officer(institution=home)
    with pytest.raises(ValidationError) as error:
        request_seat(plan=two, holder=person, institution=home, waitlist=False)
    assert error.value.messages == ["The 1 seats of Universidad de Prueba's quota are taken."]
    assert not Seat.objects.filter(holder=person).exists()


def test_without_a_waitlist_a_full_event_is_refused(home, other):
    plan = create_seat_plan(kind=KIND, capacity=1)
    _ask(plan, other)
    with pytest.raises(ValidationError) as error:
        _ask(plan, home, waitlist=False)
    assert error.value.messages == ["All 1 seats are taken."]


def test_a_quota_of_zero_shuts_an_institution_out_instead_of_queueing_it_for_nothing(home, other):
    plan = create_seat_plan(kind=KIND, capacity=5, quotas={home.pk: 0})
    with pytest.raises(ValidationError) as error:
        _ask(plan, home)
    assert error.value.messages == ["Universidad de Prueba has no seats at this event."]
    assert not Seat.objects.filter(plan=plan, institution=home).exists()
    assert _ask(plan, other).status == SeatStatus.CONFIRMED


def test_institutions_without_a_quota_cannot_take_the_seats_quotas_reserve(home, other):
    third = InstitutionFactory()
    plan = create_seat_plan(kind=KIND, capacity=3, quotas={home.pk: 1, other.pk: 1})
    assert _ask(plan, third).status == SeatStatus.CONFIRMED
    # The one unreserved seat is taken: the third institution waits, the quota holders still get theirs.
    assert _ask(plan, third).status == SeatStatus.WAITLISTED
    assert _ask(plan, home).status == SeatStatus.CONFIRMED
    assert _ask(plan, other).status == SeatStatus.CONFIRMED


def test_a_lapsed_offer_does_not_block_asking_again(home):
    plan = create_seat_plan(kind=KIND, capacity=1)
    with time_machine.travel(START, tick=False):
        seat = _ask(plan, home, offer=True)
    with time_machine.travel(START + timedelta(hours=49), tick=False):
        again = request_seat(plan=plan, holder=seat.holder, institution=home)
    seat.refresh_from_db()
    assert (seat.status, again.status) == (SeatStatus.EXPIRED, SeatStatus.CONFIRMED)


def test_a_failing_seat_handler_undoes_the_change_it_was_told_of(home, monkeypatch):
    """The change and the owner's notice are saved together: nobody holds an offer they were never told of."""
    plan = create_seat_plan(kind=KIND, capacity=1)
    held, waiting = _ask(plan, home), _ask(plan, home)

    def broken(seat, event):
        raise RuntimeError("the notice could not be written")

    monkeypatch.setitem(registry.SEAT_HANDLERS, KIND, broken)
    with pytest.raises(RuntimeError):
        release_seat(seat=held)
    held.refresh_from_db()
    waiting.refresh_from_db()
    assert (held.status, waiting.status) == (SeatStatus.CONFIRMED, SeatStatus.WAITLISTED)


def test_the_callers_plan_shows_the_new_capacity(home):
    plan = create_seat_plan(kind=KIND, capacity=1)
    update_seat_plan(plan=plan, capacity=4, quotas={})
    assert plan.capacity == 4


def test_asking_twice_is_refused_until_the_seat_is_released(two, home):
    person = officer(institution=home)
    seat = request_seat(plan=two, holder=person, institution=home)
    with pytest.raises(ValidationError) as error:
        request_seat(plan=two, holder=person, institution=home)
    assert error.value.messages == ["You already have a seat or a place on the waitlist."]
    release_seat(seat=seat)
    assert request_seat(plan=two, holder=person, institution=home).status == SeatStatus.CONFIRMED


def test_someone_without_an_institution_is_refused(two, home):
    with pytest.raises(ValidationError) as error:
        request_seat(plan=two, holder=officer(institution=home), institution=None)
    assert error.value.messages == ["Only people of a member institution can hold a seat."]


def test_the_database_holds_one_live_seat_per_person(two, home):
    seat = _ask(two, home)
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(
            plan=two, holder=seat.holder, institution=home, status=SeatStatus.WAITLISTED, queued_at=START
        )


def test_the_database_refuses_an_offer_without_a_deadline(two, home):
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(plan=two, holder=officer(institution=home), institution=home, status=SeatStatus.OFFERED)


# Confirming


def test_an_offer_is_confirmed_before_its_deadline(two, home):
    seat = _ask(two, home, offer=True)
    confirm_seat(seat=seat)
    seat.refresh_from_db()
    assert seat.status == SeatStatus.CONFIRMED and seat.offer_expires_at is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("confirmed", "This seat is confirmed already."),
        ("waitlisted", "You are still on the waitlist; there is no seat to confirm yet."),
        ("cancelled", "This seat was cancelled."),
        ("late", "The offer expired; the seat has passed to the next person in line."),
    ],
)
def test_only_a_live_offer_can_be_confirmed(home, make, message):
    plan = create_seat_plan(kind=KIND, capacity=1)
    with time_machine.travel(START, tick=False):
        first = _ask(plan, home, offer=make in ("late", "cancelled"))
        seat = _ask(plan, home) if make == "waitlisted" else first
        if make == "cancelled":
            release_seat(seat=seat)
    with (
        time_machine.travel(START + timedelta(hours=48, seconds=1), tick=False),
        pytest.raises(ValidationError) as error,
    ):
        confirm_seat(seat=seat)
    assert error.value.messages == [message]


# Releasing and the waitlist


def test_a_released_seat_goes_to_the_first_in_line_who_fits(
    two, home, other, heard, django_capture_on_commit_callbacks
):
    held = _ask(two, home)
    others = [_ask(two, other), _ask(two, other)]
    line = [_ask(two, home), _ask(two, other), _ask(two, home)]
    assert [s.status for s in line] == [SeatStatus.WAITLISTED] * 3
    with django_capture_on_commit_callbacks(execute=True):
        release_seat(seat=others[0])
    # The first in line is from home, whose quota is full: the seat passes to the first who fits.
    assert [_status(s) for s in line] == [SeatStatus.WAITLISTED, SeatStatus.OFFERED, SeatStatus.WAITLISTED]
    assert heard == [(line[1].holder, "offered")]
    with django_capture_on_commit_callbacks(execute=True):
        release_seat(seat=held)
    assert _status(line[0]) == SeatStatus.OFFERED
    assert heard[-1] == (line[0].holder, "offered")


def test_releasing_twice_changes_nothing(two, home):
    seat = _ask(two, home)
    waiting = _ask(two, home)
    release_seat(seat=seat)
    released_at = Seat.objects.get(pk=seat.pk).released_at
    assert _status(waiting) == SeatStatus.OFFERED
    release_seat(seat=seat)
    seat.refresh_from_db()
    assert seat.status == SeatStatus.CANCELLED and seat.released_at == released_at
    assert Seat.objects.filter(status=SeatStatus.OFFERED).count() == 1


def test_queueing_waits_in_line_even_with_room_left(two, home, heard):
    queued = _ask(two, home, offer=True, queue=True)
    assert queued.status == SeatStatus.WAITLISTED and heard == []
    assert waitlist_position(queued) == 1


def test_a_queued_person_keeps_waiting_while_others_are_given_the_room(two, home):
    queued = _ask(two, home, offer=True, queue=True)
    # The organiser's next decision takes the quota's seat; the line is served only when room appears.
    chosen = _ask(two, home, offer=True, waitlist=False)
    assert chosen.status == SeatStatus.OFFERED
    assert _status(queued) == SeatStatus.WAITLISTED
    release_seat(seat=chosen)
    assert _status(queued) == SeatStatus.OFFERED


def test_queueing_is_refused_to_an_institution_without_seats(home, other):
    plan = create_seat_plan(kind=KIND, capacity=2, quotas={home.pk: 0, other.pk: 2})
    with pytest.raises(ValidationError) as error:
        _ask(plan, home, queue=True)
    assert error.value.code == "no_quota"


def test_leaving_the_waitlist_offers_nothing(two, home):
    _ask(two, home)
    waiting = _ask(two, home)
    behind = _ask(two, home)
    release_seat(seat=waiting)
    assert _status(waiting) == SeatStatus.CANCELLED
    assert _status(behind) == SeatStatus.WAITLISTED
    assert waitlist_position(behind) == 1


def test_waitlist_positions_follow_arrival(home):
    plan = create_seat_plan(kind=KIND, capacity=1)
    confirmed = _ask(plan, home)
    line = [_ask(plan, home) for _ in range(3)]
    assert [waitlist_position(s) for s in line] == [1, 2, 3]
    assert waitlist_position(confirmed) is None
    release_seat(seat=line[1])
    line[2].refresh_from_db()
    assert waitlist_position(line[2]) == 2


# Expiry


def test_an_unconfirmed_offer_passes_to_the_next_after_48_hours(home, heard, django_capture_on_commit_callbacks):
    plan = create_seat_plan(kind=KIND, capacity=1)
    with time_machine.travel(START, tick=False):
        confirmed = _ask(plan, home)
        first, second = _ask(plan, home), _ask(plan, home)
        with django_capture_on_commit_callbacks(execute=True):
            release_seat(seat=confirmed)
    assert _status(first) == SeatStatus.OFFERED
    assert first.offer_expires_at == START + timedelta(hours=48)
    with time_machine.travel(START + timedelta(hours=47, minutes=59), tick=False):
        assert expire_offers() == 0
    with time_machine.travel(START + timedelta(hours=48), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert expire_offers() == 1
        assert expire_offers() == 0
    assert _status(first) == SeatStatus.EXPIRED
    assert _status(second) == SeatStatus.OFFERED
    assert second.offer_expires_at == START + timedelta(hours=96)
    assert heard == [(first.holder, "offered"), (first.holder, "expired"), (second.holder, "offered")]


def test_the_task_expires_offers_and_a_second_run_changes_nothing(home):
    plan = create_seat_plan(kind=KIND, capacity=1, offer_hours=1)
    with time_machine.travel(START, tick=False):
        offered = _ask(plan, home, offer=True)
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        assert tasks.expire_seat_offers.delay().get() == 1
        assert tasks.expire_seat_offers.delay().get() == 0
    assert _status(offered) == SeatStatus.EXPIRED


def test_a_newcomer_does_not_take_the_seat_of_an_overdue_offer(home):
    plan = create_seat_plan(kind=KIND, capacity=1, offer_hours=1)
    with time_machine.travel(START, tick=False):
        offered = _ask(plan, home, offer=True)
        waiting = _ask(plan, home)
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        newcomer = _ask(plan, home)
    assert [_status(offered), _status(waiting), newcomer.status] == [
        SeatStatus.EXPIRED,
        SeatStatus.OFFERED,
        SeatStatus.WAITLISTED,
    ]


# Changing the plan


def test_more_capacity_offers_seats_to_the_waitlist(home, other):
    plan = create_seat_plan(kind=KIND, capacity=1)
    _ask(plan, home)
    line = [_ask(plan, home), _ask(plan, other)]
    update_seat_plan(plan=plan, capacity=2, quotas={})
    assert [_status(s) for s in line] == [SeatStatus.OFFERED, SeatStatus.WAITLISTED]


def test_a_larger_quota_offers_seats_to_that_institutions_waitlist(two, home, other):
    _ask(two, home)
    waiting = _ask(two, home)
    update_seat_plan(plan=two, capacity=3, quotas={home.pk: 2, other.pk: 1})
    assert _status(waiting) == SeatStatus.OFFERED
    assert dict(two.quotas.values_list("institution", "seats")) == {home.pk: 2, other.pk: 1}


def test_capacity_and_quotas_below_the_seats_taken_are_refused(two, home, other):
    _ask(two, home)
    _ask(two, other)
    _ask(two, other)
    with pytest.raises(ValidationError) as error:
        update_seat_plan(plan=two, capacity=2, quotas={home.pk: 0, other.pk: 1})
    assert error.value.message_dict == {
        "capacity": ["3 seats are taken already; the capacity cannot be lower."],
        "quotas": [
            "More seats are taken already than the new quota allows for: Universidad de Prueba, Università Altra."
        ],
    }
    with pytest.raises(ValidationError) as error:
        update_seat_plan(plan=two, capacity=4, quotas={home.pk: 3, other.pk: 3})
    assert error.value.message_dict == {"quotas": ["The quotas add up to 6 seats, more than the capacity of 4."]}
    two.refresh_from_db()
    assert two.capacity == 3 and dict(two.quotas.values_list("institution", "seats")) == {home.pk: 1}


# Reading


def test_the_summary_counts_per_institution_and_in_all(two, home, other, django_assert_max_num_queries):
    _ask(two, home)
    _ask(two, home)
    _ask(two, other, offer=True)
    third = InstitutionFactory(name="Zeta University")
    _ask(two, third)
    with django_assert_max_num_queries(3):
        summary = seat_summary(two)
    assert (summary.capacity, summary.confirmed, summary.offered, summary.held, summary.waiting) == (3, 2, 1, 3, 1)
    assert summary.remaining == 0
    rows = [(r.institution.name, r.quota, r.confirmed, r.offered, r.waiting, r.remaining) for r in summary.institutions]
    assert rows == [
        ("Universidad de Prueba", 1, 1, 0, 1, 0),
        ("Università Altra", None, 0, 1, 0, None),
        ("Zeta University", None, 1, 0, 0, None),
    ]


# Concurrency (PostgreSQL)


def _race(plan, people, rounds_label):
    """Each person asks from their own thread and connection, all released at once; returns errors."""
    barrier = threading.Barrier(len(people))
    errors = []

    def ask(person):
        try:
            barrier.wait()
            request_seat(plan=plan, holder=person, institution=person.institution)
        except Exception as error:  # noqa: BLE001 - collected and asserted empty
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(person,), name=f"{rounds_label}-{person.pk}") for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(2))
def test_concurrent_requests_never_exceed_capacity_or_quotas(round_):
    assert connection.vendor == "postgresql"
    institutions = [InstitutionFactory() for _ in range(5)]
    plan = create_seat_plan(kind=KIND, capacity=30, quotas={i.pk: 6 for i in institutions})
    people = [officer(institution=institutions[n % 5]) for n in range(60)]
    started = time.monotonic()
    errors = _race(plan, people, f"round{round_}")
    duration = time.monotonic() - started
    print(f"60 concurrent requests in {duration:.2f}s")  # noqa: T201 - the measurement, shown with -s
    assert errors == []
    seats = list(Seat.objects.filter(plan=plan).order_by("created_at", "pk"))
    assert len(seats) == 60
    for institution in institutions:
        mine = [s for s in seats if s.institution_id == institution.pk]
        assert sum(s.status == SeatStatus.CONFIRMED for s in mine) == 6
        waiting = [s for s in mine if s.status == SeatStatus.WAITLISTED]
        assert len(waiting) == 6
        # Arrival order: whoever was turned away later queued later, and the line is numbered so.
        confirmed_last = max(s.confirmed_at for s in mine if s.status == SeatStatus.CONFIRMED)
        assert all(s.queued_at >= confirmed_last for s in waiting)
    line = sorted((s for s in seats if s.status == SeatStatus.WAITLISTED), key=lambda s: (s.queued_at, s.pk))
    assert [waitlist_position(s) for s in line] == list(range(1, 31))
    assert [s.pk for s in line] == sorted(s.pk for s in line)


# Personal data


def test_an_erased_account_gives_its_seat_to_the_next_in_line(home):
    from consortium.services.privacy import erase_account, export_personal_data

    plan = create_seat_plan(kind=KIND, capacity=1)
    held = _ask(plan, home)
    waiting = _ask(plan, home)
    assert export_personal_data(user=held.holder)["seats"]["seats"][0]["status"] == "confirmed"
    erase_account(user=held.holder)
    assert (_status(held), _status(waiting)) == (SeatStatus.CANCELLED, SeatStatus.OFFERED)


def test_a_seat_released_without_refill_is_offered_to_nobody(home):
    plan = create_seat_plan(kind=KIND, capacity=1)
    held, waiting = _ask(plan, home), _ask(plan, home)
    release_seat(seat=held, refill=False)
    held.refresh_from_db()
    waiting.refresh_from_db()
    assert (held.status, waiting.status) == (SeatStatus.CANCELLED, SeatStatus.WAITLISTED)
