"""Matching in the browser: pages, access, and contact details only after acceptance."""

import pytest
from django.urls import reverse

from consortium.models import Role
from matching import services
from matching.models import CooperationOffer, Intent, Introduction, IntroductionStatus, MatchingProfile, Recommendation

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(mentor):
    return services.save_offer(
        by=mentor, kind="startup", title="Payments for students", summary="A wallet.", sought="Students.",
        seeks=[Intent.PROJECT_STUDENTS], topics=["fintech"],
    )  # fmt: skip


def matching_pages(introduction, mentor, offer) -> list[str]:
    profile = mentor.matching_profile
    return [
        reverse("matching:index"),
        reverse("matching:profile-edit"),
        reverse("matching:profile", args=[profile.pk]),
        reverse("matching:introduce", args=[profile.pk]),
        reverse("matching:report", args=[profile.pk]),
        reverse("matching:introductions"),
        reverse("matching:introduction", args=[introduction.pk]),
        reverse("matching:offers"),
        reverse("matching:offers") + "?mine=1",
        reverse("matching:offer", args=[offer.pk]),
        reverse("matching:offer-create"),
        reverse("matching:skill-suggestions") + "?skill_search=fin",
        reverse("api:matching-recommendation-list"),
        reverse("api:matching-introduction-list"),
        reverse("api:matching-introduction-detail", args=[introduction.pk]),
    ]


def test_contact_details_appear_in_no_page_or_api_response_before_acceptance(client, mentee, mentor, offer):
    services.recompute_recommendations(user=mentee)
    services.recompute_recommendations(user=mentor)
    introduction = services.request_introduction(sender=mentee, profile=mentor.matching_profile, message="Hello")
    for viewer, other in ((mentee, mentor), (mentor, mentee)):
        client.force_login(viewer)
        pages = matching_pages(introduction, mentor, offer)
        if viewer == mentor:
            pages = [
                p
                for p in pages
                if p
                not in (
                    reverse("matching:introduce", args=[mentor.matching_profile.pk]),
                    reverse("matching:report", args=[mentor.matching_profile.pk]),
                )
            ]
            pages += [reverse("matching:profile", args=[mentee.matching_profile.pk])]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert other.email not in response.content.decode(), url
    services.accept_introduction(introduction=introduction, by=mentor)
    for viewer, other in ((mentee, mentor), (mentor, mentee)):
        client.force_login(viewer)
        page = client.get(reverse("matching:introduction", args=[introduction.pk])).content.decode()
        assert other.email in page
        api = client.get(reverse("api:matching-introduction-detail", args=[introduction.pk])).json()
        assert api["contact_email"] == other.email


def test_the_recommendations_page_explains_each_recommendation(client, mentee, mentor):
    services.recompute_recommendations(user=mentee)
    client.force_login(mentee)
    page = client.get(reverse("matching:index")).content.decode()
    assert "Elena Navarro" in page
    assert (
        "You look for a mentor in fintech; Elena offers mentoring, works on fintech, speaks Spanish and is at UP."
        in page
    )


