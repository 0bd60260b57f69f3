from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Invitation


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(invitation_id: int) -> None:
    """E-mail an invitation link once; a second run after success sends nothing."""
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
        language = invitation.invited_by.preferred_language if invitation.invited_by else "en"
        with translation.override(language):
            context = {
                "invitation": invitation,
                "url": settings.SITE_URL + reverse("consortium:invitation-accept", args=[invitation_token(invitation)]),
                "expires_at": timezone.localtime(invitation.expires_at),
            }
            subject = render_to_string("emails/invitation_subject.txt", context).strip()
            message = EmailMultiAlternatives(
                subject=subject,
                body=render_to_string("emails/invitation.txt", context),
                to=[invitation.email],
            )
            message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
        message.send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
