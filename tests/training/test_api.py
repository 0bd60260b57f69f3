"""/api/v1/training-weeks/ and /api/v1/training-registrations/."""

import pytest
from rest_framework.test import APIClient

from consortium import services as core
from training import services

from .factories import ModuleFactory, SessionFactory, TrainingWeekFactory


@pytest.fixture
def key(staff, home):
    def make(*scopes, institution=None, admin=None):
        _api_key, raw = core.create_api_key(
            institution=institution or home, name="SIS", scopes=list(scopes), by=admin or staff["admin"]
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        return client

    return make


def test_weeks_with_their_sessions_for_a_key_with_events_read(key, host, home, django_assert_max_num_queries):
    week = TrainingWeekFactory(host=host, title="Madrid week", quotas={home: 6})
    session = SessionFactory(week=week, title="Opening", module=ModuleFactory(code="CA-01"))
    TrainingWeekFactory(host=host, status="draft")
    for _n in range(4):
        SessionFactory(week=TrainingWeekFactory(host=host))
    client = key("events:read")
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/training-weeks/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 5
    item = next(r for r in results if r["id"] == week.pk)
    assert item["host"] == "uam" and item["country"] == "ES" and item["capacity"] == 30
    assert item["quotas"] == [{"institution": home.slug, "seats": 6}]
    assert item["sessions"] == [{
        "id": session.pk, "day": week.starts_on.isoformat(), "starts_at": "09:30", "ends_at": "11:00",
        "title": "Opening", "room": "Aula 3", "speaker": "Ana Ruiz", "module": "CA-01",
    }]  # fmt: skip
    assert item["url"].endswith(f"/training/{week.slug}/")


def test_a_key_without_the_scope_is_refused(key, host):
    TrainingWeekFactory(host=host)
    response = key("jobs:read").get("/api/v1/training-weeks/")
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"


def test_registrations_of_the_keys_own_institution_only(key, host, staff, home, other):
    week = TrainingWeekFactory(host=host)
    mine = services.register_for_week(week=week, person=staff["officer"])
    theirs = services.register_for_week(week=week, person=staff["other_officer"])
    response = key("training:registrations").get("/api/v1/training-registrations/")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [mine.pk]
    item = response.json()["results"][0]
    assert item == {
        "id": mine.pk, "week": week.slug, "institution": home.slug, "person": staff["officer"].full_name,
        "email": staff["officer"].email, "status": "pending", "seat": None,
        "created_at": item["created_at"], "updated_at": item["updated_at"],
    }  # fmt: skip
    assert key("training:registrations").get(f"/api/v1/training-registrations/{theirs.pk}/").status_code == 404
    assert key("events:read").get("/api/v1/training-registrations/").status_code == 403


def test_the_api_is_read_only(key, host):
    week = TrainingWeekFactory(host=host)
    client = key("events:read")
    assert client.post("/api/v1/training-weeks/", {}, format="json").status_code in (403, 405)
    assert client.delete(f"/api/v1/training-weeks/{week.pk}/").status_code in (403, 405)
