"""The demo's training data: the curriculum, an upcoming Madrid week and a past Milan week."""

import pytest
from django.utils import timezone

from consortium.models import Institution
from tests.consortium.test_seed_demo import seed
from training.models import Attendance, Module, Registration, TrainingWeek

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_curriculum_an_upcoming_madrid_week_and_a_past_milan_week(settings):
    settings.DEBUG = True
    seed()
    first = [m.objects.count() for m in (Module, TrainingWeek, Registration, Attendance)]
    seed()
    assert [m.objects.count() for m in (Module, TrainingWeek, Registration, Attendance)] == first
    assert Module.objects.count() == 8
    madrid = TrainingWeek.objects.get(slug="madrid-spring-week")
    assert madrid.host == Institution.objects.get(slug="uam") and madrid.starts_on > timezone.localdate()
    assert madrid.status == "published" and madrid.sessions.count() == 6 and madrid.seat_plan.quotas.count() == 4
    assert sorted(r.status for r in madrid.registrations.all()) == ["approved", "approved", "pending"]
    milan = TrainingWeek.objects.get(slug="milan-autumn-week")
    assert milan.ends_on < timezone.localdate() and milan.host.slug == "unicatt"
    assert Attendance.objects.filter(session__week=milan).count() == 10
