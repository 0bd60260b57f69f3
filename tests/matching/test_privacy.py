"""Matching's part of a person's data export and account erasure."""

import pytest

from consortium.services import erase_account, export_personal_data
from matching import services
from matching.models import (
    Block,
    Introduction,
    IntroductionMessage,
    MatchingProfile,
    MatchTag,
    Recommendation,
    UserReport,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(mentee, mentor):
    introduction = services.request_introduction(sender=mentee, profile=mentor.matching_profile, message="Hi")
    services.accept_introduction(introduction=introduction, by=mentor)
    services.post_introduction_message(introduction=introduction, author=mentee, body="Thanks!")
    services.report_user(reporter=mentee, reported=mentor, reason="Rude.", block=False)
    return introduction


def test_the_export_holds_the_profile_introductions_and_messages(mentee, history):
    data = export_personal_data(user=mentee)["matching"]
    assert data["profile"]["headline"] == "Camille Martin's headline"
    assert data["introductions"][0]["message"] == "Hi"
    assert data["messages"][0]["body"] == "Thanks!"
    assert data["reports"][0]["reason"] == "Rude."


def test_erasure_removes_the_profile_and_introductions_and_keeps_reports_nameless(mentee, mentor, history):
    services.block_user(blocker=mentor, blocked=mentee)
    erase_account(user=mentee)
    assert not MatchingProfile.objects.filter(user=mentee).exists()
    assert not MatchTag.objects.filter(profile__user=mentee).exists()
    assert not Introduction.objects.exists() and not IntroductionMessage.objects.exists()
    assert not Recommendation.objects.filter(profile__user=mentee).exists()
    assert not Block.objects.exists()
    assert UserReport.objects.get().reporter is None
