"""Fixtures the training tests share: a host (Madrid) and the partners whose staff register."""

import pytest

from consortium.models import Role
from tests.factories import InstitutionFactory, UserFactory
from training.models import TrainingPolicy


@pytest.fixture
def host(db):
    return InstitutionFactory(name="Universidad Autónoma de Madrid", short_name="UAM", slug="uam", country="ES")


@pytest.fixture
def organiser(host):
    return UserFactory(roles=[Role.CAREER_OFFICER], institution=host, full_name="Ana Ruiz", email="ana@uam.example")


@pytest.fixture
def staff(make_user, home, other):
    """Career staff at two partners, with their partner admins."""
    return {
        "officer": make_user(Role.CAREER_OFFICER, full_name="Oliver Brown"),
        "colleague": make_user(Role.CAREER_OFFICER),
        "academic": make_user(Role.ACADEMIC),
        "student": make_user(Role.STUDENT),
        "admin": make_user(Role.PARTNER_ADMIN),
        "other_officer": make_user(Role.CAREER_OFFICER, institution=other),
        "other_admin": make_user(Role.PARTNER_ADMIN, institution=other),
        "consortium_admin": make_user(Role.CONSORTIUM_ADMIN, institution=other),
    }


@pytest.fixture
def no_approval():
    """Turn approval off for institutions: their staff's registrations take a seat at once."""

    def turn_off(*institutions):
        for institution in institutions:
            TrainingPolicy.objects.update_or_create(institution=institution, defaults={"approval_required": False})

    return turn_off
