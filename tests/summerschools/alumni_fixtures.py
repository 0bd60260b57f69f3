"""A past edition with its participants, for the alumni and venture tests."""

import datetime

import pytest
from django.utils import timezone

from .factories import ApplicationFactory, EditionFactory


def past_edition(host, **kwargs):
    """An edition that ended three weeks ago."""
    today = timezone.localdate()
    now = timezone.now()
    defaults = {
        "starts_on": today - datetime.timedelta(days=30),
        "ends_on": today - datetime.timedelta(days=21),
        "call_opens_at": now - datetime.timedelta(days=120),
        "call_closes_at": now - datetime.timedelta(days=60),
        "year": today.year,
    }
    return EditionFactory(host=host, **(defaults | kwargs))


def took_part(edition, student, completed=None):
    return ApplicationFactory(edition=edition, student=student, status="confirmed", completed=completed)


@pytest.fixture(name="past")
def past_fixture(host, home, other, cast):
    """Lisbon Impact Lab, ended, with Sara Student (home) and Theo Other (other) as participants."""
    school = past_edition(host, title="Lisbon Impact Lab", slug="lisbon-lab", organisers=[cast["host_organiser"]])
    school.co_organisers.set([home, other])
    took_part(school, cast["student"])
    took_part(school, cast["other_student"])
    return school
