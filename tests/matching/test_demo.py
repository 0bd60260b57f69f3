"""The demo seeder: idempotent, and it sets up the walk-through's recommendation."""

import pytest

from consortium.models import Role
from matching.demo import ENTREPRENEUR_EMAIL, seed_demo_matching
from matching.models import CooperationOffer, MatchingProfile, Recommendation, Skill
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_paris_student_is_recommended_the_madrid_entrepreneur(django_capture_on_commit_callbacks):
    uam = InstitutionFactory(slug="uam", short_name="UAM", domains=["uam.es"])
    psb = InstitutionFactory(slug="psb", short_name="PSB", country="FR", domains=["psbedu.paris"])
    student = UserFactory(roles=[Role.STUDENT], institution=psb, email="student@psbedu.paris")
    UserFactory(roles=[Role.ACADEMIC], institution=uam, email="academic@uam.es")
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo_matching()
        seed_demo_matching()
    assert Skill.objects.count() > 13_000
    assert MatchingProfile.objects.count() == 3 and CooperationOffer.objects.count() == 1
    top = Recommendation.objects.shown_to(student)[0]
    assert top.profile.user.email == ENTREPRENEUR_EMAIL
    assert top.profile.user.institution == uam
    assert top.reasons["they_offer"] == ["mentor"] and "fintech" in top.reasons["topics"]
