"""Introductions in the impact figures, counted for the institution of the person who asked."""

import datetime

import pytest
from django.utils import timezone

from consortium.models import Role
from consortium.registry import IMPACT_COUNTERS
from matching.models import Introduction, IntroductionStatus

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_introductions_made_and_accepted(make_user, home, other):
    asker, colleague = make_user(Role.STUDENT), make_user(Role.STUDENT)
    mentor = make_user(Role.ACADEMIC, institution=other)
    expires = timezone.now() + 14 * DAY
    Introduction.objects.create(
        sender=asker,
        recipient=mentor,
        message="Hello",
        expires_at=expires,
        status=IntroductionStatus.ACCEPTED,
        responded_at=timezone.now(),
    )
    Introduction.objects.create(sender=colleague, recipient=mentor, message="Hello", expires_at=expires)
    Introduction.objects.create(sender=mentor, recipient=asker, message="Hello", expires_at=expires)
    start, end = timezone.now() - DAY, timezone.now() + DAY
    made, accepted = IMPACT_COUNTERS["matching.introductions"], IMPACT_COUNTERS["matching.accepted"]
    assert [made.count(start, end, i) for i in (home.pk, other.pk, None)] == [2, 1, 3]
    assert [accepted.count(start, end, i) for i in (home.pk, other.pk, None)] == [1, 0, 1]
