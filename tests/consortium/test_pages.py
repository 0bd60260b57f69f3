"""Pages every visitor can reach: landing pages, the language switch, the API docs."""

import pytest
from django.urls import reverse

from consortium.models import Role

pytestmark = pytest.mark.django_db

LANDING_PAGES = [
    "home",
    "jobs:index",
    "guides:index",
    "training:index",
    "summerschools:index",
    "matching:index",
    "consortium:institution-list",
]


@pytest.mark.parametrize("name", LANDING_PAGES)
def test_landing_pages_render_with_landmarks(client, name):
    response = client.get(reverse(name))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<main id="main"' in page and 'href="#main"' in page and "<nav" in page


def test_navigation_follows_the_role(client, people, home):
    client.force_login(people["student"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("consortium:company-list") not in page
    assert reverse("consortium:manage", args=[home.slug]) not in page
    client.force_login(people["admin"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("consortium:manage", args=[home.slug]) in page
    assert reverse("consortium:member-list") not in page
    client.force_login(people["consortium_admin"])
    assert reverse("consortium:member-list") in client.get(reverse("home")).content.decode()


def test_language_switch_translates_the_page(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="es">' in page
    assert "Empleos" in page


def test_language_switch_is_remembered_on_the_profile(client, people):
    student = people["student"]
    client.force_login(student)
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    student.refresh_from_db()
    assert student.preferred_language == "de"
    assert '<html lang="de">' in client.get("/").content.decode()


def test_profile_sets_time_zone_and_rejects_unknown_ones(client, people):
    client.force_login(people["student"])
    response = client.post(
        reverse("consortium:profile"), {"full_name": "A", "preferred_language": "fr", "time_zone": "Mars/Olympus"}
    )
    assert "time_zone" in response.context["form"].errors
    client.post(
        reverse("consortium:profile"), {"full_name": "A", "preferred_language": "fr", "time_zone": "Europe/Paris"}
    )
    people["student"].refresh_from_db()
    assert people["student"].time_zone == "Europe/Paris"


def test_api_docs_work_offline(client):
    page = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower() and "https://" not in page.replace("https://github.com", "")
    assert client.get(reverse("api-schema")).status_code == 200


def test_company_network_is_for_signed_in_members(client, make_user):
    assert client.get(reverse("consortium:company-list")).status_code == 302
    client.force_login(make_user(Role.STUDENT))
    assert client.get(reverse("consortium:company-list")).status_code == 200
