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
from requests.adapters import HTTPAdapter

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
# How long a claimed delivery is left to the worker that claimed it before another may try.
CLAIM_LEASE = timedelta(minutes=2)


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling up to an hour between attempts."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def resolve(hostname: str, port: int) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(hostname, port)})


def check_webhook_url(url: str) -> list[str]:
    """HTTPS to a public address; plain HTTP and private addresses only where settings allow them.

    Returns the addresses the host resolved to, so that the request goes to exactly those.
    """
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and settings.WEBHOOK_ALLOW_HTTP):
        raise ValidationError({"url": _("Webhook addresses must start with https://.")})
    if not parts.hostname:
        raise ValidationError({"url": _("Enter a complete address, such as https://careers.example.edu/hooks.")})
    try:
        addresses = resolve(parts.hostname, parts.port or 443)
    except socket.gaierror:
        raise ValidationError(
            {"url": _("The host name %(host)s does not resolve.") % {"host": parts.hostname}}
        ) from None
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and any(
        not ipaddress.ip_address(address.split("%")[0]).is_global for address in addresses
    ):
        raise ValidationError({"url": _("Webhooks cannot be sent to private or local network addresses.")})
    return addresses


class PinnedAddressAdapter(HTTPAdapter):
    """Connects to an address checked beforehand while TLS still verifies the host name: a second DNS
    answer (rebinding) cannot send the request into a private network."""

    def __init__(self, hostname: str):
        self.hostname = hostname
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.hostname
            pool_kwargs["assert_hostname"] = self.hostname
        return host_params, pool_kwargs


def _pinned_url(url: str, address: str) -> str:
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl()


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
    endpoints = WebhookEndpoint.objects.filter(
        institution__in=institutions, is_active=True, institution__is_active=True
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=e, event_id=event_id, event_type=event_type, payload=envelope, next_attempt_at=now)
        for e in endpoints
        if event_type in e.event_types
    )
    for delivery in deliveries:
        deliver_webhook.delay_on_commit(delivery.pk)
    return deliveries


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST one delivery; the answer's status, or why there was none. Never raises."""
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(time.time())
    hostname = urlsplit(endpoint.url).hostname
    headers = {
        "Content-Type": "application/json",
        "Host": urlsplit(endpoint.url).netloc,
        "User-Agent": "CareerConsortium-Webhooks/1",
        "X-Consortium-Event": delivery.event_type,
        "X-Consortium-Delivery": str(delivery.event_id),
        SIGNATURE_HEADER: f"t={timestamp},v1={sign(endpoint.secret, timestamp, body)}",
    }
    # The attempt log is a technical record, kept in English whatever language the sender runs in.
    try:
        address = check_webhook_url(endpoint.url)[0]
        with requests.Session() as session:
            session.mount(f"{urlsplit(endpoint.url).scheme}://", PinnedAddressAdapter(hostname))
            # Only the status is needed: the body is never read, so a huge answer costs nothing.
            with session.post(
                _pinned_url(endpoint.url, address),
                data=body,
                headers=headers,
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
                allow_redirects=False,
                stream=True,
            ) as response:
                return response.status_code, ""
    except ValidationError as error:
        return None, " ".join(error.messages)[:300]
    except requests.Timeout:
        return None, f"Timed out after {settings.WEBHOOK_TIMEOUT_SECONDS} s"
    except requests.ConnectionError:
        return None, "Could not connect"
    except Exception as error:  # noqa: BLE001 - every failure must be recorded, whatever raised it
        return None, error.__class__.__name__


def attempt_webhook_delivery(*, delivery_id: int) -> WebhookDelivery | None:
    """Try one delivery that is due, at least once and, short of a crash, at most once.

    The delivery is claimed by a conditional UPDATE that moves its next attempt a lease ahead, the
    POST is made outside any transaction, and its outcome is recorded afterwards. A second call, or
    a call while another worker holds the lease, does nothing; a worker that dies mid-POST leaves
    the delivery to be tried again when the lease runs out.
    """
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
        endpoint__institution__is_active=True,
    ).update(next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint__institution").get(pk=delivery_id)
    started = time.monotonic()
    status_code, error = _post(delivery.endpoint, delivery)
    with transaction.atomic():
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            status_code=status_code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        if attempt.succeeded:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)
        else:
            _record_failure(delivery, delivery.endpoint)
        delivery.save(update_fields=["status", "next_attempt_at"])
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
        endpoint.save(update_fields=["is_active", "disabled_at", "updated_at"])
        # Switched off means no backlog: once it is on again, only new events are sent.
        endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).update(status=WebhookDelivery.Status.GAVE_UP)
        if delivery.status == WebhookDelivery.Status.PENDING:
            delivery.status = WebhookDelivery.Status.GAVE_UP
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
