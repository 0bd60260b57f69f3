"""The shared company record: verification and flags seen by every partner, local declines,
and company contacts invited by an institution that works with the company."""

import re
from urllib.parse import urlparse

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from consortium import services
from consortium.models import AuditAction, AuditLog, CompanyDecline, CompanyStatus, Invitation, Notification, Role, User
from tests.factories import CompanyFactory, CompanyRelationshipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return CompanyFactory(name="Acme Traineeships", slug="acme")


def status_url(company, action):
    return reverse("consortium:company-status", args=[company.slug, action])


def test_a_verification_is_seen_by_officers_of_another_institution_with_who_and_when(client, people, company):
    client.force_login(people["officer"])
    response = client.post(status_url(company, "verify"))
    assert response.url == reverse("consortium:company-detail", args=[company.slug])
    company.refresh_from_db()
    assert company.status == CompanyStatus.VERIFIED
    assert company.status_changed_by == people["officer"]
    assert company.status_changed_by_institution == people["officer"].institution
    assert company.status_changed_at is not None

    client.force_login(people["other_officer"])
    page = client.get(reverse("consortium:company-detail", args=[company.slug])).content.decode()
    assert f"Verified by {people['officer'].full_name} (Universidad de Prueba)" in page
    assert f'datetime="{company.status_changed_at.isoformat()}"' in page
    assert "Company verified" in page  # the history, from the audit log


def test_verifying_twice_records_it_once(people, company):
    services.verify_company(company=company, by=people["officer"])
    services.verify_company(company=company, by=people["officer"])
    assert AuditLog.objects.filter(action=AuditAction.COMPANY_VERIFIED).count() == 1


