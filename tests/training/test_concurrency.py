"""Seats hold under concurrency: 500 people from 5 institutions register at once for a week of 30
seats with a quota of 6 each (approval off). Each thread has its own database connection."""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from consortium.models import Role, Seat
from consortium.tasks import deliver_email
from tests.factories import InstitutionFactory, UserFactory
from training import services
from training.models import Registration, TrainingPolicy

from .factories import TrainingWeekFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# The proof is 20 rounds: TRAINING_SEAT_ROUNDS=20 (each registration takes its turn under the
# plan's lock, so 10,000 of them take minutes on 2 cores). CI runs 2 rounds to stay within its budget.
ROUNDS = int(os.environ.get("TRAINING_SEAT_ROUNDS", 2))
PEOPLE = 500
THREADS = 25


def _register(week_id: int, person_id: int) -> str | None:
    from consortium.models import User
    from training.models import TrainingWeek

    try:
        week = TrainingWeek.objects.select_related("seat_plan").get(pk=week_id)
        registration = services.register_for_week(week=week, person=User.objects.get(pk=person_id))
        return registration.seat.status
    except Exception as error:  # noqa: BLE001 - any error fails the test below
        return f"error: {error!r}"
    finally:
        connections.close_all()


def test_500_concurrent_registrations_keep_capacity_and_quotas_round_after_round(monkeypatch):
    # E-mails go to the broker, not out of the request: count what is queued instead of sending it
    # in-process, which would make this a benchmark of the e-mail templates.
    queued, lock = [], threading.Lock()

    def enqueue(delivery_id):
        with lock:
            queued.append(delivery_id)

    monkeypatch.setattr(deliver_email, "delay_on_commit", enqueue)
    institutions = [InstitutionFactory(country=c) for c in ("ES", "IT", "GB", "FR", "DE")]
    for institution in institutions:
        TrainingPolicy.objects.create(institution=institution, approval_required=False)
    host = institutions[0]
    people = [
        UserFactory.create_batch(PEOPLE // len(institutions), roles=[Role.CAREER_OFFICER], institution=institution)
        for institution in institutions
    ]
    interleaved = [group[i].pk for i in range(PEOPLE // len(institutions)) for group in people]
    started = time.monotonic()
    for round_number in range(ROUNDS):
        quotas = dict.fromkeys(institutions, 6)
        week = TrainingWeekFactory(host=host, capacity=30, quotas=quotas, slug=f"r{round_number}")
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            results = list(pool.map(lambda pk, w=week.pk: _register(w, pk), interleaved))
        assert [r for r in results if r.startswith("error")] == []
        assert results.count("confirmed") == 30 and results.count("waitlisted") == PEOPLE - 30
        seats = Seat.objects.filter(plan=week.seat_plan)
        for institution in institutions:
            own = list(seats.filter(institution=institution).order_by("pk"))
            # The first six to arrive (seats are numbered under the plan's lock) hold the seats.
            assert [s.status for s in own] == ["confirmed"] * 6 + ["waitlisted"] * (len(own) - 6)
        waiting = list(seats.waiting().values_list("pk", flat=True))
        assert waiting == sorted(waiting)  # the waitlist is in arrival order
        assert Registration.objects.filter(week=week).count() == PEOPLE
    assert len(queued) == ROUNDS * PEOPLE  # everyone told: confirmed or waitlisted
    duration = time.monotonic() - started
    print(f"\n{ROUNDS} rounds of {PEOPLE} concurrent registrations: {duration:.1f} s")
    assert connection.vendor == "postgresql"
