"""Fixtures the summer-school tests share: a host (Madrid), its organisers, and students at two partners."""

import pytest

from consortium.models import Role
from tests.factories import InstitutionFactory, UserFactory

from .factories import EditionFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def host(db):
    return InstitutionFactory(name="Universidad Autónoma de Madrid", short_name="UAM", slug="uam", country="ES")


@pytest.fixture
def cast(make_user, home, other, host):
    """Organisers at the host and at two partners, students at the partners, and outsiders."""
    return {
        "host_organiser": UserFactory(roles=[Role.ACADEMIC], institution=host, full_name="Ana Ruiz"),
        "organiser": make_user(Role.ACADEMIC, full_name="Olga Home"),
        "other_organiser": make_user(Role.CAREER_OFFICER, institution=other, full_name="Otto Other"),
        "colleague": make_user(Role.CAREER_OFFICER),
        "student": make_user(Role.STUDENT, full_name="Sara Student"),
        "classmate": make_user(Role.STUDENT),
        "other_student": make_user(Role.STUDENT, institution=other, full_name="Theo Other"),
        "consortium_admin": make_user(Role.CONSORTIUM_ADMIN, institution=other),
    }


@pytest.fixture
def edition(host, home, other, cast):
    school = EditionFactory(
        host=host,
        title="Madrid Venture Lab",
        slug="madrid-lab",
        capacity=10,
        quotas={home: 2, other: 2},
        organisers=[cast["host_organiser"], cast["organiser"], cast["other_organiser"]],
    )
    school.co_organisers.set([home, other])
    return school
