"""Webhooks: endpoints managed by partner admins, events emitted by the apps, signed deliveries.

Signature: header X-Consortium-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">,
keyed with the endpoint's secret. Failed deliveries are retried with exponential backoff for 24
hours; an endpoint that fails 20 times in a row is disabled and its partner admins are told.
"""

import hashlib
import hmac
import ipaddress
import json
import socket
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..models import (
    AuditAction,
    Role,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    new_webhook_secret,
)
from ..permissions import require
from ..registry import WEBHOOK_EVENTS
from .audit import record_audit
from .notifications import notify

SIGNATURE_HEADER = "X-Consortium-Signature"
MAX_CONSECUTIVE_FAILURES = 20
RETRY_WINDOW = timedelta(hours=24)


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling up to an hour between attempts."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def check_webhook_url(url: str) -> None:
    """HTTPS to a public address; plain HTTP and private addresses only where settings allow them."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and settings.WEBHOOK_ALLOW_HTTP):
        raise ValidationError({"url": _("Webhook addresses must start with https://.")})
    if not parts.hostname:
        raise ValidationError({"url": _("Enter a complete address, such as https://careers.example.edu/hooks.")})
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except socket.gaierror:
        raise ValidationError(
            {"url": _("The host name %(host)s does not resolve.") % {"host": parts.hostname}}
        ) from None
    if any(not ipaddress.ip_address(address.split("%")[0]).is_global for address in addresses):
        raise ValidationError({"url": _("Webhooks cannot be sent to private or local network addresses.")})


@transaction.atomic
def save_webhook_endpoint(*, endpoint: WebhookEndpoint, by: User) -> WebhookEndpoint:
    require(permissions.can_manage_webhooks(by, endpoint.institution))
    check_webhook_url(endpoint.url)
    endpoint.event_types = sorted(set(endpoint.event_types))
    if not endpoint.event_types:
        raise ValidationError({"event_types": _("Choose at least one event.")})
    if unknown := [e for e in endpoint.event_types if e not in WEBHOOK_EVENTS]:
        raise ValidationError({"event_types": _("Unknown event: %(event)s.") % {"event": ", ".join(unknown)}})
    created = endpoint.pk is None
    if created:
        endpoint.created_by = by
    endpoint.save()
    record_audit(
        actor=by,
        action=AuditAction.WEBHOOK_CREATED if created else AuditAction.WEBHOOK_UPDATED,
        target=endpoint,
        institution=endpoint.institution,
        details={"url": endpoint.url, "events": endpoint.event_types},
    )
    return endpoint


@transaction.atomic
def delete_webhook_endpoint(*, endpoint: WebhookEndpoint, by: User) -> None:
    require(permissions.can_manage_webhooks(by, endpoint.institution))
    record_audit(
        actor=by,
        action=AuditAction.WEBHOOK_DELETED,
        target=endpoint,
        institution=endpoint.institution,
        details={"url": endpoint.url},
    )
    endpoint.delete()


@transaction.atomic
def enable_webhook_endpoint(*, endpoint: WebhookEndpoint, by: User) -> WebhookEndpoint:
    """Switch an endpoint back on after failures; its failure count starts again from zero."""
    require(permissions.can_manage_webhooks(by, endpoint.institution))
    endpoint.is_active, endpoint.consecutive_failures, endpoint.disabled_at = True, 0, None
    endpoint.save(update_fields=["is_active", "consecutive_failures", "disabled_at", "updated_at"])
    record_audit(
        actor=by,
        action=AuditAction.WEBHOOK_UPDATED,
        target=endpoint,
        institution=endpoint.institution,
        details={"enabled": True},
    )
    return endpoint


@transaction.atomic
def rotate_webhook_secret(*, endpoint: WebhookEndpoint, by: User) -> WebhookEndpoint:
    require(permissions.can_manage_webhooks(by, endpoint.institution))
    endpoint.secret = new_webhook_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    record_audit(
        actor=by,
        action=AuditAction.WEBHOOK_UPDATED,
        target=endpoint,
        institution=endpoint.institution,
        details={"secret": "rotated"},
    )
    return endpoint


def emit_event(event_type: str, *, institutions, data: dict) -> list[WebhookDelivery]:
    """Queue an event for the active endpoints of these institutions that subscribed to it.

    Deliveries go out after the surrounding transaction commits.
    """
    from ..tasks import deliver_webhook

    if event_type not in WEBHOOK_EVENTS:
        raise ValueError(f"Unknown webhook event {event_type!r}: register it first.")
    now = timezone.now()
    event_id = uuid.uuid4()
    envelope = {"id": str(event_id), "type": event_type, "created_at": now.isoformat(), "data": data}
    envelope = json.loads(json.dumps(envelope, cls=DjangoJSONEncoder))
    endpoints = WebhookEndpoint.objects.filter(institution__in=institutions, is_active=True)
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=e, event_id=event_id, event_type=event_type, payload=envelope, next_attempt_at=now)
        for e in endpoints
        if event_type in e.event_types
    )
    for delivery in deliveries:
        deliver_webhook.delay_on_commit(delivery.pk)
    return deliveries


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "CareerConsortium-Webhooks/1",
        "X-Consortium-Event": delivery.event_type,
        "X-Consortium-Delivery": str(delivery.event_id),
        SIGNATURE_HEADER: f"t={timestamp},v1={sign(endpoint.secret, timestamp, body)}",
    }
    try:
        check_webhook_url(endpoint.url)
        response = requests.post(
            endpoint.url, data=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS, allow_redirects=False
        )
    except ValidationError as error:
        return None, " ".join(error.messages)[:300]
    # The attempt log is a technical record, kept in English whatever language the sender runs in.
    except requests.Timeout:
        return None, f"Timed out after {settings.WEBHOOK_TIMEOUT_SECONDS} s"
    except requests.ConnectionError:
        return None, "Could not connect"
    except requests.RequestException as error:
        return None, error.__class__.__name__
    return response.status_code, ""


def attempt_webhook_delivery(*, delivery_id: int) -> WebhookDelivery | None:
    """Try one delivery that is due. Safe to call twice: a delivery already done, not yet due, or
    being attempted by another worker (row locked) is left alone."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("endpoint__institution")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if delivery is None or not delivery.endpoint.is_active:
            return None
        endpoint = delivery.endpoint
        started = time.monotonic()
        status_code, error = _post(endpoint, delivery)
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            status_code=status_code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        delivery.attempts += 1
        if attempt.succeeded:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        else:
            _record_failure(delivery, endpoint)
        delivery.save(update_fields=["attempts", "status", "next_attempt_at"])
        return delivery


