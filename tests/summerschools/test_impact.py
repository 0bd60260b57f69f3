"""Summer schools in the impact figures: applications, acceptances, teams and ventures, counted for
the students' institutions."""

import datetime

import pytest
from django.utils import timezone

from consortium.models import Role
from consortium.registry import IMPACT_COUNTERS
from summerschools.models import ApplicationStatus, Team, Venture
from tests.summerschools.factories import ApplicationFactory, EditionFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def count(name, institution):
    start, end = timezone.now() - DAY, timezone.now() + DAY
    return IMPACT_COUNTERS[name].count(start, end, institution.pk if institution else None)


def test_summer_school_figures_per_institution(make_user, home, other):
    edition = EditionFactory(host=other)
    team = Team.objects.create(edition=edition, number=1)
    accepted = ApplicationFactory(
        edition=edition,
        student=make_user(Role.STUDENT),
        status=ApplicationStatus.CONFIRMED,
        decided_at=timezone.now(),
        team=team,
    )
    ApplicationFactory(edition=edition, student=make_user(Role.STUDENT))
    ApplicationFactory(
        edition=edition,
        student=make_user(Role.STUDENT, institution=other),
        status=ApplicationStatus.REJECTED,
        decided_at=timezone.now(),
    )
    Team.objects.create(edition=edition, number=2)
    venture = Venture.objects.create(name="Loop", founded_year=2026, edition=edition)
    venture.founders.add(accepted.student)
    figures = {
        name: (count(name, home), count(name, other), count(name, None))
        for name in (
            "summerschools.applications",
            "summerschools.acceptances",
            "summerschools.teams",
            "summerschools.ventures",
        )
    }
    assert figures == {
        "summerschools.applications": (2, 1, 3),
        "summerschools.acceptances": (1, 0, 1),
        "summerschools.teams": (1, 0, 2),
        "summerschools.ventures": (1, 0, 1),
    }
