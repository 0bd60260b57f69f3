"""/api/v1/guides/: published editions, public, for member universities to embed."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from consortium import services
from consortium.models import Role
from guides.services import country_guides as guides
from tests.factories import InstitutionFactory, UserFactory
from tests.guides.factories import guide_people, publish_edition, section_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_client(db):
    def make(scopes):
        institution = InstitutionFactory(country="IT")
        admin = UserFactory(roles=[Role.PARTNER_ADMIN], institution=institution)
        _key, raw = services.create_api_key(institution=institution, name="Web site", scopes=scopes, by=admin)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        return client

    return make


def test_anyone_lists_the_published_editions_with_their_sections():
    people = guide_people()
    published = timezone.now() - timedelta(days=400)
    edition = publish_edition(
        "FR",
        "fr",
        content={**dict.fromkeys(section_texts(), ""), "labour-market": "Paris *recrute*.", "language": "Le français."},
        when=published,
    )
    guides.mark_section_reviewed(section=edition.sections.get(key="language"), by=people["julien"])
    guides.start_edition(country="FR", language="de", by=people["julien"])  # not published: not listed
    response = APIClient().get("/api/v1/guides/")
    assert response.status_code == 200
    section = edition.sections.get(key="language")
    edition.refresh_from_db()
    assert response.json() == {
        "next": None,
        "results": [
            {
                "id": edition.pk,
                "country": "FR",
                "language": "fr",
                "url": "http://testserver/guides/fr/fr/",
                "revision": 1,
                "revision_published_at": published.isoformat().replace("+00:00", "Z"),
                "last_reviewed_at": section.last_reviewed_at.isoformat().replace("+00:00", "Z"),
                "sections": [
                    {
                        "key": "labour-market",
                        "title": "Labour market overview",
                        "anchor": "#labour-market",
                        "html": "<p>Paris <em>recrute</em>.</p>",
                        "markdown": "Paris *recrute*.",
                        "last_reviewed_at": published.isoformat().replace("+00:00", "Z"),
                        "is_stale": True,
                    },
                    {
                        "key": "language",
                        "title": "Language",
                        "anchor": "#language",
                        "html": "<p>Le français.</p>",
                        "markdown": "Le français.",
                        "last_reviewed_at": section.last_reviewed_at.isoformat().replace("+00:00", "Z"),
                        "is_stale": False,
                    },
                ],
                "updated_at": edition.updated_at.isoformat().replace("+00:00", "Z"),
            }
        ],
    }
    assert APIClient().get(f"/api/v1/guides/{edition.pk}/").json()["country"] == "FR"


def test_editions_are_filtered_by_country_and_language():
    for country, language in [("FR", "fr"), ("FR", "en"), ("DE", "en")]:
        publish_edition(country, language)
    client = APIClient()

    def listed(query):
        return sorted((r["country"], r["language"]) for r in client.get(f"/api/v1/guides/?{query}").json()["results"])

    assert listed("country=fr") == [("FR", "en"), ("FR", "fr")]
    assert listed("language=en") == [("DE", "en"), ("FR", "en")]
    assert listed("country=FR&language=en") == [("FR", "en")]


def test_a_language_that_is_not_iso_639_1_is_a_problem():
    response = APIClient().get("/api/v1/guides/?language=english")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "language"


@pytest.mark.parametrize("country", ["ZZ", "FRA", "france"])
def test_a_country_that_is_not_iso_3166_1_alpha_2_is_a_problem(country):
    publish_edition("FR", "fr")
    response = APIClient().get(f"/api/v1/guides/?country={country}")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["country"]


def test_an_unpublished_edition_is_not_found():
    people = guide_people()
    edition = guides.start_edition(country="FR", language="fr", by=people["julien"])
    assert APIClient().get(f"/api/v1/guides/{edition.pk}/").status_code == 404


def test_api_keys_need_the_guides_read_scope(key_client):
    publish_edition("FR", "fr")
    assert key_client(["guides:read"]).get("/api/v1/guides/").status_code == 200
    response = key_client(["jobs:read"]).get("/api/v1/guides/")
    assert response.status_code == 403 and response.json()["detail"] == (
        "This API key does not have the scope this request needs."
    )


def test_the_api_is_read_only():
    response = APIClient().post("/api/v1/guides/", {}, format="json")
    assert response.status_code == 405 and response.json()["title"] == "Method Not Allowed"


def test_a_page_of_editions_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    for country in ("FR", "DE", "IT", "ES", "GB", "PT"):
        publish_edition(country, "en")
    with django_assert_max_num_queries(2):
        assert len(APIClient().get("/api/v1/guides/").json()["results"]) == 6
