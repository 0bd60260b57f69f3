import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_dependency(client, settings):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok" and body["checks"]["cache"] == "ok"
    expected_broker = "ok" if settings.CELERY_BROKER_URL else "eager (no broker configured)"
    assert body["checks"]["broker"] == expected_broker


def test_healthz_answers_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")
    assert response.json()["status"] == "error"
