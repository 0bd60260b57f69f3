"""Signing up, invitations, two-factor authentication and session limits."""

import datetime
import re
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import formats, timezone, translation

from consortium import services
from consortium.models import AuditAction, AuditLog, Invitation, Role, User

pytestmark = pytest.mark.django_db


def signup(client, email, name="Ana Estudiante"):
    return client.post(
        reverse("account_signup"),
        {"full_name": name, "email": email, "password1": "una-clave-larga-2026", "password2": "una-clave-larga-2026"},
    )


def test_student_signup_on_institution_domain(client, home, mailoutbox):
    response = signup(client, "ana@up.example")
    assert response.status_code == 302
    user = User.objects.get(email="ana@up.example")
    assert user.institution == home and user.full_name == "Ana Estudiante"
    assert user.roles == {Role.STUDENT}
    assert len(mailoutbox) == 1 and "confirm" in mailoutbox[0].body.lower()


def test_student_signup_on_a_subdomain(client, home):
    signup(client, "ana@alumnos.up.example")
    assert User.objects.get(email="ana@alumnos.up.example").institution == home


def test_signup_on_unknown_domain_is_refused_with_a_message(client, home):
    response = signup(client, "someone@gmail.example")
    assert response.status_code == 200
    assert "does not belong to a member institution" in response.content.decode()
    assert not User.objects.exists()


def test_signup_needs_verified_email_before_login(client, home):
    signup(client, "ana@up.example")
    client.logout()
    response = client.post(reverse("account_login"), {"login": "ana@up.example", "password": "una-clave-larga-2026"})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")


def invite(admin, institution, email="new@up.example", roles=(Role.CAREER_OFFICER,)):
    return services.invite_staff(institution=institution, email=email, full_name="", roles=list(roles), by=admin)


