"""Matching's Celery tasks: thin, and safe to run twice."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from consortium.models import Notification
from matching import services, tasks
from matching.models import Introduction, IntroductionStatus, MatchingProfile, Recommendation

pytestmark = pytest.mark.django_db


def test_recompute_twice_changes_nothing_and_a_missing_user_is_skipped(mentee, mentor):
    assert tasks.recompute_recommendations(mentee.pk) == 1
    first = list(Recommendation.objects.filter(user=mentee).values_list("profile_id", "score", "reasons"))
    assert tasks.recompute_recommendations(mentee.pk) == 1
    assert list(Recommendation.objects.filter(user=mentee).values_list("profile_id", "score", "reasons")) == first
    assert tasks.recompute_recommendations(999_999) == 0


def test_the_nightly_refresh_recomputes_stale_profiles_only(mentee, mentor):
    assert tasks.refresh_recommendations() == 0  # both were just computed
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        assert tasks.refresh_recommendations() == 2
        assert tasks.refresh_recommendations() == 0
    assert MatchingProfile.objects.filter(recommended_at__isnull=True).count() == 0


def test_the_introductions_task_reminds_and_expires_once(mentee, mentor):
    services.request_introduction(sender=mentee, profile=mentor.matching_profile, message="Hi")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
        assert tasks.remind_and_expire_introductions() == {"reminded": 0, "expired": 1}
        assert tasks.remind_and_expire_introductions() == {"reminded": 0, "expired": 0}
    assert Introduction.objects.get().status == IntroductionStatus.EXPIRED
    assert Notification.objects.filter(kind="matching.introduction_expired").count() == 1
