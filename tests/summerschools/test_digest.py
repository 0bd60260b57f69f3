"""Summer schools' digest section: calls that opened this week, for students."""

import datetime

from django.utils import timezone

from consortium.models import Role
from consortium.services.digests import DigestBatch
from summerschools.digest import open_calls
from summerschools.models import EditionStatus
from tests.summerschools.factories import EditionFactory


def test_students_hear_of_calls_that_opened_this_week(make_user, home):
    officer, student = make_user(Role.CAREER_OFFICER), make_user(Role.STUDENT)
    edition = EditionFactory(host=home, title="Circular ventures")
    EditionFactory(host=home, status=EditionStatus.DRAFT)
    now = timezone.now()

    found = open_calls(DigestBatch([officer, student], now - datetime.timedelta(days=7), now))

    assert list(found) == [student.pk]
    [item] = found[student.pk]
    assert item.title == "Circular ventures · Madrid" and item.url == edition.get_absolute_url()
