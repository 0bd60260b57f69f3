"""The core's privacy providers: what it holds about a person, to export it and to erase it."""

import operator
from functools import reduce

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.db.models import Q

from .models import (
    ApiKey,
    AuditLog,
    CompanyRelationship,
    ConsentRecord,
    Delivery,
    Invitation,
    LiaisonNomination,
    Notification,
    NotificationPreference,
    WebhookEndpoint,
)


def export_account(user) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "institution": user.institution.name if user.institution_id else None,
        "company": user.company.name if user.company_id else None,
        "roles": sorted(user.roles),
        "preferred_language": user.preferred_language,
        "time_zone": user.time_zone,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
        "single_sign_on": list(SocialAccount.objects.filter(user=user).values("provider", "uid", "date_joined")),
        "two_factor_methods": list(Authenticator.objects.filter(user=user).values("type", "created_at")),
        "sessions": list(
            UserSession.objects.filter(user=user).values("ip", "user_agent", "created_at", "last_seen_at")
        ),
    }


def erase_account(user) -> None:
    for session in UserSession.objects.filter(user=user):
        session.end()
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()


def export_notifications(user) -> dict:
    return {
        "notifications": list(
            Notification.objects.filter(recipient=user).values("kind", "title", "body", "url", "created_at", "read_at")
        ),
        "preferences": list(
            NotificationPreference.objects.filter(user=user).values("kind", "in_app", "email", "digest", "updated_at")
        ),
        "consents": list(
            ConsentRecord.objects.filter(user=user).values("kind", "channel", "granted", "source", "created_at")
        ),
        "emails_sent": list(
            Delivery.objects.filter(recipient=user).values("channel", "dedupe_key", "status", "sent_at")
        ),
    }


def erase_notifications(user) -> None:
    Notification.objects.filter(recipient=user).delete()  # deliveries go with them
    NotificationPreference.objects.filter(user=user).delete()
    ConsentRecord.objects.filter(user=user).delete()


def export_staff_work(user) -> dict:
    return {
        "liaison_nominations": list(
            LiaisonNomination.objects.filter(officer=user).values("institution__name", "starts_at", "ends_at")
        ),
        "company_relationships_owned": list(
            CompanyRelationship.objects.filter(owner=user).values("institution__name", "company__name", "since")
        ),
        "invitations_received": list(
            Invitation.objects.filter(email__iexact=user.email).values("institution__name", "created_at", "accepted_at")
        ),
        "api_keys_created": list(ApiKey.objects.filter(created_by=user).values("name", "prefix", "created_at")),
        "webhooks_created": list(WebhookEndpoint.objects.filter(created_by=user).values("url", "created_at")),
        "actions_in_audit_log": list(
            AuditLog.objects.filter(actor=user).values("action", "target_repr", "institution__name", "created_at")
        ),
    }


def erase_staff_work(user) -> None:
    """Keep the history others rely on (nominations, relationships, the audit log) without the person."""
    anonymous = f"former member #{user.pk}"
    Invitation.objects.filter(email__iexact=user.email).update(email=f"erased-{user.pk}@erased.invalid", full_name="")
    AuditLog.objects.filter(actor=user).update(actor_repr=anonymous)
    AuditLog.objects.filter(target_type="consortium.user", target_id=str(user.pk)).update(target_repr=anonymous)
    for entry in AuditLog.objects.filter(details__icontains=user.email.lower()).only("details"):
        entry.details = _scrub(entry.details, {user.email.lower(): anonymous})
        entry.save(update_fields=["details"])
    # Other records name the person in passing: "Zelda Q — UAM" for a nomination, for instance.
    needles = [text for text in (user.email, user.full_name.strip()) if text]
    mentions = AuditLog.objects.filter(reduce(operator.or_, (Q(target_repr__icontains=n) for n in needles)))
    for entry in mentions.only("target_repr"):
        for needle in needles:
            entry.target_repr = entry.target_repr.replace(needle, anonymous)
        entry.save(update_fields=["target_repr"])


def _scrub(value, replacements: dict[str, str]):
    if isinstance(value, dict):
        return {key: _scrub(item, replacements) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, replacements) for item in value]
    if isinstance(value, str) and value.lower() in replacements:
        return replacements[value.lower()]
    return value
