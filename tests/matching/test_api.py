"""/api/v1/matching/: one's own recommendations and introductions, for people signed in."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from matching import services
from matching.models import Introduction, IntroductionStatus
from tests.consortium.test_api import assert_problem
from tests.jobs.conftest import key  # noqa: F401 - the shared API-key fixture

pytestmark = pytest.mark.django_db


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_recommendations_are_ones_own_with_the_reason(mentee, mentor):
    services.recompute_recommendations(user=mentee)
    body = signed_in(mentee).get(reverse("api:matching-recommendation-list")).json()
    [item] = body
    assert item["profile"]["person"] == {
        "profile": mentor.matching_profile.pk,
        "name": "Elena Navarro",
        "institution": "UP",
    }
    assert item["reason"].startswith("You look for a mentor in fintech; Elena offers mentoring")
    assert item["offer"] is None and "email" not in str(item)
    [own] = signed_in(mentor).get(reverse("api:matching-recommendation-list")).json()
    assert own["profile"]["person"]["name"] == "Camille Martin"
    assert (
        own["reason"] == "Camille looks for a mentor, which you offer, works on fintech, speaks Spanish and is at UA."
    )


def test_api_keys_and_visitors_are_refused(key, mentee):  # noqa: F811
    assert_problem(key("jobs:read").get(reverse("api:matching-recommendation-list")), 403)
    assert_problem(key("jobs:write").post(reverse("api:matching-introduction-list"), {}, format="json"), 403)
    assert_problem(APIClient().get(reverse("api:matching-recommendation-list")), 401)


def test_create_accept_and_see_the_contact(mentee, mentor):
    response = signed_in(mentee).post(
        reverse("api:matching-introduction-list"),
        {"profile": mentor.matching_profile.pk, "message": "Hello Elena"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["contact_email"] is None
    assert body["recipient"] == {"profile": mentor.matching_profile.pk, "name": "Elena Navarro", "institution": "UP"}
    pk = body["id"]
    assert_problem(signed_in(mentee).post(reverse("api:matching-introduction-accept", args=[pk])), 403)
    accepted = signed_in(mentor).post(reverse("api:matching-introduction-accept", args=[pk])).json()
    assert accepted["status"] == "accepted" and accepted["contact_email"] == mentee.email
    detail = signed_in(mentee).get(reverse("api:matching-introduction-detail", args=[pk])).json()
    assert detail["contact_email"] == mentor.email


def test_decline(mentee, mentor):
    introduction = services.request_introduction(sender=mentee, profile=mentor.matching_profile, message="Hi")
    body = signed_in(mentor).post(reverse("api:matching-introduction-decline", args=[introduction.pk])).json()
    assert body["status"] == "declined" and body["contact_email"] is None
    problem = assert_problem(
        signed_in(mentor).post(reverse("api:matching-introduction-accept", args=[introduction.pk])), 400
    )
    assert problem["errors"] == [{"field": None, "message": "This request is no longer waiting for an answer."}]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"message": ""}, "message", "Write a short message."),
        ({"message": "x" * 2001}, "message", "The message is too long: at most 2000 characters."),
        ({"message": "Hi", "extra": 1}, "extra", "Unknown field."),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(mentee, mentor, payload, field, message):
    payload = {"profile": mentor.matching_profile.pk} | payload
    problem = assert_problem(
        signed_in(mentee).post(reverse("api:matching-introduction-list"), payload, format="json"), 400
    )
    assert {"field": field, "message": message} in problem["errors"]
    assert not Introduction.objects.exists()


def test_to_oneself_or_someone_who_blocked_you_is_refused(mentee, mentor):
    client = signed_in(mentee)
    url = reverse("api:matching-introduction-list")
    problem = assert_problem(
        client.post(url, {"profile": mentee.matching_profile.pk, "message": "Hi"}, format="json"), 400
    )
    assert problem["errors"] == [{"field": "profile", "message": "You cannot ask for an introduction to yourself."}]
    services.block_user(blocker=mentor, blocked=mentee)
    problem = assert_problem(
        client.post(url, {"profile": mentor.matching_profile.pk, "message": "Hi"}, format="json"), 400
    )
    assert problem["errors"] == [
        {"field": "profile", "message": "Elena Navarro does not accept introductions from you."}
    ]


def test_others_introductions_are_404(make_user, mentee, mentor):
    from consortium.models import Role

    introduction = services.request_introduction(sender=mentee, profile=mentor.matching_profile, message="Hi")
    outsider = signed_in(make_user(Role.STUDENT))
    assert_problem(outsider.get(reverse("api:matching-introduction-detail", args=[introduction.pk])), 404)
    assert_problem(outsider.post(reverse("api:matching-introduction-accept", args=[introduction.pk])), 404)
    assert outsider.get(reverse("api:matching-introduction-list")).json()["results"] == []
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.PENDING


def test_lists_read_a_fixed_number_of_queries(make_user, mentor, profile_of, django_assert_max_num_queries):
    from consortium.models import Role
    from matching.models import Intent, MatchingProfile

    MatchingProfile.objects.filter(user=mentor).update(intros_per_month=20)
    for _n in range(6):
        asker = make_user(Role.STUDENT)
        profile_of(asker, looks_for=[Intent.MENTOR], topics=["fintech"])
        services.request_introduction(sender=asker, profile=mentor.matching_profile, message="Hi")
    services.recompute_recommendations(user=mentor)
    client = signed_in(mentor)
    with django_assert_max_num_queries(8):
        assert len(client.get(reverse("api:matching-introduction-list")).json()["results"]) == 6
    with django_assert_max_num_queries(8):
        assert client.get(reverse("api:matching-recommendation-list")).status_code == 200
