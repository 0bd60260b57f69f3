import pytest
from django.urls import reverse

from consortium.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = ["institution", "user", "liaisonnomination", "company", "companyrelationship", "invitation", "auditlog"]


def test_the_admin_signs_in_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_signed_in_people_without_admin_access_are_refused(client, people):
    client.force_login(people["officer"])
    assert client.get(reverse("admin:login")).status_code == 403


@pytest.mark.parametrize("model", CHANGELISTS)
def test_operators_open_every_changelist(client, people, model):
    operator = UserFactory(roles=[Role.CONSORTIUM_ADMIN], is_staff=True, is_superuser=True)
    client.force_login(operator)
    assert client.get(reverse(f"admin:consortium_{model}_changelist")).status_code == 200


def test_the_audit_log_cannot_be_edited_from_the_admin(client, people):
    from consortium.models import AuditLog

    entry = AuditLog.objects.create(
        actor_repr="a", action="staff.invited", target_type="t", target_id="1", target_repr="x"
    )
    client.force_login(UserFactory(roles=[Role.CONSORTIUM_ADMIN], is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:consortium_auditlog_delete", args=[entry.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AuditLog.objects.filter(pk=entry.pk).exists()
