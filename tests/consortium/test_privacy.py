"""Download my data, and erase my account: across every model that has a privacy provider."""

import json

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from consortium import services
from consortium.models import AuditLog, Channel, LiaisonNomination, Notification, Role, User, WebhookEndpoint
from consortium.registry import PRIVACY_PROVIDERS
from consortium.services.notifications import set_notification_preferences
from tests.factories import PASSWORD, CompanyRelationshipFactory, LiaisonNominationFactory

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def rows_mentioning(*needles: str) -> list[str]:
    """Every row, in every table of every installed app, whose text mentions one of the needles."""
    found = []
    for model in apps.get_models():
        if model._meta.label == "sessions.Session":
            continue  # encoded session data; sessions are ended on erasure and checked separately
        for field in model._meta.get_fields():
            if isinstance(field, TEXT_FIELDS) and field.concrete and not field.many_to_many:
                for needle in needles:
                    if model._default_manager.filter(**{f"{field.name}__icontains": needle}).exists():
                        found.append(f"{model._meta.label}.{field.name} ~ {needle}")
    return found


@pytest.fixture
def busy_officer(people, home, make_user, django_capture_on_commit_callbacks):
    """An officer with a trace in every part of the core: roles, nominations, relationships, mail."""
    officer = make_user(Role.CAREER_OFFICER, full_name="Zelda Quintanilla", email="Zelda.Q@up.example")
    WebhookEndpoint.objects.create(
        institution=home, url="https://hooks.up.example/in", event_types=["liaison.nominated"]
    )
    with django_capture_on_commit_callbacks(execute=False):  # the webhook payloads are stored, not sent
        services.nominate_liaison(institution=home, officer=people["officer"], by=people["admin"])
        services.nominate_liaison(institution=home, officer=officer, by=people["admin"])
        services.set_staff_roles(user=officer, roles=[Role.CAREER_OFFICER, Role.ACADEMIC], by=people["admin"])
        services.nominate_liaison(institution=home, officer=people["officer"], by=people["admin"])
    CompanyRelationshipFactory(institution=home, owner=officer)
    set_notification_preferences(user=officer, choices={})
    return officer


def test_every_part_of_the_core_has_a_provider():
    assert {"account", "notifications", "staff_work"} <= set(PRIVACY_PROVIDERS)


def test_download_my_data(client, busy_officer, people):
    client.force_login(busy_officer)
    response = client.get(reverse("consortium:privacy-export"))
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    data = json.loads(response.content)
    assert set(PRIVACY_PROVIDERS) <= set(data)
    assert data["account"]["email"] == "Zelda.Q@up.example"
    assert data["account"]["roles"] == [Role.ACADEMIC, Role.CAREER_OFFICER]
    assert len(data["staff_work"]["liaison_nominations"]) == 1
    assert "target_repr" not in json.dumps(data["staff_work"]["actions_in_audit_log"])
    assert len(data["staff_work"]["company_relationships_owned"]) == 1
    titles = [n["title"] for n in data["notifications"]["notifications"]]
    assert any("liaison officer" in t for t in titles) and any("roles" in t for t in titles)
    assert people["officer"].email not in json.dumps(data["notifications"])


def test_erasing_an_account_leaves_no_personal_data_anywhere(client, busy_officer, home, people):
    assert rows_mentioning("zelda.q@up.example", "Zelda Quintanilla"), "the fixture left no trace to erase"
    client.post(reverse("account_login"), {"login": busy_officer.email, "password": PASSWORD})
    mentions = rows_mentioning("zelda.q@up.example", "Zelda Quintanilla")
    assert any("Notification.title" in m for m in mentions) and any("WebhookDelivery.payload" in m for m in mentions)
    response = client.post(reverse("consortium:privacy"), {"email": "Zelda.Q@up.example", "password": PASSWORD})
    assert response.status_code == 302, response.context["form"].errors
    assert rows_mentioning("zelda.q@up.example", "Zelda Quintanilla") == []
    tombstone = User.objects.get(pk=busy_officer.pk)
    assert not tombstone.is_active and not tombstone.has_usable_password() and tombstone.roles == frozenset()
    # What others rely on is still there, without the person.
    assert LiaisonNomination.objects.filter(officer=tombstone).count() == 1
    assert home.company_relationships.get().owner == tombstone
    assert not Notification.objects.filter(recipient=tombstone).exists()
    assert AuditLog.objects.filter(action="account.erased", target_id=str(tombstone.pk)).exists()
    assert client.get(reverse("home")).context["user"].is_authenticated is False
    login = client.post(reverse("account_login"), {"login": "zelda.q@up.example", "password": PASSWORD})
    assert login.status_code == 200


def test_erasure_needs_the_address_and_the_password(client, busy_officer):
    client.force_login(busy_officer)
    response = client.post(reverse("consortium:privacy"), {"email": "someone@else.example", "password": "wrong"})
    errors = response.context["form"].errors
    assert errors["email"] == ["This is not the address of your account."]
    assert errors["password"] == ["The password is not correct."]
    assert User.objects.get(pk=busy_officer.pk).is_active


def test_the_liaison_must_hand_over_first(client, people, home):
    LiaisonNominationFactory(institution=home, officer=people["officer"])
    client.force_login(people["officer"])
    response = client.post(reverse("consortium:privacy"), {"email": people["officer"].email, "password": PASSWORD})
    assert "Ask your partner admin to nominate someone else first." in response.content.decode()
    assert User.objects.get(pk=people["officer"].pk).is_active


def test_the_last_partner_admin_must_hand_over_first(client, people):
    client.force_login(people["admin"])
    response = client.post(reverse("consortium:privacy"), {"email": people["admin"].email, "password": PASSWORD})
    assert "needs at least one other active partner admin" in response.content.decode()


def test_a_student_erases_their_account(client, people):
    student = people["student"]
    set_notification_preferences(user=student, choices={})
    client.force_login(student)
    client.post(reverse("consortium:privacy"), {"email": student.email, "password": PASSWORD})
    assert rows_mentioning(student.email) == []


def test_privacy_pages_need_sign_in(client):
    assert client.get(reverse("consortium:privacy-export")).status_code == 302
    assert client.post(reverse("consortium:privacy")).status_code == 302


def test_channel_values_are_exported_as_chosen(client, people):
    from consortium.registry import register_notification_kind

    register_notification_kind("test.kind", "Test", template="x.txt", transactional=False)
    try:
        set_notification_preferences(user=people["student"], choices={"test.kind": {Channel.EMAIL}})
        client.force_login(people["student"])
        data = json.loads(client.get(reverse("consortium:privacy-export")).content)
        [preference] = data["notifications"]["preferences"]
        assert (preference["kind"], preference["email"], preference["in_app"]) == ("test.kind", True, False)
    finally:
        from consortium.registry import NOTIFICATION_KINDS

        del NOTIFICATION_KINDS["test.kind"]
