"""The e-mails the core writes: each in its recipient's language, plain text and HTML."""

import datetime
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Delivery, Invitation
from .registry import NOTIFICATION_KINDS


def _message(*, to: str, language: str, zone: datetime.tzinfo, template: str, context: dict, headers=None):
    with translation.override(language), timezone.override(zone):
        message = EmailMultiAlternatives(
            subject=render_to_string(f"emails/{template}_subject.txt", context).strip(),
            body=render_to_string(f"emails/{template}.txt", context),
            to=[to],
            headers=headers or {},
        )
        message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    return message


def invitation_email(invitation: Invitation, token: str) -> EmailMultiAlternatives:
    inviter = invitation.invited_by
    return _message(
        to=invitation.email,
        language=inviter.preferred_language if inviter else settings.LANGUAGE_CODE,
        # The invitee's time zone is unknown: the e-mail says UTC and means it.
        zone=datetime.UTC,
        template="invitation",
        context={
            "invitation": invitation,
            "url": settings.SITE_URL + reverse("consortium:invitation-accept", args=[token]),
            "expires_at": invitation.expires_at,
        },
    )


def notification_email(delivery: Delivery) -> EmailMultiAlternatives:
    """A notification by e-mail; optional kinds carry a one-click unsubscribe (RFC 8058)."""
    from .services.notifications import unsubscribe_token

    notification, recipient = delivery.notification, delivery.recipient
    kind = NOTIFICATION_KINDS[notification.kind]
    context = {
        "notification": notification,
        "recipient": recipient,
        "kind": kind,
        "url": settings.SITE_URL + notification.url if notification.url else "",
        "preferences_url": settings.SITE_URL + reverse("consortium:notification-preferences"),
    }
    headers = {}
    if not kind.transactional:
        unsubscribe = settings.SITE_URL + reverse(
            "consortium:unsubscribe", args=[unsubscribe_token(recipient, kind.name)]
        )
        context["unsubscribe_url"] = unsubscribe
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return _message(
        to=recipient.email,
        language=recipient.preferred_language,
        zone=zoneinfo.ZoneInfo(recipient.time_zone),
        template="notification",
        context=context,
        headers=headers,
    )


def digest_email(digest, *, connection=None) -> EmailMultiAlternatives:
    """A person's weekly digest (consortium.services.digests.Digest), with a one-click unsubscribe."""
    from .services.digests import DIGEST_KIND
    from .services.notifications import unsubscribe_token

    recipient = digest.user
    unsubscribe = settings.SITE_URL + reverse(
        "consortium:unsubscribe", args=[unsubscribe_token(recipient, DIGEST_KIND)]
    )
    message = _message(
        to=recipient.email,
        language=recipient.preferred_language,
        zone=zoneinfo.ZoneInfo(recipient.time_zone),
        template="digest",
        context={
            "digest": digest,
            "recipient": recipient,
            "site_url": settings.SITE_URL,
            "unsubscribe_url": unsubscribe,
            "preferences_url": settings.SITE_URL + reverse("consortium:notification-preferences"),
        },
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.connection = connection
    return message
