import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Invitation


@shared_task(
    acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=50, time_limit=60
)
def send_invitation(invitation_id: int) -> None:
    """E-mail an invitation link once; a second run after success sends nothing.

    The row stays locked while the message goes out and is marked sent in the same transaction:
    a worker killed mid-send leaves it unsent for the redelivered task, so nothing is lost and
    at most that one message can go out twice. The time limit bounds how long the lock is held.
    """
    from .services import invitation_token

    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("institution", "invited_by")
            .filter(pk=invitation_id, sent_at__isnull=True)
            .first()
        )
        if invitation is None or invitation.status() != "pending":
            return
        build_invitation_email(invitation, invitation_token(invitation)).send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])


def build_invitation_email(invitation: Invitation, token: str) -> EmailMultiAlternatives:
    language = invitation.invited_by.preferred_language if invitation.invited_by else settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(datetime.UTC):
        context = {
            "invitation": invitation,
            "url": settings.SITE_URL + reverse("consortium:invitation-accept", args=[token]),
            "expires_at": timezone.localtime(invitation.expires_at),
        }
        message = EmailMultiAlternatives(
            subject=render_to_string("emails/invitation_subject.txt", context).strip(),
            body=render_to_string("emails/invitation.txt", context),
            to=[invitation.email],
        )
        message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    return message
