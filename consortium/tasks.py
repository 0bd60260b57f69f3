"""Background work of the core. Tasks take ids, re-read their rows, and are safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from . import mail
from .models import Channel, Delivery, Invitation, WebhookDelivery

EMAIL_RETRY = {
    "acks_late": True,
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
    "soft_time_limit": 50,
    "time_limit": 60,
}
# A pending e-mail older than this has lost its queue message (a broker restart); it is queued again.
STALE_DELIVERY_AGE = timedelta(minutes=15)


@shared_task(**EMAIL_RETRY)
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
        mail.invitation_email(invitation, invitation_token(invitation)).send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])


@shared_task(bind=True, **EMAIL_RETRY)
def deliver_email(self, delivery_id: int) -> None:
    from .services.notifications import send_email_delivery

    send_email_delivery(delivery_id=delivery_id, last_try=self.request.retries >= self.max_retries)


@shared_task(acks_late=True, time_limit=120)
def requeue_stale_deliveries() -> int:
    """Queue again the e-mails whose task message was lost; deliver_email ignores any already sent."""
    stale = (
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, channel=Channel.EMAIL, created_at__lt=timezone.now() - STALE_DELIVERY_AGE
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in stale:
        deliver_email.delay(pk)
    return len(stale)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def deliver_webhook(delivery_id: int) -> None:
    from .services.webhooks import attempt_webhook_delivery

    attempt_webhook_delivery(delivery_id=delivery_id)


@shared_task(acks_late=True, time_limit=120)
def dispatch_due_webhooks() -> int:
    """Queue the webhook retries that are due; the schedule lives in the rows, not in the broker."""
    due = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, endpoint__is_active=True, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)[:1000]
    for pk in due:
        deliver_webhook.delay(pk)
    return len(due)


# Support desk


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def check_support_deadlines() -> dict[str, int]:
    """Reminders at two thirds of the time to a first response, escalation at the breach; each once."""
    from .services.support_sla import check_support_deadlines as check

    return check()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def close_stale_support_requests() -> int:
    from .services.support import close_stale_support_requests as close

    return close()


# Seats and surveys


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def expire_seat_offers() -> int:
    """Offered seats past their deadline pass to the next in line; running it twice expires nothing more."""
    from .services.seats import expire_offers

    return expire_offers()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def remind_survey_participants() -> int:
    from .services.surveys import remind_survey_participants as remind

    return remind()


# Weekly digest


@shared_task(acks_late=True, time_limit=300)
def send_weekly_digests(period: str | None = None) -> int:
    """Queue one chunk task per range of people for the week's digest, when it is due.

    Runs hourly: the first run on the due day queues the week; the later ones that day queue it again,
    which sends only what a lost chunk left pending (each person's digest goes out once)."""
    from .services.digests import due_period, plan_digest_chunks

    period = period or due_period(timezone.now())
    if period is None:
        return 0
    chunks = plan_digest_chunks()
    for first_pk, last_pk in chunks:
        send_digest_chunk.delay(period, first_pk, last_pk)
    return len(chunks)


@shared_task(acks_late=True, soft_time_limit=840, time_limit=900)
def send_digest_chunk(period: str, first_pk: int, last_pk: int) -> dict[str, int]:
    from .services.digests import send_digest_chunk as send

    return send(period=period, first_pk=first_pk, last_pk=last_pk)
