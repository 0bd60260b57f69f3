"""The partner admin area: who may open it, and what each action does."""

import pytest
from django.urls import reverse

from consortium import services
from consortium.models import AuditAction, AuditLog, Invitation, LiaisonNomination, Role
from tests.factories import CompanyFactory, CompanyRelationshipFactory, LiaisonNominationFactory

pytestmark = pytest.mark.django_db

MANAGE_PAGES = ["consortium:manage", "consortium:staff", "consortium:liaison", "consortium:audit"]


@pytest.mark.parametrize("page", MANAGE_PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("consortium_admin", 200),
        ("other_admin", 404),
        ("officer", 404),
        ("academic", 404),
        ("student", 404),
    ],
)
def test_manage_pages_by_role(client, people, home, page, who, status):
    client.force_login(people[who])
    assert client.get(reverse(page, args=[home.slug])).status_code == status


@pytest.mark.parametrize("page", MANAGE_PAGES)
def test_anonymous_is_sent_to_sign_in(client, home, page):
    response = client.get(reverse(page, args=[home.slug]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_manage_index_takes_partner_admin_to_own_institution(client, people, home):
    client.force_login(people["admin"])
    response = client.get(reverse("consortium:manage-index"))
    assert response.url == reverse("consortium:manage", args=[home.slug])


@pytest.mark.parametrize("page", ["consortium:manage", "consortium:staff", "consortium:liaison", "consortium:audit"])
def test_manage_pages_cost_the_same_queries_at_any_size(client, people, home, make_user, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["admin"])
    url = reverse(page, args=[home.slug])

    def queries():
        client.get(url)  # warm the session and the roles cache
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def grow(count):
        for _ in range(count):
            email = f"x{Invitation.objects.count()}@up.example"
            services.invite_staff(
                institution=home, email=email, full_name="", roles=[Role.ACADEMIC], by=people["admin"]
            )
            make_user(Role.CAREER_OFFICER)

    grow(3)
    before = queries()
    grow(10)
    assert queries() == before


def test_invite_staff_sends_link_and_records_audit(
    client, people, home, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("consortium:staff", args=[home.slug]),
            {"email": "new.officer@up.example", "full_name": "Nora New", "roles": [Role.CAREER_OFFICER]},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new.officer@up.example")
    assert invitation.institution == home and invitation.roles == [Role.CAREER_OFFICER]
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.officer@up.example"]
    assert "/invitations/" in message.body and home.name in message.body
    assert AuditLog.objects.filter(action=AuditAction.STAFF_INVITED, institution=home, actor=people["admin"]).exists()


def test_invite_with_existing_address_names_the_field(client, people, home):
    client.force_login(people["admin"])
    response = client.post(
        reverse("consortium:staff", args=[home.slug]),
        {"email": people["officer"].email, "roles": [Role.CAREER_OFFICER]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Someone already has an account with this address."]
    assert not Invitation.objects.exists()


def test_invite_without_role_is_refused(client, people, home):
    client.force_login(people["admin"])
    response = client.post(reverse("consortium:staff", args=[home.slug]), {"email": "x@up.example"})
    assert "roles" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_other_institutions_admin_cannot_invite(client, people, home):
    client.force_login(people["other_admin"])
    response = client.post(
        reverse("consortium:staff", args=[home.slug]), {"email": "x@up.example", "roles": [Role.PARTNER_ADMIN]}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_nominating_a_new_liaison_ends_the_old_one(client, people, home, make_user):
    first = LiaisonNominationFactory(institution=home, officer=people["officer"])
    second_officer = make_user(Role.CAREER_OFFICER, full_name="Second Officer")
    client.force_login(people["admin"])
    response = client.post(reverse("consortium:liaison", args=[home.slug]), {"officer": second_officer.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.ends_at is not None
    current = LiaisonNomination.objects.active().get(institution=home)
    assert current.officer == second_officer and current.nominated_by == people["admin"]
    page = client.get(reverse("consortium:liaison", args=[home.slug])).content.decode()
    assert people["officer"].full_name in page and "Second Officer" in page
    assert AuditLog.objects.filter(action=AuditAction.LIAISON_NOMINATED, institution=home).count() == 1


@pytest.mark.parametrize("who", ["academic", "student", "other_officer"])
def test_only_own_career_officers_can_be_nominated(client, people, home, who):
    client.force_login(people["admin"])
    response = client.post(reverse("consortium:liaison", args=[home.slug]), {"officer": people[who].pk})
    assert response.status_code == 200
    assert response.context["form"].errors["officer"] == [
        f"The liaison officer must be an active career officer of {home.name}."
    ]
    assert not LiaisonNomination.objects.exists()


def test_nominating_the_current_liaison_again_says_so(client, people, home):
    LiaisonNominationFactory(institution=home, officer=people["officer"])
    client.force_login(people["admin"])
    response = client.post(reverse("consortium:liaison", args=[home.slug]), {"officer": people["officer"].pk})
    assert response.context["form"].errors["officer"] == [f"{people['officer']} is already the liaison officer."]
    assert LiaisonNomination.objects.count() == 1


def test_changing_roles(client, people, home):
    client.force_login(people["admin"])
    officer = people["officer"]
    response = client.post(
        reverse("consortium:staff-edit", args=[home.slug, officer.pk]),
        {"roles": [Role.CAREER_OFFICER, Role.ACADEMIC]},
    )
    assert response.status_code == 302
    assert set(officer.role_assignments.values_list("role", flat=True)) == {Role.CAREER_OFFICER, Role.ACADEMIC}
    entry = AuditLog.objects.get(action=AuditAction.ROLES_CHANGED)
    assert entry.details == {"before": [Role.CAREER_OFFICER], "after": [Role.ACADEMIC, Role.CAREER_OFFICER]}


def test_the_liaison_keeps_the_career_officer_role_until_replaced(client, people, home):
    LiaisonNominationFactory(institution=home, officer=people["officer"])
    client.force_login(people["admin"])
    response = client.post(
        reverse("consortium:staff-edit", args=[home.slug, people["officer"].pk]), {"roles": [Role.ACADEMIC]}
    )
    assert "is the liaison officer" in response.context["form"].errors["roles"][0]
    assert set(people["officer"].role_assignments.values_list("role", flat=True)) == {Role.CAREER_OFFICER}


def test_last_partner_admin_cannot_drop_the_role(client, people, home):
    client.force_login(people["admin"])
    response = client.post(
        reverse("consortium:staff-edit", args=[home.slug, people["admin"].pk]), {"roles": [Role.CAREER_OFFICER]}
    )
    assert "needs at least one other active partner admin" in response.context["form"].errors["roles"][0]


def test_roles_of_another_institutions_staff_are_404(client, people, home, other):
    client.force_login(people["admin"])
    url = reverse("consortium:staff-edit", args=[home.slug, people["other_officer"].pk])
    assert client.get(url).status_code == 404
    url = reverse("consortium:staff-edit", args=[other.slug, people["other_officer"].pk])
    assert client.post(url, {"roles": [Role.PARTNER_ADMIN]}).status_code == 404
    assert Role.PARTNER_ADMIN not in people["other_officer"].role_assignments.values_list("role", flat=True)


def test_deactivation_is_audited_and_reversible(client, people, home):
    client.force_login(people["admin"])
    officer = people["officer"]
    client.post(reverse("consortium:staff-deactivate", args=[home.slug, officer.pk]))
    officer.refresh_from_db()
    assert officer.is_active is False
    client.post(reverse("consortium:staff-reactivate", args=[home.slug, officer.pk]))
    officer.refresh_from_db()
    assert officer.is_active is True
    actions = list(AuditLog.objects.filter(institution=home).values_list("action", flat=True))
    assert actions == [AuditAction.USER_REACTIVATED, AuditAction.USER_DEACTIVATED]


def test_deactivate_requires_post(client, people, home):
    client.force_login(people["admin"])
    response = client.get(reverse("consortium:staff-deactivate", args=[home.slug, people["officer"].pk]))
    assert response.status_code == 405


def test_company_relationship_add_edit_remove(client, people, home):
    company = CompanyFactory(name="Acme Iberia")
    client.force_login(people["officer"])
    url = reverse("consortium:relationship-add", args=[home.slug])
    response = client.post(
        url,
        {"company": company.pk, "owner": people["officer"].pk, "since": "2024-01-15", "notes": "Two interns a year"},
    )
    assert response.status_code == 302
    relationship = home.company_relationships.get()
    assert relationship.owner == people["officer"] and str(relationship.since) == "2024-01-15"
    duplicate = client.post(url, {"company": company.pk, "since": "2024-01-15"})
    assert duplicate.context["form"].errors["company"] == [
        f"{home.short_name} already has a relationship with Acme Iberia."
    ]
    client.post(reverse("consortium:relationship-remove", args=[home.slug, relationship.pk]))
    assert not home.company_relationships.exists()
    actions = set(AuditLog.objects.filter(institution=home).values_list("action", flat=True))
    assert actions == {AuditAction.RELATIONSHIP_SAVED, AuditAction.RELATIONSHIP_REMOVED}


def test_relationship_owner_must_be_own_career_officer(client, people, home):
    company = CompanyFactory()
    client.force_login(people["admin"])
    response = client.post(
        reverse("consortium:relationship-add", args=[home.slug]),
        {"company": company.pk, "owner": people["other_officer"].pk, "since": "2024-01-15"},
    )
    assert "owner" in response.context["form"].errors
    assert not home.company_relationships.exists()


@pytest.mark.parametrize(("who", "status"), [("officer", 200), ("admin", 200), ("other_admin", 404), ("student", 404)])
def test_company_relationships_are_private_to_the_institution(client, people, home, who, status):
    CompanyRelationshipFactory(institution=home, notes="Confidential contact notes")
    client.force_login(people[who])
    response = client.get(reverse("consortium:relationships", args=[home.slug]))
    assert response.status_code == status


def test_other_institutions_relationship_is_404(client, people, home, other):
    theirs = CompanyRelationshipFactory(institution=other)
    client.force_login(people["admin"])
    assert client.get(reverse("consortium:relationship-edit", args=[home.slug, theirs.pk])).status_code == 404
    assert client.post(reverse("consortium:relationship-remove", args=[home.slug, theirs.pk])).status_code == 404
    assert other.company_relationships.exists()


@pytest.fixture
def audit_entries(home, other):
    """One audit entry at each institution."""
    return [
        AuditLog.objects.create(
            actor_repr="x",
            action=AuditAction.STAFF_INVITED,
            institution=institution,
            target_type="t",
            target_id=str(n),
            target_repr=target,
        )
        for n, (institution, target) in enumerate([(home, "mine@up.example"), (other, "theirs@ua.example")])
    ]


def test_audit_log_shows_only_own_institution(client, people, audit_entries):
    client.force_login(people["admin"])
    page = client.get(reverse("consortium:audit", args=["up"])).content.decode()
    assert "mine@up.example" in page and "theirs@ua.example" not in page
    assert client.get(reverse("consortium:audit-all")).status_code == 404


def test_consortium_admin_reads_the_whole_audit_log(client, people, audit_entries):
    client.force_login(people["consortium_admin"])
    page = client.get(reverse("consortium:audit-all")).content.decode()
    assert "mine@up.example" in page and "theirs@ua.example" in page


@pytest.mark.parametrize(
    ("who", "status"), [("consortium_admin", 200), ("admin", 404), ("officer", 404), ("student", 404)]
)
def test_member_management_is_for_consortium_admins(client, people, who, status):
    client.force_login(people[who])
    assert client.get(reverse("consortium:member-list")).status_code == status
    assert client.get(reverse("consortium:member-create")).status_code == status


def test_consortium_admin_adds_an_institution(client, people):
    client.force_login(people["consortium_admin"])
    response = client.post(
        reverse("consortium:member-create"),
        {
            "name": "Universidade Nova",
            "short_name": "UN",
            "slug": "nova",
            "country": "PT",
            "city": "Lisboa",
            "website": "https://nova.example",
            "is_active": "on",
            "domains": "nova.example, campus.nova.example",
        },
    )
    assert response.status_code == 302
    entry = AuditLog.objects.get(action=AuditAction.INSTITUTION_CREATED)
    assert entry.details["domains"] == ["campus.nova.example", "nova.example"]


def test_a_domain_belongs_to_one_institution(client, people, other):
    client.force_login(people["consortium_admin"])
    response = client.post(
        reverse("consortium:member-create"),
        {
            "name": "Copycat",
            "short_name": "CC",
            "slug": "copycat",
            "country": "XX",
            "city": "X",
            "domains": "ua.example",
        },
    )
    errors = response.context["form"].errors
    assert "country" in errors
    response = client.post(
        reverse("consortium:member-create"),
        {
            "name": "Copycat",
            "short_name": "CC",
            "slug": "copycat",
            "country": "FR",
            "city": "X",
            "domains": "ua.example",
        },
    )
    assert response.context["form"].errors["domains"] == [f"ua.example already belongs to {other.name}."]
    assert not type(other).objects.filter(slug="copycat").exists()


def test_officer_adds_a_company_to_the_network(client, people):
    client.force_login(people["officer"])
    data = {"name": "Nuevo Startup", "country": "ES", "city": "Madrid", "sector": "J", "size": "micro"}
    assert client.post(reverse("consortium:company-create"), data).status_code == 302
    again = client.post(reverse("consortium:company-create"), data | {"name": "nuevo startup"})
    assert again.context["form"].errors["name"] == ["Nuevo Startup is already in the network."]


@pytest.mark.parametrize(("who", "status"), [("officer", 200), ("student", 404)])
def test_company_creation_is_for_staff(client, people, who, status):
    client.force_login(people[who])
    assert client.get(reverse("consortium:company-create")).status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 200), ("consortium_admin", 200), ("other_admin", 404), ("officer", 404)]
)
def test_api_keys_page_by_role(client, people, home, who, status):
    client.force_login(people[who])
    assert client.get(reverse("consortium:api-keys", args=[home.slug])).status_code == status


def test_creating_an_api_key_shows_the_secret_once(client, people, home):
    from consortium.models import ApiKey

    client.force_login(people["admin"])
    url = reverse("consortium:api-keys", args=[home.slug])
    response = client.post(url, {"name": "Student information system", "scopes": ["companies:write"]})
    assert response.status_code == 302 and response.url == url
    page = client.get(url)
    assert page["Cache-Control"] == "no-store"
    secret = page.context["created"]["secret"]
    assert secret in page.content.decode()
    api_key = ApiKey.objects.get()
    assert api_key.scopes == ["companies:write"] and api_key.created_by == people["admin"]
    assert secret not in client.get(url).content.decode()
    assert AuditLog.objects.filter(action=AuditAction.API_KEY_CREATED, institution=home).exists()


def test_an_unknown_scope_is_refused(client, people, home):
    client.force_login(people["admin"])
    response = client.post(reverse("consortium:api-keys", args=[home.slug]), {"name": "X", "scopes": ["root"]})
    assert "scopes" in response.context["form"].errors
    assert response.context["created"] is None


def test_revoking_another_institutions_key_is_404(client, people, home, other):
    from consortium import services
    from consortium.models import ApiKey

    theirs, _raw = services.create_api_key(institution=other, name="Theirs", scopes=[], by=people["other_admin"])
    client.force_login(people["admin"])
    assert client.post(reverse("consortium:api-key-revoke", args=[home.slug, theirs.pk])).status_code == 404
    assert client.post(reverse("consortium:api-key-revoke", args=[other.slug, theirs.pk])).status_code == 404
    assert ApiKey.objects.get(pk=theirs.pk).is_active
    client.force_login(people["other_admin"])
    client.post(reverse("consortium:api-key-revoke", args=[other.slug, theirs.pk]))
    assert not ApiKey.objects.get(pk=theirs.pk).is_active
    assert AuditLog.objects.filter(action=AuditAction.API_KEY_REVOKED, institution=other).count() == 1


@pytest.mark.parametrize("target", ["consortium_admin_here", "student"])
def test_partner_admin_cannot_touch_people_outside_their_staff(client, people, home, make_user, target):
    person = make_user(Role.CONSORTIUM_ADMIN) if target == "consortium_admin_here" else people["student"]
    client.force_login(people["admin"])
    assert client.get(reverse("consortium:staff-edit", args=[home.slug, person.pk])).status_code == 404
    response = client.post(
        reverse("consortium:staff-edit", args=[home.slug, person.pk]), {"roles": [Role.PARTNER_ADMIN]}
    )
    assert response.status_code == 404
    assert client.post(reverse("consortium:staff-deactivate", args=[home.slug, person.pk])).status_code == 404
    person.refresh_from_db()
    assert person.is_active and Role.PARTNER_ADMIN not in person.role_assignments.values_list("role", flat=True)


def test_consortium_admin_manages_any_institutions_staff(client, people, home):
    client.force_login(people["consortium_admin"])
    client.post(reverse("consortium:staff-deactivate", args=[home.slug, people["academic"].pk]))
    people["academic"].refresh_from_db()
    assert people["academic"].is_active is False


@pytest.mark.parametrize("who", ["officer", "academic", "student"])
def test_only_partner_admins_change_staff(client, people, home, who):
    client.force_login(people[who])
    assert (
        client.post(reverse("consortium:staff-deactivate", args=[home.slug, people["academic"].pk])).status_code == 404
    )
    people["academic"].refresh_from_db()
    assert people["academic"].is_active


def test_the_liaison_cannot_be_deactivated_before_a_successor_is_named(client, people, home):
    LiaisonNominationFactory(institution=home, officer=people["officer"])
    client.force_login(people["admin"])
    response = client.post(reverse("consortium:staff-deactivate", args=[home.slug, people["officer"].pk]), follow=True)
    assert "is the liaison officer. Nominate someone else first." in response.content.decode()
    people["officer"].refresh_from_db()
    assert people["officer"].is_active


def test_the_last_partner_admin_cannot_be_deactivated(client, people, home, make_user):
    second = make_user(Role.PARTNER_ADMIN)
    client.force_login(second)
    client.post(reverse("consortium:staff-deactivate", args=[home.slug, people["admin"].pk]))
    people["admin"].refresh_from_db()
    assert people["admin"].is_active is False
    client.force_login(people["consortium_admin"])
    response = client.post(reverse("consortium:staff-deactivate", args=[home.slug, second.pk]), follow=True)
    assert "needs at least one other active partner admin first" in response.content.decode()
    second.refresh_from_db()
    assert second.is_active


def test_reactivating_an_active_account_says_so(client, people, home):
    client.force_login(people["admin"])
    response = client.post(reverse("consortium:staff-reactivate", args=[home.slug, people["officer"].pk]), follow=True)
    assert "is already active" in response.content.decode()
    assert not AuditLog.objects.filter(action=AuditAction.USER_REACTIVATED).exists()