def _record_failure(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> None:
    now = timezone.now()
    retry_at = now + backoff(delivery.attempts)
    if retry_at > delivery.created_at + RETRY_WINDOW:
        delivery.status = WebhookDelivery.Status.GAVE_UP
    else:
        delivery.next_attempt_at = retry_at
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    endpoint.refresh_from_db(fields=["consecutive_failures", "is_active"])
    if endpoint.is_active and endpoint.consecutive_failures >= MAX_CONSECUTIVE_FAILURES:
        endpoint.is_active, endpoint.disabled_at = False, now
        endpoint.save(update_fields=["is_active", "disabled_at"])
        record_audit(
            actor=None,
            action=AuditAction.WEBHOOK_DISABLED,
            target=endpoint,
            institution=endpoint.institution,
            details={"consecutive_failures": endpoint.consecutive_failures},
        )
        admins = User.objects.with_role(Role.PARTNER_ADMIN).filter(institution=endpoint.institution, is_active=True)
        notify(
            admins,
            "webhook.endpoint_disabled",
            context={
                "endpoint": endpoint,
                "failures": endpoint.consecutive_failures,
                "url": f"/manage/{endpoint.institution.slug}/webhooks/{endpoint.pk}/",
            },
            dedupe_key=f"webhook-disabled:{endpoint.pk}:{now.isoformat()}",
        )
