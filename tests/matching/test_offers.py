"""Cooperation offers: 90 days, renewable, a reminder a week before they expire."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from consortium.models import Notification, Role
from matching import services
from matching.models import CooperationOffer, Intent, MatchTag

pytestmark = pytest.mark.django_db


def offer_of(user, **changes):
    arguments = {
        "kind": "research", "title": "Second-life batteries", "summary": "Home storage.", "sought": "A lab.",
        "seeks": [Intent.RESEARCH_PARTNER], "topics": ["Energy Storage"],
    } | changes  # fmt: skip
    return services.save_offer(by=user, **arguments)


def test_an_offer_runs_90_days_and_is_indexed(make_user):
    offer = offer_of(make_user(Role.ACADEMIC))
    assert (offer.expires_at - timezone.now()).days == 89
    assert offer.topics == ["energy storage"]
    assert set(MatchTag.objects.filter(offer=offer).values_list("key", flat=True)) == {
        "look:research_partner", "look:research_partner@energy storage", "topic:energy storage"
    }  # fmt: skip


def test_an_expiry_in_the_past_is_refused(make_user):
    with pytest.raises(ValidationError) as caught:
        offer_of(make_user(Role.ACADEMIC), expires_at=timezone.now() - datetime.timedelta(days=1))
    assert caught.value.message_dict == {
        "expires_at": ["The expiry date is in the past. Choose a date within the next 90 days."]
    }
    assert not CooperationOffer.objects.exists()


def test_an_expiry_beyond_90_days_is_refused(make_user):
    with pytest.raises(ValidationError) as caught:
        offer_of(make_user(Role.ACADEMIC), expires_at=timezone.now() + datetime.timedelta(days=120))
    assert "expires_at" in caught.value.message_dict


def test_owners_are_reminded_once_a_week_before_expiry_and_can_renew(make_user):
    owner = make_user(Role.ACADEMIC)
    offer = offer_of(owner)
    with time_machine.travel(offer.expires_at - datetime.timedelta(days=8)):
        assert services.remind_and_retire_offers()["reminded"] == 0
    with time_machine.travel(offer.expires_at - datetime.timedelta(days=6)):
        assert services.remind_and_retire_offers()["reminded"] == 1
        assert services.remind_and_retire_offers()["reminded"] == 0
    assert Notification.objects.filter(recipient=owner, kind="matching.offer_expiring").count() == 1
    with time_machine.travel(offer.expires_at + datetime.timedelta(days=1)):
        assert services.remind_and_retire_offers()["retired_tags"] == 3
        assert not CooperationOffer.objects.visible_to(make_user(Role.STUDENT)).filter(pk=offer.pk).exists()
        renewed = services.renew_offer(offer=offer, by=owner)
        assert renewed.is_open and renewed.reminded_at is None
        assert MatchTag.objects.filter(offer=offer).count() == 3


def test_only_the_owner_edits_renews_or_closes(make_user):
    from django.core.exceptions import PermissionDenied

    offer = offer_of(make_user(Role.ACADEMIC))
    colleague = make_user(Role.ACADEMIC)
    for call in (
        lambda: services.renew_offer(offer=offer, by=colleague),
        lambda: services.close_offer(offer=offer, by=colleague),
        lambda: offer_of(colleague, offer=offer),
    ):
        with pytest.raises(PermissionDenied):
            call()
