"""/api/v1/summer-schools/ and /api/v1/summer-school-applications/."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from consortium import services as core
from consortium.models import Role

from .factories import ApplicationFactory, EditionFactory

pytestmark = pytest.mark.usefixtures("settle")


@pytest.fixture
def settle(settings):
    settings.SYNC_SETTLE_SECONDS = 0


@pytest.fixture
def key(home, make_user):
    admin = make_user(Role.PARTNER_ADMIN)

    def make(*scopes):
        _api_key, raw = core.create_api_key(institution=home, name="SIS", scopes=list(scopes), by=admin)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        return client

    return make


def test_published_editions_for_a_key_with_events_read(key, edition, host, home, django_assert_max_num_queries):
    EditionFactory(host=host, status="draft")
    for _n in range(3):
        EditionFactory(host=host)
    with django_assert_max_num_queries(14):
        response = key("events:read").get("/api/v1/summer-schools/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 4
    item = next(r for r in results if r["slug"] == "madrid-lab")
    assert item["host"] == "uam" and item["capacity"] == 10 and item["ects"] == "4.0"
    assert item["time_zone"] == "UTC"
    assert sorted(item["co_organisers"]) == sorted([home.slug, "ua"])
    assert item["criteria"] == [{"name": "Motivation", "weight": 2}, {"name": "Team fit", "weight": 1}]
    assert item["url"].endswith("/summer-schools/madrid-lab/")


def test_a_key_without_the_scope_is_refused(key, edition):
    response = key("jobs:read").get("/api/v1/summer-schools/")
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"


def test_applications_of_the_keys_own_institution_only(key, edition, cast):
    mine = ApplicationFactory(edition=edition, student=cast["student"])
    ApplicationFactory(edition=edition, student=cast["other_student"])
    assert key("events:read").get("/api/v1/summer-school-applications/").status_code == 403
    response = key("summerschools:applications").get("/api/v1/summer-school-applications/")
    assert response.status_code == 200
    assert response.json()["results"] == [{
        "id": mine.pk, "edition": "madrid-lab", "institution": mine.institution.slug, "student": "Sara Student",
        "email": cast["student"].email, "field_of_study": "04", "languages": [["en", "C1"]], "status": "submitted",
        "seat": None, "created_at": response.json()["results"][0]["created_at"],
        "updated_at": response.json()["results"][0]["updated_at"],
    }]  # fmt: skip


def test_the_scopes_are_registered_with_their_labels():
    from consortium.registry import API_SCOPES

    assert API_SCOPES["events:read"].label == "Read training weeks and summer schools"
    assert "summerschools:applications" in API_SCOPES


@override_settings(DEBUG=False)
def test_the_schema_builds_without_warnings(capsys):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/summer-schools/" in schema["paths"]
    assert "/api/v1/summer-school-applications/" in schema["paths"]
    captured = capsys.readouterr()
    assert "summerschools" not in captured.err and "Edition" not in captured.err
