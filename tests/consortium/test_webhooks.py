"""Webhooks delivered to real HTTP servers on 127.0.0.1: one that answers, one that fails, one that hangs."""

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from consortium import services
from consortium.models import AuditAction, AuditLog, Notification, Role, WebhookDelivery, WebhookEndpoint
from consortium.services.webhooks import MAX_CONSECUTIVE_FAILURES, attempt_webhook_delivery, emit_event
from consortium.tasks import dispatch_due_webhooks

pytestmark = pytest.mark.django_db


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The recipe the API documentation gives to receivers, word for word."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp, signature = int(fields["t"]), fields["v1"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature) and abs(time.time() - timestamp) <= tolerance


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), body))
        if self.server.behaviour == "hang":
            time.sleep(3)
        self.send_response(500 if self.server.behaviour == "fail" else 204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.received, server.behaviour = [], "ok"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_port}/hooks"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(receiver, people, home):
    return services.webhooks.save_webhook_endpoint(
        endpoint=WebhookEndpoint(institution=home, url=receiver.url, event_types=["liaison.nominated"]),
        by=people["admin"],
    )


def emit(django_capture_on_commit_callbacks, institutions, data=None):
    with django_capture_on_commit_callbacks(execute=True):
        return emit_event("liaison.nominated", institutions=institutions, data=data or {"institution": "up"})


def test_events_arrive_signed_and_verifiable(receiver, endpoint, home, django_capture_on_commit_callbacks):
    [delivery] = emit(
        django_capture_on_commit_callbacks, [home], {"institution": "up", "officer": {"full_name": "Ana"}}
    )
    headers, body = receiver.received[0]
    assert verify(endpoint.secret, headers["X-Consortium-Signature"], body)
    assert not verify("another-secret", headers["X-Consortium-Signature"], body)
    assert not verify(endpoint.secret, headers["X-Consortium-Signature"], body + b" ")
    payload = json.loads(body)
    assert payload["type"] == "liaison.nominated" and payload["data"]["officer"]["full_name"] == "Ana"
    assert headers["X-Consortium-Delivery"] == payload["id"] == str(delivery.event_id)
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempt_log.get().status_code == 204


def test_a_failing_receiver_is_retried_with_growing_pauses(
    receiver, endpoint, home, django_capture_on_commit_callbacks
):
    receiver.behaviour = "fail"
    [delivery] = emit(django_capture_on_commit_callbacks, [home])
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 1
    first_pause = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=25) < first_pause <= timedelta(seconds=30)
    assert attempt_webhook_delivery(delivery_id=delivery.pk) is None  # not due yet: nothing is sent
    assert len(receiver.received) == 1
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    receiver.behaviour = "ok"
    assert dispatch_due_webhooks() == 1
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 2
    assert [a.status_code for a in delivery.attempt_log.order_by("attempted_at")] == [500, 204]
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_a_hanging_receiver_times_out_and_is_logged(receiver, endpoint, home, django_capture_on_commit_callbacks):
    receiver.behaviour = "hang"
    started = time.monotonic()
    [delivery] = emit(django_capture_on_commit_callbacks, [home])
    assert time.monotonic() - started < 2.5
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None and attempt.error == "Timed out after 1 s"
    delivery.refresh_from_db()
    assert delivery.status == "pending"


def test_retries_stop_after_24_hours(receiver, endpoint, home, django_capture_on_commit_callbacks):
    receiver.behaviour = "fail"
    [delivery] = emit(django_capture_on_commit_callbacks, [home])
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - timedelta(hours=23, minutes=59, seconds=50), next_attempt_at=timezone.now()
    )
    attempt_webhook_delivery(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "gave_up"


def test_twenty_failures_in_a_row_switch_the_endpoint_off_and_tell_the_admins(
    receiver, endpoint, home, people, django_capture_on_commit_callbacks
):
    receiver.behaviour = "fail"
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=MAX_CONSECUTIVE_FAILURES - 1)
    emit(django_capture_on_commit_callbacks, [home])
    endpoint.refresh_from_db()
    assert endpoint.is_active is False and endpoint.disabled_at is not None
    notice = Notification.objects.get(recipient=people["admin"], kind="webhook.endpoint_disabled")
    assert endpoint.url in notice.title
    assert AuditLog.objects.filter(action=AuditAction.WEBHOOK_DISABLED, institution=home).exists()
    assert emit(django_capture_on_commit_callbacks, [home]) == []


def test_events_go_only_to_subscribed_endpoints_of_the_named_institutions(
    receiver, endpoint, home, other, people, django_capture_on_commit_callbacks
):
    services.webhooks.save_webhook_endpoint(
        endpoint=WebhookEndpoint(institution=other, url=receiver.url, event_types=["liaison.nominated"]),
        by=people["other_admin"],
    )
    assert len(emit(django_capture_on_commit_callbacks, [home])) == 1
    assert len(receiver.received) == 1