def test_accepting_an_invitation_creates_the_staff_account(
    client, people, home, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(people["admin"], home)
    url = re.search(r"http://\S+/invitations/\S+/", mailoutbox[0].body).group(0)
    form = client.get(url)
    assert form.status_code == 200 and "new@up.example" in form.content.decode()
    response = client.post(
        url, {"full_name": "Nuria Nueva", "password1": "staff-password-2026", "password2": "staff-password-2026"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@up.example")
    assert user.institution == home and user.roles == {Role.CAREER_OFFICER}
    assert user.emailaddress_set.get().verified
    assert Invitation.objects.get().accepted_by == user
    assert AuditLog.objects.filter(action=AuditAction.INVITATION_ACCEPTED, actor=user).exists()


def test_an_invitation_works_once(client, people, home):
    invitation = invite(people["admin"], home)
    url = reverse("consortium:invitation-accept", args=[services.invitation_token(invitation)])
    data = {"full_name": "Nuria Nueva", "password1": "staff-password-2026", "password2": "staff-password-2026"}
    client.post(url, data)
    client.logout()
    response = client.post(url, data | {"full_name": "Someone Else"})
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert User.objects.filter(email="new@up.example").count() == 1


def test_an_expired_invitation_says_so(client, people, home):
    invitation = invite(people["admin"], home)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("consortium:invitation-accept", args=[services.invitation_token(invitation)]))
    assert response.status_code == 410
    assert "This invitation expired on" in response.content.decode()


def test_invitations_expire_after_seven_days(people, home):
    invitation = invite(people["admin"], home)
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)


def test_a_tampered_invitation_link_is_refused(client, people, home):
    invitation = invite(people["admin"], home)
    token = services.invitation_token(invitation)
    response = client.get(reverse("consortium:invitation-accept", args=[token[:-2] + "xx"]))
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_a_withdrawn_invitation_says_so(client, people, home):
    invitation = invite(people["admin"], home)
    client.force_login(people["admin"])
    client.post(reverse("consortium:invitation-revoke", args=[home.slug, invitation.pk]))
    client.logout()
    response = client.get(reverse("consortium:invitation-accept", args=[services.invitation_token(invitation)]))
    assert "withdrawn" in response.content.decode()


def test_a_second_invitation_withdraws_the_first(people, home):
    first = invite(people["admin"], home)
    invite(people["admin"], home, roles=[Role.ACADEMIC])
    first.refresh_from_db()
    assert first.status() == "revoked"


def test_weak_password_on_invitation_names_the_field(client, people, home):
    invitation = invite(people["admin"], home)
    url = reverse("consortium:invitation-accept", args=[services.invitation_token(invitation)])
    response = client.post(url, {"full_name": "N", "password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(email="new@up.example").exists()


def test_invitation_email_is_sent_once_even_if_the_task_runs_twice(people, home, mailoutbox):
    from consortium.tasks import send_invitation

    invitation = invite(people["admin"], home)
    send_invitation(invitation.pk)
    send_invitation(invitation.pk)
    assert len(mailoutbox) == 1


def totp_code(user) -> str:
    import time

    return format_hotp_value(hotp_value(user.totp_secret, int(time.time()) // 30))


def test_partner_admin_login_asks_for_the_authenticator_code(client, people):
    admin = people["admin"]
    response = client.post(reverse("account_login"), {"login": admin.email, "password": "a-long-test-password-1"})
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("home")).context["user"].is_authenticated is False
    client.post(reverse("mfa_authenticate"), {"code": totp_code(admin)})
    assert client.get(reverse("home")).context["user"] == admin


@pytest.mark.parametrize("role", [Role.PARTNER_ADMIN, Role.CONSORTIUM_ADMIN])
def test_admins_without_an_authenticator_must_set_one_up(client, make_user, role):
    admin = make_user(role, roles__totp=False)
    client.post(reverse("account_login"), {"login": admin.email, "password": "a-long-test-password-1"})
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    assert_can_open_totp_setup(client)


def assert_can_open_totp_setup(client):
    """allauth asks for the password again before a second factor is added."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    client.post(response.url, {"password": "a-long-test-password-1"})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert 'src="data:image/svg+xml' in response.content.decode()


def test_students_are_offered_but_not_forced_into_mfa(client, people):
    client.post(reverse("account_login"), {"login": people["student"].email, "password": "a-long-test-password-1"})
    assert client.get(reverse("home")).status_code == 200
    assert_can_open_totp_setup(client)


def test_admins_cannot_remove_their_authenticator_but_students_can(people, make_user):
    from allauth.mfa.adapter import get_adapter

    student = make_user(Role.STUDENT)
    TOTP.activate(student, generate_totp_secret())
    assert get_adapter().can_delete_authenticator(people["admin"].authenticator_set.get()) is False
    assert get_adapter().can_delete_authenticator(student.authenticator_set.get()) is True


def test_back_office_operators_must_set_up_mfa_too(client, make_user):
    operator = make_user(is_staff=True)
    client.post(reverse("account_login"), {"login": operator.email, "password": "a-long-test-password-1"})
    assert client.get(reverse("admin:index")).url == reverse("mfa_activate_totp")


def test_until_mfa_is_set_up_account_settings_are_closed(client, make_user):
    admin = make_user(Role.PARTNER_ADMIN, roles__totp=False)
    client.post(reverse("account_login"), {"login": admin.email, "password": "a-long-test-password-1"})
    assert client.get(reverse("account_email")).url == reverse("mfa_activate_totp")
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get(reverse("home")).context["user"].is_authenticated is False


def test_failed_logins_are_rate_limited(client, people):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": people["student"].email, "password": "wrong"})
    response = client.post(
        reverse("account_login"), {"login": people["student"].email, "password": "a-long-test-password-1"}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert response.context["user"].is_authenticated is False


def test_password_reset_sends_a_link(client, people, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": people["student"].email})
    assert len(mailoutbox) == 1 and "/accounts/password/reset/key/" in mailoutbox[0].body


def _age_session(client, **ago):
    session = client.session
    for key, delta in ago.items():
        session[key] = session[key] - delta.total_seconds()
    session.save()


def test_staff_session_ends_after_30_idle_minutes(client, people):
    client.force_login(people["officer"])
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, staff_session_last_seen=timedelta(minutes=31))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert client.get(reverse("home")).context["user"].is_authenticated is False


def test_staff_session_ends_after_12_hours_even_when_busy(client, people):
    client.force_login(people["officer"])
    client.get(reverse("home"))
    _age_session(client, staff_session_started=timedelta(hours=12, minutes=1))
    assert client.get(reverse("home")).status_code == 302


def test_staff_session_survives_29_idle_minutes(client, people):
    client.force_login(people["officer"])
    client.get(reverse("home"))
    _age_session(client, staff_session_last_seen=timedelta(minutes=29))
    assert client.get(reverse("home")).status_code == 200


def test_student_sessions_are_not_cut_short(client, people):
    client.force_login(people["student"])
    client.get(reverse("home"))
    assert "staff_session_started" not in client.session


def test_deactivating_a_user_ends_all_their_sessions(client, people, home):
    from django.test import Client

    officer = people["officer"]
    devices = [Client(), Client()]
    for device in devices:
        device.post(reverse("account_login"), {"login": officer.email, "password": "a-long-test-password-1"})
        assert device.get(reverse("home")).context["user"] == officer
    assert UserSession.objects.filter(user=officer).count() == 2
    services.deactivate_user(user=officer, by=people["admin"])
    assert not UserSession.objects.filter(user=officer).exists()
    for device in devices:
        assert device.get(reverse("home")).context["user"].is_authenticated is False
    assert Session.objects.count() == 0


def test_a_user_cannot_deactivate_themselves(people):
    with pytest.raises(ValidationError, match="your own account"):
        services.deactivate_user(user=people["admin"], by=people["admin"])


def test_a_forged_link_for_an_existing_invitation_is_refused(client, people, home):
    from django.core import signing

    invitation = invite(people["admin"], home)
    forged = signing.dumps({"i": invitation.pk, "n": "guessed"}, salt=services.INVITATION_SALT)
    response = client.get(reverse("consortium:invitation-accept", args=[forged]))
    assert response.status_code == 410 and "not valid" in response.content.decode()


def test_invitations_die_with_their_senders_rights(client, people, home, make_user):
    second_admin = make_user(Role.PARTNER_ADMIN)
    invitation = invite(second_admin, home, roles=[Role.PARTNER_ADMIN])
    services.deactivate_user(user=second_admin, by=people["admin"])
    response = client.get(reverse("consortium:invitation-accept", args=[services.invitation_token(invitation)]))
    assert response.status_code == 410 and "withdrawn" in response.content.decode()


def test_invitations_of_an_inactive_institution_cannot_be_used(client, people, home):
    invitation = invite(people["admin"], home)
    home.is_active = False
    home.save()
    response = client.get(reverse("consortium:invitation-accept", args=[services.invitation_token(invitation)]))
    assert response.status_code == 410


def test_inviting_an_address_of_another_institution_reveals_nothing(client, people, home):
    invitation = invite(people["admin"], home, email=people["other_officer"].email)
    assert invitation.pk
    url = reverse("consortium:invitation-accept", args=[services.invitation_token(invitation)])
    response = client.post(
        url, {"full_name": "X", "password1": "staff-password-2026", "password2": "staff-password-2026"}
    )
    assert response.status_code == 410 and "already has an account" in response.content.decode()
    assert User.objects.get(email=people["other_officer"].email).institution != home


def test_the_invitation_email_reads_well(people, home, mailoutbox, settings, django_capture_on_commit_callbacks):
    admin = people["admin"]
    admin.full_name = "Pat O'Brien"
    admin.time_zone = "Asia/Tokyo"
    admin.save()
    home.short_name = "Regent's"
    home.name = "Regent's University London"
    home.save()
    with timezone.override("Asia/Tokyo"), django_capture_on_commit_callbacks(execute=True):
        invitation = invite(admin, home)
    message = mailoutbox[0]
    assert message.subject == "You are invited to join Regent's on the Career Consortium platform"
    assert "Pat O'Brien invited you to join Regent's University London" in message.body
    with translation.override("en"):
        expires = formats.date_format(invitation.expires_at.astimezone(datetime.UTC), "DATETIME_FORMAT")
    assert f"expires on {expires} (UTC)" in message.body
    assert "Pat O&#x27;Brien" in message.alternatives[0][0]
