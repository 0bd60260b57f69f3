from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from consortium.models import Company, Institution, LiaisonNomination, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db

FIVE = {
    "Universidad Autónoma de Madrid",
    "Università Cattolica del Sacro Cuore",
    "Regent's University London",
    "Paris School of Business",
    "EBC Hochschule",
}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    from jobs.models import Job

    return [m.objects.count() for m in (Institution, User, RoleAssignment, Company, LiaisonNomination, Job)]


def test_seed_creates_the_consortium_and_is_idempotent(settings):
    settings.DEBUG = True
    output = seed()
    first = counts()
    seed()
    assert counts() == first
    assert set(Institution.objects.values_list("name", flat=True)) == FIVE
    assert Company.objects.count() == 12
    from jobs.models import Job

    assert Job.objects.published().count() == 10 and Job.objects.filter(country="IT").count() == 2
    for institution in Institution.objects.all():
        assert LiaisonNomination.objects.active().filter(institution=institution).count() == 1
        for role in (Role.STUDENT, Role.CAREER_OFFICER, Role.PARTNER_ADMIN, Role.ACADEMIC, Role.CONSORTIUM_ADMIN):
            assert User.objects.with_role(role).filter(institution=institution).exists(), (institution, role)
    assert User.objects.with_role(Role.COMPANY_CONTACT).filter(institution=None, company__isnull=False).count() == 5
    for user in User.objects.all():
        assert user.email in output
        assert user.check_password("consortium-demo-2026")


def test_seed_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DJANGO_DEBUG on"):
        seed()
    assert counts() == [0, 0, 0, 0, 0, 0]
