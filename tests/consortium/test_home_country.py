"""A student's home country: given on the profile page (students only), downloaded with their data,
erased with their account. The mobility figures read it (tests/consortium/test_impact.py)."""

import json

import pytest
from django.urls import reverse

from consortium.models import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("consortium:profile")


def profile_form(**changes):
    return {"full_name": "Ana Souza", "preferred_language": "en", "time_zone": "Europe/Madrid", **changes}


def test_a_student_gives_their_home_country(client, people):
    student = people["student"]
    client.force_login(student)
    page = client.get(PROFILE_URL).content.decode()
    assert 'name="home_country"' in page and "anonymous figures of student mobility" in page
    response = client.post(PROFILE_URL, profile_form(home_country="BR"))
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.home_country.code == "BR"
    # And takes it back.
    client.post(PROFILE_URL, profile_form(home_country=""))
    student.refresh_from_db()
    assert student.home_country.code == ""


def test_an_unknown_country_is_refused_next_to_the_field(client, people):
    student = people["student"]
    client.force_login(student)
    response = client.post(PROFILE_URL, profile_form(home_country="XX", full_name="Changed"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "home_country": ["Select a valid choice. XX is not one of the available choices."]
    }
    assert "XX is not one of the available choices." in response.content.decode()
    student.refresh_from_db()
    assert student.full_name != "Changed" and student.home_country.code == ""


@pytest.mark.parametrize("who", ["officer", "academic", "admin"])
def test_staff_are_not_asked_where_they_come_from(client, people, who):
    person = people[who]
    client.force_login(person)
    assert 'name="home_country"' not in client.get(PROFILE_URL).content.decode()
    assert client.post(PROFILE_URL, profile_form(home_country="BR")).status_code == 302
    person.refresh_from_db()
    assert person.home_country.code == ""


def test_the_home_country_is_downloaded_and_erased(client, make_user):
    student = make_user(Role.STUDENT, home_country="UA")
    client.force_login(student)
    data = json.loads(client.get(reverse("consortium:privacy-export")).content)
    assert data["account"]["home_country"] == "UA"
    client.post(reverse("consortium:privacy"), {"email": student.email, "password": PASSWORD})
    student.refresh_from_db()
    assert not student.is_active and student.home_country.code == ""
