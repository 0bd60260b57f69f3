"""The matcher: who is recommended to whom, why, and who never is."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from consortium.models import Role
from matching import services
from matching.models import Dismissal, Intent, MatchingProfile, MatchTag, Recommendation, Visibility
from matching.reasons import describe

pytestmark = pytest.mark.django_db


def shown(user):
    return [r.profile.user if r.profile_id else r.offer for r in Recommendation.objects.shown_to(user)]


def test_a_student_looking_for_a_fintech_mentor_is_recommended_the_entrepreneur_who_offers_it(mentee, mentor):
    services.recompute_recommendations(user=mentee)
    [recommendation] = Recommendation.objects.shown_to(mentee)
    assert recommendation.profile.user == mentor
    assert recommendation.reasons == {
        "you_look_for": ["mentor"],
        "they_offer": ["mentor"],
        "topics": ["fintech"],
        "languages": ["es"],
        "institution": "UP",
    }
    assert describe(recommendation.reasons, "Elena") == (
        "You look for a mentor in fintech; Elena offers mentoring, works on fintech, speaks Spanish and is at UP."
    )


def test_the_mentor_is_recommended_the_mentee_too_as_someone_who_looks_for_what_she_offers(mentee, mentor):
    services.recompute_recommendations(user=mentor)
    [recommendation] = Recommendation.objects.shown_to(mentor)
    assert recommendation.profile.user == mentee
    assert recommendation.reasons["they_need"] == ["mentor"]


def test_saving_a_profile_recomputes_on_commit(mentee, mentor):
    # The fixtures saved the mentor after the mentee: the mentee's recommendations were refreshed as a neighbour.
    assert shown(mentee) == [mentor]
    assert MatchingProfile.objects.get(user=mentee).recommended_at is not None


def test_complementary_intents_and_another_institution_score_higher(make_user, other, home, mentee, profile_of):
    colleague = make_user(Role.ACADEMIC, institution=other)
    profile_of(colleague, offers=[Intent.MENTOR], topics=["fintech"])
    outsider = make_user(Role.ACADEMIC, institution=home)
    profile_of(outsider, offers=[Intent.MENTOR], topics=["fintech"])
    topic_only = make_user(Role.ACADEMIC, institution=home)
    profile_of(topic_only, offers=[Intent.ADVICE], topics=["fintech"])
    services.recompute_recommendations(user=mentee)
    assert shown(mentee) == [outsider, colleague, topic_only]


def test_nobody_is_recommended_without_a_shared_intent_or_topic(make_user, mentee, profile_of):
    stranger = make_user(Role.ACADEMIC)
    profile_of(stranger, offers=[Intent.RESEARCH_PARTNER], topics=["medieval history"], languages=[("es", "C2")])
    services.recompute_recommendations(user=mentee)
    assert stranger not in shown(mentee)


def test_a_hidden_profile_is_never_recommended(mentee, mentor):
    MatchingProfile.objects.filter(user=mentor).update(visibility=Visibility.HIDDEN)
    assert shown(mentee) == []  # read time: the stored row is no longer shown
    services.index_profile(MatchingProfile.objects.get(user=mentor))
    services.recompute_recommendations(user=mentee)
    assert not MatchTag.objects.filter(profile__user=mentor).exists()
    assert shown(mentee) == []


def test_students_profiles_start_hidden(make_user, mentee, django_capture_on_commit_callbacks):
    student = make_user(Role.STUDENT)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_profile(user=student, headline="Student", offers=[Intent.MENTOR], topics=["fintech"])
    assert MatchingProfile.objects.get(user=student).visibility == Visibility.HIDDEN
    assert student not in shown(mentee)


def test_an_own_institution_profile_is_recommended_only_inside_it(make_user, home, mentee, mentor, profile_of):
    profile_of(mentor, offers=[Intent.MENTOR], topics=["fintech"], visibility=Visibility.INSTITUTION)
    services.recompute_recommendations(user=mentee)
    assert shown(mentee) == []
    colleague = make_user(Role.STUDENT, institution=home)
    profile_of(colleague, looks_for=[Intent.MENTOR], topics=["fintech"])
    assert shown(colleague)[0] == mentor


def test_blocked_people_are_never_recommended_either_way(mentee, mentor):
    services.block_user(blocker=mentor, blocked=mentee)
    assert shown(mentee) == []
    services.recompute_recommendations(user=mentee)
    services.recompute_recommendations(user=mentor)
    assert shown(mentee) == [] and shown(mentor) == []


def test_someone_at_their_monthly_limit_drops_out_until_the_month_resets(make_user, mentee, mentor, other, profile_of):
    profile_of(mentor, offers=[Intent.MENTOR], topics=["fintech"], intros_per_month=1)
    asker = make_user(Role.STUDENT, institution=other)
    profile_of(asker, looks_for=[Intent.MENTOR], topics=["fintech"])
    services.request_introduction(sender=asker, profile=mentor.matching_profile, message="Hello!")
    assert mentor not in shown(mentee)
    services.recompute_recommendations(user=mentee)
    assert mentor not in shown(mentee)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=32)):
        assert mentor not in shown(mentee)  # the stored list was computed while she was full
        services.recompute_recommendations(user=mentee)
        assert mentor in shown(mentee)


def test_a_dismissed_recommendation_never_comes_back(mentee, mentor):
    services.recompute_recommendations(user=mentee)
    recommendation = Recommendation.objects.get(user=mentee)
    services.dismiss_recommendation(user=mentee, profile=recommendation.profile)
    services.dismiss_recommendation(user=mentee, profile=recommendation.profile)
    assert Dismissal.objects.filter(user=mentee).count() == 1
    services.recompute_recommendations(user=mentee)
    assert shown(mentee) == []


def test_someone_already_asked_is_not_recommended_again(mentee, mentor):
    services.request_introduction(sender=mentee, profile=mentor.matching_profile, message="Hello")
    services.recompute_recommendations(user=mentee)
    assert shown(mentee) == []


def test_open_offers_seeking_what_one_offers_are_recommended(make_user, other, mentor):
    owner = make_user(Role.ACADEMIC, institution=other)
    offer = services.save_offer(
        by=owner, kind="startup", title="Student payments app", summary="An app.", sought="A mentor.",
        seeks=[Intent.MENTOR], topics=["payments"],
    )  # fmt: skip
    services.recompute_recommendations(user=mentor)
    assert offer in shown(mentor)
    services.close_offer(offer=offer, by=owner)
    assert offer not in shown(mentor)


def test_recomputing_twice_gives_the_same_stored_list(mentee, mentor):
    first = [(r.profile_id, r.score) for r in services.recompute_recommendations(user=mentee)]
    second = [(r.profile_id, r.score) for r in services.recompute_recommendations(user=mentee)]
    assert first == second and Recommendation.objects.filter(user=mentee).count() == 1


def test_reasons_render_in_the_readers_language(mentee, mentor):
    from django.utils import translation

    services.recompute_recommendations(user=mentee)
    recommendation = Recommendation.objects.get(user=mentee)
    with translation.override("es"):
        text = describe(recommendation.reasons, "Elena")
    assert "Elena" in text and "fintech" in text


def test_more_than_twenty_skills_are_refused(make_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.save_profile(
            user=make_user(Role.ACADEMIC), headline="Me", offers=[Intent.ADVICE], skills=[f"s{n}" for n in range(21)]
        )
    assert caught.value.message_dict == {"skills": ["At most 20 entries."]}
