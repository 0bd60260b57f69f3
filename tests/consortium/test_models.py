"""Invariants the database holds, and the reads that scope what each user sees."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from consortium import services
from consortium.models import (
    AuditLog,
    CompanyRelationship,
    InstitutionDomain,
    LiaisonNomination,
    Role,
    RoleAssignment,
    User,
)
from tests.factories import CompanyRelationshipFactory, LiaisonNominationFactory

pytestmark = pytest.mark.django_db


def test_the_database_allows_one_active_liaison_per_institution(home, people):
    LiaisonNominationFactory(institution=home, officer=people["officer"])
    with pytest.raises(IntegrityError), transaction.atomic():
        LiaisonNomination.objects.create(institution=home, officer=people["admin"])


def test_ended_nominations_are_kept_beside_the_active_one(home, people):
    old = LiaisonNominationFactory(institution=home, officer=people["officer"])
    old.ends_at = old.starts_at
    old.save()
    LiaisonNomination.objects.create(institution=home, officer=people["officer"])
    assert LiaisonNomination.objects.filter(institution=home).count() == 2


def test_a_nomination_cannot_end_before_it_starts(home, people):
    nomination = LiaisonNominationFactory(institution=home, officer=people["officer"])
    nomination.ends_at = nomination.starts_at.replace(year=nomination.starts_at.year - 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        nomination.save()


def test_a_role_is_held_once_and_must_be_known(people):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=people["student"], role=Role.STUDENT)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=people["student"], role="emperor")


def test_e_mail_addresses_are_unique_whatever_their_case(people):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(people["student"].email.upper(), "x")


def test_a_domain_belongs_to_one_institution(home, other):
    with pytest.raises(IntegrityError), transaction.atomic():
        InstitutionDomain.objects.create(institution=other, domain="up.example")


def test_one_relationship_per_institution_and_company(home):
    rel = CompanyRelationshipFactory(institution=home)
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyRelationship.objects.create(institution=home, company=rel.company)


def test_institution_for_email_matches_parent_domains_and_skips_inactive(home, other):
    assert services.institution_for_email("a@up.example") == home
    assert services.institution_for_email("a@alumnos.up.example") == home
    assert services.institution_for_email("a@notup.example") is None
    assert services.institution_for_email("a@example") is None
    other.is_active = False
    other.save()
    assert services.institution_for_email("a@ua.example") is None


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("admin", {"home"}),
        ("officer", {"home"}),
        ("other_officer", {"other"}),
        ("student", set()),
        ("consortium_admin", {"home", "other"}),
    ],
)
def test_company_relationships_visible_to_each_role(people, home, other, who, sees):
    mine, theirs = CompanyRelationshipFactory(institution=home), CompanyRelationshipFactory(institution=other)
    expected = {"home": mine, "other": theirs}
    assert set(CompanyRelationship.objects.visible_to(people[who])) == {expected[n] for n in sees}


def test_partner_admin_looks_up_only_own_people(people, home):
    visible = set(User.objects.visible_to(people["admin"]))
    assert people["officer"] in visible and people["student"] in visible
    assert people["other_officer"] not in visible
    assert set(User.objects.visible_to(people["officer"])) == {people["officer"]}


def test_liaison_history_is_private_but_current_liaisons_are_known(people, home, other):
    ended = LiaisonNominationFactory(institution=other, officer=people["other_officer"])
    ended.ends_at = ended.starts_at
    ended.save()
    current = LiaisonNomination.objects.create(institution=other, officer=people["other_admin"])
    assert set(LiaisonNomination.objects.visible_to(people["officer"])) == {current}
    assert set(LiaisonNomination.objects.visible_to(people["consortium_admin"])) == {ended, current}


def test_audit_log_visibility(people, home, other):
    mine = AuditLog.objects.create(
        actor_repr="a", action="staff.invited", institution=home, target_type="t", target_id="1", target_repr="x"
    )
    AuditLog.objects.create(
        actor_repr="a", action="staff.invited", institution=other, target_type="t", target_id="2", target_repr="y"
    )
    assert list(AuditLog.objects.visible_to(people["admin"])) == [mine]
    assert list(AuditLog.objects.visible_to(people["officer"])) == []
    assert AuditLog.objects.visible_to(people["consortium_admin"]).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_nominations_leave_exactly_one_active(home, make_user):
    admin = make_user(Role.PARTNER_ADMIN)
    officers = [make_user(Role.CAREER_OFFICER) for _ in range(6)]
    barrier = threading.Barrier(len(officers))
    errors = []

    def nominate(officer):
        barrier.wait()
        try:
            services.nominate_liaison(institution=home, officer=officer, by=admin)
        except Exception as error:  # noqa: BLE001 - any failure is reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=nominate, args=(o,)) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert LiaisonNomination.objects.filter(institution=home).count() == 6
    assert LiaisonNomination.objects.active().filter(institution=home).count() == 1