def test_a_flag_needs_a_reason_named_on_the_field(client, people, company):
    client.force_login(people["officer"])
    response = client.post(status_url(company, "flag"), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["flag_form"].errors == {"reason": ["This field is required."]}
    company.refresh_from_db()
    assert company.status == CompanyStatus.UNVERIFIED
    assert not AuditLog.objects.filter(action=AuditAction.COMPANY_FLAGGED).exists()


def test_a_flag_tells_the_relationship_owners_at_other_institutions(client, people, company, home, other, make_user):
    own_owner = people["officer"]
    elsewhere = make_user(Role.CAREER_OFFICER, institution=other)
    CompanyRelationshipFactory(institution=home, company=company, owner=own_owner)
    CompanyRelationshipFactory(institution=other, company=company, owner=elsewhere)
    flagger = make_user(Role.CAREER_OFFICER)
    client.force_login(flagger)
    client.post(status_url(company, "flag"), {"reason": "Asks students for a registration fee."})
    company.refresh_from_db()
    assert (company.status, company.status_note) == (CompanyStatus.FLAGGED, "Asks students for a registration fee.")
    notice = Notification.objects.get(kind="company.flagged")
    assert notice.recipient == elsewhere
    assert notice.title == "Acme Traineeships was flagged as suspicious by UP"
    assert "Asks students for a registration fee." in notice.body
    assert notice.url == reverse("consortium:company-detail", args=[company.slug])
    entry = AuditLog.objects.get(action=AuditAction.COMPANY_FLAGGED)
    assert (entry.actor, entry.institution, entry.details) == (flagger, home, {"note": company.status_note})


def test_clearing_a_flag_goes_back_to_not_verified(people, company):
    services.flag_company(company=company, reason="Fake address", by=people["officer"])
    services.clear_company_status(company=company, by=people["other_admin"])
    company.refresh_from_db()
    assert (company.status, company.status_note) == (CompanyStatus.UNVERIFIED, "")
    assert company.status_changed_by == people["other_admin"]


@pytest.mark.parametrize(
    ("who", "detail", "verify"),
    [("officer", 200, 302), ("admin", 200, 302), ("other_officer", 200, 302), ("student", 404, 404)],
)
def test_company_page_and_verification_by_role(client, people, company, who, detail, verify):
    client.force_login(people[who])
    assert client.get(reverse("consortium:company-detail", args=[company.slug])).status_code == detail
    assert client.post(status_url(company, "verify")).status_code == verify


def test_anonymous_visitors_are_sent_to_sign_in(client, company):
    for response in (client.get(company.get_absolute_url()), client.post(status_url(company, "verify"))):
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    company.refresh_from_db()
    assert company.status == CompanyStatus.UNVERIFIED


def test_an_academic_sees_the_record_but_may_not_verify(client, people, company):
    client.force_login(people["academic"])
    page = client.get(company.get_absolute_url())
    assert page.status_code == 200 and not page.context["can_verify"]
    assert client.post(status_url(company, "verify")).status_code == 403


def test_a_decline_is_for_the_officers_own_institution_only(client, people, company, home, other):
    client.force_login(people["officer"])
    client.post(status_url(company, "decline"), {"reason": "Unpaid overtime"})
    decline = CompanyDecline.objects.get()
    assert (decline.institution, decline.reason, decline.declined_by) == (home, "Unpaid overtime", people["officer"])
    # Shared status untouched: the decline is local.
    company.refresh_from_db()
    assert company.status == CompanyStatus.UNVERIFIED

    client.force_login(people["other_officer"])
    page = client.get(company.get_absolute_url())
    assert page.context["decline"] is None
    assert "Company declined by an institution" not in page.content.decode()
    with pytest.raises(PermissionDenied):
        services.decline_company(company=company, institution=home, reason="", by=people["other_officer"])
    with pytest.raises(PermissionDenied):
        services.undecline_company(company=company, institution=home, by=people["other_officer"])

    client.force_login(people["admin"])
    page = client.get(company.get_absolute_url())
    assert page.context["decline"] == decline
    assert "Company declined by an institution" in page.content.decode()
    client.post(status_url(company, "undecline"))
    assert not CompanyDecline.objects.exists()


def test_company_list_shows_the_status_and_filters_by_it(client, people):
    CompanyFactory(name="Good Co", status=CompanyStatus.VERIFIED)
    CompanyFactory(name="Shady Co", status=CompanyStatus.FLAGGED)
    client.force_login(people["officer"])
    page = client.get(reverse("consortium:company-list"), {"status": "flagged"}).content.decode()
    assert "Shady Co" in page and "Good Co" not in page
    assert '<span class="badge text-bg-danger">Flagged as suspicious</span>' in page
    page = client.get(reverse("consortium:company-list")).content.decode()
    assert "Good Co" in page and "Shady Co" in page


def test_company_list_costs_the_same_queries_at_any_size(client, people, django_assert_max_num_queries):
    client.force_login(people["officer"])
    client.get(reverse("consortium:company-list"))
    CompanyFactory.create_batch(30)
    with django_assert_max_num_queries(8):
        client.get(reverse("consortium:company-list"))


# Company contacts


def test_an_officer_invites_a_contact_who_joins_as_the_companys_contact(
    client, people, company, home, mailoutbox, django_capture_on_commit_callbacks
):
    CompanyRelationshipFactory(institution=home, company=company)
    client.force_login(people["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("consortium:company-invite-contact", args=[company.slug]),
            {"email": "hr@acme.example", "full_name": "Hana Recruiter"},
        )
    assert response.url == company.get_absolute_url()
    invitation = Invitation.objects.get()
    assert (invitation.company, invitation.roles, invitation.institution) == (company, ["company_contact"], home)
    assert "You will speak for Acme Traineeships" in mailoutbox[0].body
    link = re.search(r"http\S+/invitations/\S+/", mailoutbox[0].body).group(0)
    client.logout()
    accept = urlparse(link).path
    assert "You will speak for" in client.get(accept).content.decode()
    client.post(
        accept, {"full_name": "Hana Recruiter", "password1": "a-long-pass-2026!", "password2": "a-long-pass-2026!"}
    )
    contact = User.objects.get(email="hr@acme.example")
    assert (contact.company, contact.institution, contact.roles) == (company, None, {Role.COMPANY_CONTACT})
    assert AuditLog.objects.filter(action=AuditAction.COMPANY_CONTACT_INVITED, institution=home).exists()


def test_only_an_institution_working_with_the_company_may_invite_its_contacts(client, people, company, other):
    CompanyRelationshipFactory(institution=other, company=company)
    client.force_login(people["officer"])
    assert not client.get(company.get_absolute_url()).context["can_invite"]
    response = client.post(
        reverse("consortium:company-invite-contact", args=[company.slug]), {"email": "x@acme.example"}
    )
    assert response.status_code == 403
    client.force_login(people["student"])
    response = client.post(
        reverse("consortium:company-invite-contact", args=[company.slug]), {"email": "x@acme.example"}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_an_invitation_stops_working_when_the_relationship_ends(people, company, home):
    relationship = CompanyRelationshipFactory(institution=home, company=company)
    invitation = services.invite_company_contact(
        institution=home, company=company, email="hr@acme.example", full_name="", by=people["officer"]
    )
    relationship.delete()
    with pytest.raises(Exception, match="withdrawn"):
        services.invitation_from_token(services.invitation_token(invitation))