def test_nominating_a_liaison_emits_the_event(receiver, endpoint, home, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.nominate_liaison(institution=home, officer=people["officer"], by=people["admin"])
    payload = json.loads(receiver.received[0][1])
    assert payload["data"]["officer"]["email"] == people["officer"].email


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/hook", "must start with https://"),
        ("https://127.0.0.1/hook", "private or local network"),
        ("https://10.1.2.3/hook", "private or local network"),
    ],
)
def test_unsafe_addresses_are_refused(client, people, home, settings, url, message):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(people["admin"])
    response = client.post(
        reverse("consortium:webhooks", args=[home.slug]), {"url": url, "event_types": ["liaison.nominated"]}
    )
    assert message in str(response.context["form"].errors["url"])
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 200), ("consortium_admin", 200), ("other_admin", 404), ("officer", 404)]
)
def test_webhook_pages_by_role(client, people, home, endpoint, who, status):
    client.force_login(people[who])
    assert client.get(reverse("consortium:webhooks", args=[home.slug])).status_code == status
    assert client.get(reverse("consortium:webhook-detail", args=[home.slug, endpoint.pk])).status_code == status


def test_another_institutions_endpoint_is_404(client, people, home, other, endpoint):
    client.force_login(people["other_admin"])
    assert (
        client.post(reverse("consortium:webhook-action", args=[other.slug, endpoint.pk, "delete"])).status_code == 404
    )
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_admin_area_shows_attempts_and_switches_endpoints_back_on(
    client, people, home, receiver, endpoint, django_capture_on_commit_callbacks
):
    receiver.behaviour = "fail"
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=MAX_CONSECUTIVE_FAILURES - 1)
    emit(django_capture_on_commit_callbacks, [home])
    client.force_login(people["admin"])
    page = client.get(reverse("consortium:webhook-detail", args=[home.slug, endpoint.pk])).content.decode()
    assert "HTTP 500" in page and "Switched off" in page
    client.post(reverse("consortium:webhook-action", args=[home.slug, endpoint.pk, "enable"]))
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == 0
    old_secret = endpoint.secret
    client.post(reverse("consortium:webhook-action", args=[home.slug, endpoint.pk, "rotate"]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    changes = AuditLog.objects.filter(institution=home, action__startswith="webhook.").count()
    assert changes == 4  # created, disabled, enabled, secret rotated


def test_partner_admin_adds_an_endpoint_in_the_browser(client, people, home, receiver):
    client.force_login(people["admin"])
    response = client.post(
        reverse("consortium:webhooks", args=[home.slug]), {"url": receiver.url, "event_types": ["liaison.nominated"]}
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.url == reverse("consortium:webhook-detail", args=[home.slug, endpoint.pk])
    assert endpoint.created_by == people["admin"] and len(endpoint.secret) >= 40
    assert Role.PARTNER_ADMIN in people["admin"].roles


def test_the_api_documentation_gives_the_same_recipe(client):
    import inspect

    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    recipe = inspect.getsource(verify).split('"""')[-1].strip()
    for line in recipe.splitlines():
        assert line.strip() in schema["info"]["description"], line


def test_the_request_goes_to_the_address_that_was_checked(
    receiver, people, home, monkeypatch, django_capture_on_commit_callbacks
):
    """A host only our resolver knows: had requests resolved it again, the POST could not connect."""
    from consortium.services import webhooks as module

    real_resolve = module.resolve
    monkeypatch.setattr(
        module, "resolve", lambda host, port: ["127.0.0.1"] if host == "hooks.test" else real_resolve(host, port)
    )
    endpoint = services.webhooks.save_webhook_endpoint(
        endpoint=WebhookEndpoint(
            institution=home, url=f"http://hooks.test:{receiver.server_port}/in", event_types=["liaison.nominated"]
        ),
        by=people["admin"],
    )
    [delivery] = emit(django_capture_on_commit_callbacks, [home])
    headers, body = receiver.received[0]
    assert headers["Host"] == f"hooks.test:{receiver.server_port}"
    assert verify(endpoint.secret, headers["X-Consortium-Signature"], body)


def test_an_unexpected_error_while_sending_is_recorded_and_retried(
    receiver, endpoint, home, monkeypatch, django_capture_on_commit_callbacks
):
    from consortium.services import webhooks as module

    def explode(*args, **kwargs):
        raise RuntimeError("something odd")

    monkeypatch.setattr(module.PinnedAddressAdapter, "send", explode)
    [delivery] = emit(django_capture_on_commit_callbacks, [home])
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.status == "pending"
    assert delivery.attempt_log.get().error == "RuntimeError"
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=20)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1


def test_switching_an_endpoint_off_drops_its_backlog(receiver, endpoint, home, django_capture_on_commit_callbacks):
    receiver.behaviour = "fail"
    [older] = emit(django_capture_on_commit_callbacks, [home])
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=MAX_CONSECUTIVE_FAILURES - 1)
    emit(django_capture_on_commit_callbacks, [home])
    older.refresh_from_db()
    assert older.status == "gave_up"
    assert not WebhookDelivery.objects.filter(status="pending").exists()


def test_inactive_institutions_receive_no_events(receiver, endpoint, home, django_capture_on_commit_callbacks):
    home.is_active = False
    home.save()
    assert emit(django_capture_on_commit_callbacks, [home]) == []
    assert receiver.received == []
