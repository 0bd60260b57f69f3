"""/api/v1/resources/: scoped by audience, filtered like the library, read-only."""

import pytest
from rest_framework.test import APIClient

from consortium import services as core
from tests.guides.factories import ResourceFactory, pdf_upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/resources/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def key(people, home):
    def make(*scopes):
        _api_key, raw = core.create_api_key(institution=home, name="Portal", scopes=list(scopes), by=people["admin"])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        return client

    return make


@pytest.fixture
def library(home, other):
    return {
        "students": ResourceFactory(owner=home, audience="students", title="For students", countries=["ES"]),
        "both": ResourceFactory(owner=other, audience="both", title="For everyone", language="it", tags=["cv"]),
        "staff": ResourceFactory(owner=other, audience="staff", title="Staff only"),
    }


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def test_a_key_with_the_scope_reads_what_students_may(key, library):
    assert titles(key("resources:read").get(URL)) == {"For students", "For everyone"}
    assert key("resources:read").get(f"{URL}{library['staff'].pk}/").status_code == 404


def test_a_key_without_the_scope_is_refused(key, library):
    response = key("jobs:read").get(URL)
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"


def test_the_anonymous_are_refused(library):
    assert APIClient().get(URL).status_code in (401, 403)


@pytest.mark.parametrize(
    ("who", "expected"),
    [("student", {"For students", "For everyone"}), ("officer", {"For students", "For everyone", "Staff only"})],
)
def test_people_read_what_the_library_shows_them(people, library, who, expected):
    client = APIClient()
    client.force_authenticate(people[who])
    assert titles(client.get(URL)) == expected


def test_filters(key, library):
    client = key("resources:read")
    assert titles(client.get(URL, {"country": "ES"})) == {"For students"}
    assert titles(client.get(URL, {"language": "it"})) == {"For everyone"}
    assert titles(client.get(URL, {"tag": "cv"})) == {"For everyone"}
    assert titles(client.get(URL, {"q": "everyone"})) == {"For everyone"}
    # A key never reaches staff-only resources, and has no audience filter to try.
    assert titles(client.get(URL, {"audience": "staff"})) == {"For students", "For everyone"}


def test_a_bad_filter_value_is_a_problem_naming_the_field(key, library):
    response = key("resources:read").get(URL, {"language": "english"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "language"


def test_a_resource_in_full(key, home):
    resource = ResourceFactory(
        owner=home,
        title="Cover letters",
        description="**Short** and specific.",
        file=pdf_upload("letters.pdf"),
        countries=["FR", "ES"],
        tags=["Cover letter"],
    )
    response = key("resources:read").get(f"{URL}{resource.pk}/")
    data = response.json()
    assert data == {
        "id": resource.pk,
        "title": "Cover letters",
        "description": "**Short** and specific.",
        "description_html": "<p><strong>Short</strong> and specific.</p>",
        "kind": "application_guide",
        "language": "en",
        "audience": "students",
        "countries": ["ES", "FR"],
        "tags": ["cover letter"],
        "owner": home.slug,
        "link": None,
        "file": {
            "name": "letters.pdf",
            "kind": "pdf",
            "size": resource.file_size,
            "download_url": f"http://testserver/guides/resources/{resource.pk}/download/",
        },
        "page_url": f"http://testserver/guides/resources/{resource.pk}/",
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
    }


def test_the_api_is_read_only(key, people, home):
    client = APIClient()
    client.force_authenticate(people["officer"])
    response = client.post(URL, {"title": "x"}, format="json")
    assert response.status_code == 405


def test_a_list_costs_the_same_queries_whatever_its_length(key, home, django_assert_max_num_queries):
    client = key("resources:read")
    for _n in range(25):
        ResourceFactory(owner=home)
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"page_size": 20})
    assert len(response.json()["results"]) == 20
