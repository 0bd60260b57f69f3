"""Matching's digest section and the interests it shares with the other sections."""

import datetime

from django.utils import timezone

from consortium.models import Role
from consortium.services.digests import DigestBatch
from matching.digest import people_to_meet, profile_interests
from matching.models import CooperationOffer, Introduction, MatchingProfile, Recommendation


def test_waiting_introductions_come_before_the_weeks_recommendations(make_user):
    reader, asker, suggested = (make_user(Role.STUDENT, full_name=name) for name in ("Ana", "Bruno", "Chiara"))
    profile = MatchingProfile.objects.create(
        user=suggested, headline="Circular economy founder", visibility="consortium"
    )
    Recommendation.objects.create(user=reader, profile=profile, score=9)
    introduction = Introduction.objects.create(
        sender=asker, recipient=reader, message="Hello", expires_at=timezone.now() + datetime.timedelta(days=14)
    )
    now = timezone.now()

    items = people_to_meet(DigestBatch([reader, asker], now - datetime.timedelta(days=7), now))

    assert [item.title for item in items[reader.pk]] == ["Bruno", "Circular economy founder"]
    assert f"/{introduction.pk}/" in items[reader.pk][0].url
    assert asker.pk not in items


def test_the_profile_names_the_countries_and_fields_a_person_follows(make_user):
    person = make_user(Role.STUDENT)
    MatchingProfile.objects.create(
        user=person, headline="x", visibility="hidden", countries=["DE"], fields_of_study=["04"]
    )

    assert profile_interests([person]) == {person.pk: {"countries": {"DE"}, "fields_of_study": {"04"}}}


def test_only_what_the_recommendations_page_still_shows_and_introductions_still_open(make_user, other):
    reader = make_user(Role.STUDENT)
    later = timezone.now() + datetime.timedelta(days=14)

    def recommend(name, *, visibility="consortium", institution=None, **user_fields):
        person = make_user(Role.STUDENT, full_name=name, institution=institution, **user_fields)
        profile = MatchingProfile.objects.create(user=person, headline=name, visibility=visibility)
        Recommendation.objects.create(user=reader, profile=profile, score=5)
        return person

    recommend("Shown")
    recommend("Same institution only", visibility="institution")
    recommend("Hidden since", visibility="hidden")
    recommend("Other institution only", visibility="institution", institution=other)
    recommend("Deactivated", is_active=False)
    owner = make_user(Role.ACADEMIC, full_name="Offer owner")
    for title, closed_at in (("Open offer", None), ("Closed offer", timezone.now())):
        offer = CooperationOffer.objects.create(
            owner=owner, kind="research", title=title, summary="…", sought="…", expires_at=later, closed_at=closed_at
        )
        Recommendation.objects.create(user=reader, offer=offer, score=4)
    for sender, expires_at in (
        (make_user(Role.STUDENT, full_name="Still asking"), later),
        (make_user(Role.STUDENT, full_name="Left the platform", is_active=False), later),
        (make_user(Role.STUDENT, full_name="Too late"), timezone.now() - datetime.timedelta(hours=1)),
    ):
        Introduction.objects.create(sender=sender, recipient=reader, message="Hello", expires_at=expires_at)
    now = timezone.now()

    items = people_to_meet(DigestBatch([reader], now - datetime.timedelta(days=7), now + datetime.timedelta(minutes=1)))

    assert sorted(item.title for item in items[reader.pk]) == [
        "Open offer",
        "Same institution only",
        "Shown",
        "Still asking",
    ]
