"""Training-week participation in the impact figures, counted for the participant's institution."""

import datetime

import pytest
from django.utils import timezone

from consortium.models import Role, Seat
from consortium.registry import IMPACT_COUNTERS
from tests.training.factories import TrainingWeekFactory
from training.models import Registration, RegistrationStatus

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_registrations_and_confirmed_participants_per_institution(make_user, home, other):
    week = TrainingWeekFactory(host=other)
    confirmed = make_user(Role.CAREER_OFFICER)
    seat = Seat.objects.create(
        plan=week.seat_plan, holder=confirmed, institution=home, status="confirmed", confirmed_at=timezone.now()
    )
    Registration.objects.create(
        week=week, person=confirmed, institution=home, status=RegistrationStatus.APPROVED, seat=seat
    )
    Registration.objects.create(week=week, person=make_user(Role.CAREER_OFFICER), institution=home)
    Registration.objects.create(week=week, person=make_user(Role.CAREER_OFFICER, institution=other), institution=other)
    start, end = timezone.now() - DAY, timezone.now() + 60 * DAY
    registrations, participants = IMPACT_COUNTERS["training.registrations"], IMPACT_COUNTERS["training.participants"]
    assert [registrations.count(start, end, i) for i in (home.pk, other.pk, None)] == [2, 1, 3]
    assert [participants.count(start, end, i) for i in (home.pk, other.pk, None)] == [1, 0, 1]
    # The week starts after a period that ends today.
    assert participants.count(start, timezone.now(), None) == 0