def test_visitors_see_what_matching_is_and_are_asked_to_sign_in(client, mentor):
    page = client.get(reverse("matching:index")).content.decode()
    assert "Sign in to take part" in page and "Elena" not in page
    response = client.get(reverse("matching:profile", args=[mentor.matching_profile.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "role", [Role.STUDENT, Role.CAREER_OFFICER, Role.ACADEMIC, Role.PARTNER_ADMIN, Role.COMPANY_CONTACT]
)
def test_every_role_at_any_institution_sees_a_consortium_wide_profile(client, make_user, other, mentor, role):
    for institution in (None, other):
        client.force_login(make_user(role, institution=institution))
        assert client.get(reverse("matching:profile", args=[mentor.matching_profile.pk])).status_code == 200


def test_an_own_institution_profile_is_404_for_other_institutions(client, make_user, home, other, mentor, profile_of):
    profile_of(mentor, offers=[Intent.MENTOR], visibility="institution")
    url = reverse("matching:profile", args=[mentor.matching_profile.pk])
    client.force_login(make_user(Role.STUDENT, institution=other))
    assert client.get(url).status_code == 404
    assert client.get(reverse("matching:introduce", args=[mentor.matching_profile.pk])).status_code == 404
    client.force_login(make_user(Role.STUDENT, institution=home))
    assert client.get(url).status_code == 200


def test_hidden_and_blocking_profiles_are_404(client, make_user, mentee, mentor, profile_of):
    url = reverse("matching:profile", args=[mentor.matching_profile.pk])
    client.force_login(mentee)
    services.block_user(blocker=mentor, blocked=mentee)
    assert client.get(url).status_code == 404
    services.unblock_user(blocker=mentor, blocked=mentee)
    assert client.get(url).status_code == 200
    MatchingProfile.objects.filter(user=mentor).update(visibility="hidden")
    assert client.get(url).status_code == 404


def test_someone_who_asked_you_can_be_seen_even_with_a_hidden_profile(client, mentee, mentor):
    services.request_introduction(sender=mentee, profile=mentor.matching_profile, message="Hello")
    MatchingProfile.objects.filter(user=mentee).update(visibility="hidden")
    client.force_login(mentor)
    assert client.get(reverse("matching:profile", args=[mentee.matching_profile.pk])).status_code == 200


def test_outsiders_get_404_for_an_introduction(client, make_user, other, mentee, mentor):
    introduction = services.request_introduction(sender=mentee, profile=mentor.matching_profile, message="Hello")
    for person in (make_user(Role.STUDENT, institution=other), make_user(Role.CONSORTIUM_ADMIN)):
        client.force_login(person)
        assert client.get(reverse("matching:introduction", args=[introduction.pk])).status_code == 404
        response = client.post(reverse("matching:introduction-answer", args=[introduction.pk, "accept"]))
        assert response.status_code == 404
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.PENDING


def test_asking_accepting_and_writing_in_the_browser(client, mentee, mentor):
    client.force_login(mentee)
    response = client.post(reverse("matching:introduce", args=[mentor.matching_profile.pk]), {"message": "Hi Elena!"})
    introduction = Introduction.objects.get()
    assert response.status_code == 302 and response["Location"] == introduction.get_absolute_url()
    client.force_login(mentor)
    page = client.get(introduction.get_absolute_url()).content.decode()
    assert "Hi Elena!" in page and "Accept" in page
    client.post(reverse("matching:introduction-answer", args=[introduction.pk, "accept"]))
    client.post(introduction.get_absolute_url(), {"body": "Happy to help."})
    client.force_login(mentee)
    page = client.get(introduction.get_absolute_url()).content.decode()
    assert "Happy to help." in page and mentor.email in page


@pytest.mark.parametrize(
    ("message", "error"),
    [("", "Write a short message."), ("x" * 2001, "The message is too long: at most 2000 characters.")],
)
def test_a_bad_message_is_shown_next_to_the_field(client, mentee, mentor, message, error):
    client.force_login(mentee)
    response = client.post(reverse("matching:introduce", args=[mentor.matching_profile.pk]), {"message": message})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Introduction.objects.exists()


def test_dismissing_in_the_browser_and_with_htmx(client, mentee, mentor):
    services.recompute_recommendations(user=mentee)
    client.force_login(mentee)
    recommendation = Recommendation.objects.get(user=mentee)
    response = client.post(reverse("matching:dismiss", args=[recommendation.pk]), HTTP_HX_REQUEST="true")
    assert "You will not see this recommendation again." in response.content.decode()
    services.recompute_recommendations(user=mentee)
    assert "Elena Navarro" not in client.get(reverse("matching:index")).content.decode()


def test_saving_the_profile_form_with_esco_and_free_skills(client, make_user, django_capture_on_commit_callbacks):
    from matching.models import Skill

    Skill.objects.create(esco_id="abc", label="financial analysis")
    user = make_user(Role.ACADEMIC)
    client.force_login(user)
    form = {
        "headline": "Fintech researcher", "bio": "", "looks_for": ["research_partner"], "topics": "Fintech, AI",
        "skill_search": "financ", "esco_skills": ["abc"], "intros_per_month": "3", "visibility": "consortium",
        "languages_0_language": "es", "languages_0_level": "B2",
    }  # fmt: skip
    found = client.post(reverse("matching:profile-edit"), form | {"find_skills": "1"})
    assert found.status_code == 200 and "financial analysis" in found.content.decode()
    assert not MatchingProfile.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:profile-edit"), form)
    assert response.status_code == 302
    profile = MatchingProfile.objects.get(user=user)
    assert profile.skills == ["esco:abc"] and profile.topics == ["fintech", "ai"]
    assert list(user.languages.values_list("language", "level")) == [("es", "B2")]
    form.update(skills=["esco:abc"], esco_skills=[], skill_search="Kite surfing")
    client.post(reverse("matching:profile-edit"), form)
    profile.refresh_from_db()
    assert profile.skills == ["esco:abc", "kite surfing"]
    page = client.get(reverse("matching:profile", args=[profile.pk])).content.decode()
    assert "financial analysis" in page and "ESCO" in page and "CC BY 4.0" in page


def test_the_profile_form_names_the_missing_fields(client, make_user):
    client.force_login(make_user(Role.ACADEMIC))
    response = client.post(
        reverse("matching:profile-edit"), {"headline": "", "intros_per_month": "3", "visibility": "consortium"}
    )
    page = response.content.decode()
    assert "This field is required." in page
    response = client.post(
        reverse("matching:profile-edit"), {"headline": "Me", "intros_per_month": "3", "visibility": "consortium"}
    )
    assert "Say what you look for or what you offer, so that others can find you." in response.content.decode()


def test_htmx_skill_suggestions(client, make_user):
    from matching.models import Skill

    Skill.objects.create(esco_id="abc", label="financial analysis")
    Skill.objects.create(esco_id="def", label="cook pasta")
    client.force_login(make_user(Role.STUDENT))
    page = client.get(reverse("matching:skill-suggestions"), {"skill_search": "financ"}).content.decode()
    assert 'value="abc"' in page and "cook pasta" not in page


def test_an_offer_with_a_past_expiry_is_refused_next_to_the_field(client, make_user):
    client.force_login(make_user(Role.ACADEMIC))
    response = client.post(
        reverse("matching:offer-create"),
        {
            "kind": "research",
            "title": "T",
            "summary": "S",
            "sought": "X",
            "visibility": "consortium",
            "expires_on": "2020-01-01",
        },
    )
    assert "The expiry date is in the past." in response.content.decode()
    assert not CooperationOffer.objects.exists()


def test_an_offer_is_posted_renewed_and_closed_by_its_owner_only(client, make_user, offer, mentor):
    client.force_login(make_user(Role.STUDENT))
    assert client.post(reverse("matching:offer-action", args=[offer.pk, "close"])).status_code == 404
    assert client.get(reverse("matching:offer-edit", args=[offer.pk])).status_code == 404
    client.force_login(mentor)
    client.post(reverse("matching:offer-action", args=[offer.pk, "close"]))
    offer.refresh_from_db()
    assert offer.closed_at is not None
    client.post(reverse("matching:offer-action", args=[offer.pk, "renew"]))
    offer.refresh_from_db()
    assert offer.is_open


def test_the_recommendations_page_reads_a_fixed_number_of_queries(
    client, make_user, other, mentee, profile_of, django_assert_max_num_queries
):
    for _n in range(12):
        profile_of(make_user(Role.ACADEMIC), offers=[Intent.MENTOR], topics=["fintech"])
    services.recompute_recommendations(user=mentee)
    client.force_login(mentee)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("matching:index"))
    assert page.content.decode().count("Ask for an introduction") == 10


def test_the_introductions_list_reads_a_fixed_number_of_queries(
    client, make_user, mentor, profile_of, django_assert_max_num_queries
):
    MatchingProfile.objects.filter(user=mentor).update(intros_per_month=20)
    for _n in range(8):
        asker = make_user(Role.STUDENT)
        services.request_introduction(sender=asker, profile=mentor.matching_profile, message="Hello")
    client.force_login(mentor)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("matching:introductions"))
    assert page.content.decode().count("Waiting for your answer") == 8
