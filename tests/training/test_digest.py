"""Training's digest section: weeks whose registration opened this week, for staff."""

import datetime

from django.utils import timezone

from consortium.models import Role
from consortium.services.digests import DigestBatch
from tests.training.factories import TrainingWeekFactory
from training.digest import open_training_weeks
from training.models import WeekStatus


def test_staff_hear_of_weeks_that_opened_this_week_students_do_not(make_user, home):
    officer, student = make_user(Role.CAREER_OFFICER), make_user(Role.STUDENT)
    opened = TrainingWeekFactory(host=home, title="Careers in Spain")
    TrainingWeekFactory(host=home, status=WeekStatus.DRAFT)
    TrainingWeekFactory(host=home, registration_closes_at=timezone.now() - datetime.timedelta(hours=1))
    now = timezone.now()

    found = open_training_weeks(DigestBatch([officer, student], now - datetime.timedelta(days=7), now))

    assert list(found) == [officer.pk]
    [item] = found[officer.pk]
    assert item.title == f"Careers in Spain · {home.short_name}" and item.url == opened.get_absolute_url()
