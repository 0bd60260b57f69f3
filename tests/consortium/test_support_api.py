"""/api/v1/support-requests/: a signed-in officer's requests over the API (session only)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from consortium import services as core
from consortium.models import LiaisonNomination, Role, SupportMessage, SupportRequest, SupportStatus
from consortium.services import support as desk
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

LIST = reverse("api:support-request-list")


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    if field is not None:
        assert field in [error["field"] for error in response.json()["errors"]], response.json()


def detail(support_request):
    return reverse("api:support-request-detail", args=[support_request.pk])


def messages(support_request):
    return reverse("api:support-request-messages", args=[support_request.pk])


@pytest.fixture
def desk_people(make_user, people, other):
    third = InstitutionFactory(name="Université Tierce", slug="ut", country="FR", city="Lyon")
    liaison = make_user(Role.CAREER_OFFICER, institution=other, full_name="Marco Bianchi")
    LiaisonNomination.objects.create(institution=other, officer=liaison)
    return {
        "requester": people["officer"],
        "colleague": make_user(Role.CAREER_OFFICER),
        "liaison": liaison,
        "third_officer": make_user(Role.CAREER_OFFICER, institution=third),
        "student": people["student"],
        "admin": people["admin"],
    }


def as_user(user):
    client = APIClient()
    client.force_login(user)
    return client


BODY = {
    "target_country": "it",
    "target_institution": "ua",
    "category": "internships",
    "subject": "Internship norms in Milan",
    "question": "What does an internship agreement in Italy need?",
    "field_of_study": "04",
    "degree_level": "master",
    "languages": [{"language": "it", "level": "B1"}, {"language": "en", "level": "C1"}],
    "target_role": "Marketing",
    "timeframe": "Spring 2026",
}


@pytest.fixture
def asked(desk_people):
    response = as_user(desk_people["requester"]).post(LIST, BODY, format="json")
    assert response.status_code == 201, response.content
    return SupportRequest.objects.get(pk=response.json()["id"])


def test_an_officer_opens_a_request_and_it_is_routed_to_the_liaison(desk_people, other, home):
    response = as_user(desk_people["requester"]).post(LIST, BODY, format="json")
    assert response.status_code == 201, response.content
    support_request = SupportRequest.objects.get()
    assert (support_request.requester, support_request.target_institution, support_request.assignee) == (
        desk_people["requester"],
        other,
        desk_people["liaison"],
    )
    body = response.json()
    moments = {name: body.pop(name) for name in ("created_at", "updated_at", "first_response_due_at")}
    assert all(moments.values())
    assert body.pop("messages")[0]["kind"] == SupportMessage.Kind.EVENT
    assert body == {
        "id": support_request.pk,
        "url": f"http://testserver/support/{support_request.pk}/",
        "requesting_institution": "up",
        "requester": desk_people["requester"].full_name,
        "target_country": "IT",
        "target_institution": "ua",
        "in_shared_queue": False,
        "assignee": "Marco Bianchi",
        "category": "internships",
        "subject": "Internship norms in Milan",
        "question": "What does an internship agreement in Italy need?",
        "field_of_study": "04",
        "degree_level": "master",
        "languages": [{"language": "it", "level": "B1"}, {"language": "en", "level": "C1"}],
        "target_role": "Marketing",
        "timeframe": "Spring 2026",
        "status": "open",
        "is_overdue": False,
        "first_response_at": None,
        "claimed_at": None,
        "answered_at": None,
        "resolved_at": None,
        "closed_at": None,
        "rating": None,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": "   "}, "question"),
        ({"target_country": "ZZ"}, "target_country"),
        ({"target_country": "FR"}, "target_institution"),  # Milan is not in France
        ({"target_institution": "nowhere"}, "target_institution"),
        ({"category": "gossip"}, "category"),
        ({"languages": [{"language": "it", "level": "B1"}, {"language": "it", "level": "C2"}]}, "languages"),
        ({"languages": [{"language": "it", "level": "Z9"}]}, "languages.0.level"),
        ({"student_name": "Ana"}, "student_name"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_written(desk_people, change, field):
    response = as_user(desk_people["requester"]).post(LIST, {**BODY, **change}, format="json")
    assert_problem(response, 400, field)
    assert not SupportRequest.objects.exists()


def test_a_body_that_is_not_an_object_is_refused(desk_people):
    assert_problem(as_user(desk_people["requester"]).post(LIST, ["a"], format="json"), 400)
    assert not SupportRequest.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("student", 403), ("third_officer", 201), ("admin", 201)])
def test_who_may_open_requests(desk_people, who, status):
    response = as_user(desk_people[who]).post(LIST, {**BODY, "target_institution": None}, format="json")
    assert response.status_code == status, response.content


def test_anonymous_callers_get_401(asked):
    assert_problem(APIClient().get(LIST), 401)
    assert_problem(APIClient().post(LIST, BODY, format="json"), 401)
    assert SupportRequest.objects.count() == 1


def test_api_keys_are_refused(people, home, asked):
    _key, raw = core.create_api_key(institution=home, name="SIS", scopes=["companies:write"], by=people["admin"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert_problem(client.get(LIST), 403)
    assert_problem(client.get(detail(asked)), 403)
    assert_problem(client.post(LIST, BODY, format="json"), 403)
    assert_problem(client.post(messages(asked), {"body": "Hi"}, format="json"), 403)
    assert SupportRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "listed", "status"),
    [
        ("requester", True, 200),
        ("colleague", True, 200),
        ("liaison", True, 200),
        ("third_officer", False, 404),
    ],
)
def test_the_list_and_the_request_are_scoped_to_both_institutions(desk_people, asked, who, listed, status):
    client = as_user(desk_people[who])
    response = client.get(LIST)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == ([asked.pk] if listed else [])
    assert client.get(detail(asked)).status_code == status


def test_students_are_refused(desk_people, asked):
    client = as_user(desk_people["student"])
    assert_problem(client.get(LIST), 403)
    assert_problem(client.get(detail(asked)), 403)
    assert_problem(client.post(messages(asked), {"body": "Hi"}, format="json"), 403)


def test_the_liaison_answers_and_the_request_is_answered(desk_people, asked):
    response = as_user(desk_people["liaison"]).post(messages(asked), {"body": "You need a tirocinio."}, format="json")
    assert response.status_code == 201, response.content
    message = SupportMessage.objects.get(body="You need a tirocinio.")
    body = response.json()
    assert body.pop("created_at")
    assert body == {"id": message.pk, "kind": "message", "author": "Marco Bianchi", "body": "You need a tirocinio."}
    asked.refresh_from_db()
    assert asked.status == SupportStatus.ANSWERED and asked.first_response_at is not None


def test_internal_notes_are_for_the_target_side_only(desk_people, asked):
    liaison = as_user(desk_people["liaison"])
    assert liaison.post(messages(asked), {"body": "Ask Giulia.", "internal": True}, format="json").status_code == 201
    assert "Ask Giulia." in [m["body"] for m in liaison.get(detail(asked)).json()["messages"]]
    requester = as_user(desk_people["requester"])
    assert "Ask Giulia." not in [m["body"] for m in requester.get(detail(asked)).json()["messages"]]
    assert_problem(requester.post(messages(asked), {"body": "A note", "internal": True}, format="json"), 403)
    assert not SupportMessage.objects.filter(body="A note").exists()


def test_another_institution_cannot_post_to_a_request(desk_people, asked):
    response = as_user(desk_people["third_officer"]).post(messages(asked), {"body": "Hello"}, format="json")
    assert_problem(response, 404)
    assert not SupportMessage.objects.filter(body="Hello").exists()


@pytest.mark.parametrize(
    ("body", "field"), [({"body": "  "}, "body"), ({}, "body"), ({"body": "Hi", "urgent": True}, "urgent")]
)
def test_a_bad_message_is_refused_with_the_field_named(desk_people, asked, body, field):
    before = SupportMessage.objects.count()
    assert_problem(as_user(desk_people["liaison"]).post(messages(asked), body, format="json"), 400, field)
    assert SupportMessage.objects.count() == before


def test_the_list_pages_by_cursor_with_a_fixed_number_of_queries(desk_people, other, django_assert_max_num_queries):
    for number in range(5):
        desk.open_support_request(
            requester=desk_people["requester"],
            target_country="IT",
            target_institution=other,
            category="other",
            subject=f"Question {number}",
            question="Why?",
        )
    client = as_user(desk_people["requester"])
    with django_assert_max_num_queries(8):
        first = client.get(LIST, {"page_size": 3}).json()
    second = client.get(first["next"]).json()
    subjects = [row["subject"] for row in first["results"] + second["results"]]
    assert sorted(subjects) == [f"Question {number}" for number in range(5)]
    assert second["next"] is None


def test_the_list_filters_by_status(desk_people, asked):
    client = as_user(desk_people["requester"])
    assert [row["id"] for row in client.get(LIST, {"status": "open"}).json()["results"]] == [asked.pk]
    assert client.get(LIST, {"status": "resolved"}).json()["results"] == []
    assert_problem(client.get(LIST, {"status": "nonsense"}), 400, "status")


def test_the_schema_documents_the_endpoints(client, desk_people):
    client.force_login(desk_people["requester"])
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    assert {"/api/v1/support-requests/", "/api/v1/support-requests/{id}/messages/"} <= set(schema["paths"])
