"""Matching's part of the weekly digest: the week's new recommendations and the introductions waiting
for the person's answer; and the interests (countries, fields of study) other sections read."""

from collections import defaultdict

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consortium.services.digests import MAX_ITEMS_PER_SECTION, DigestBatch, DigestItem

from .models import Introduction, IntroductionStatus, MatchingProfile, Recommendation, Visibility, available_q


def profile_interests(users) -> dict[int, dict[str, set[str]]]:
    """The countries and fields of study people named in their matching profiles; one query."""
    rows = MatchingProfile.objects.filter(user__in=users).values_list("user_id", "countries", "fields_of_study")
    return {
        user_id: {"countries": set(countries), "fields_of_study": set(fields)} for user_id, countries, fields in rows
    }


def _still_shown(now) -> Q:
    """The recommendations the recommendations page still shows (RecommendationQuerySet.shown_to),
    for a whole batch at once: the person or offer named is still within the reader's reach and
    takes introductions this month, the offer is open. Blocks need no check here: blocking deletes
    the recommendations between the two."""

    def within_reach(visibility, owner):
        return Q(**{visibility: Visibility.CONSORTIUM}) | Q(
            **{visibility: Visibility.INSTITUTION, f"{owner}__institution_id": F("user__institution_id")}
        )

    person = (
        Q(profile__user__is_active=True)
        & within_reach("profile__visibility", "profile__user")
        & available_q("profile__")
    )
    offer = (
        Q(offer__closed_at__isnull=True, offer__expires_at__gt=now, offer__owner__is_active=True)
        & within_reach("offer__visibility", "offer__owner")
        & available_q("offer__owner__matching_profile__")
        & ~Q(offer__owner_id=F("user_id"))
    )
    return (Q(profile__isnull=False) & person) | (Q(offer__isnull=False) & offer)


def people_to_meet(batch: DigestBatch) -> dict[int, list[DigestItem]]:
    """Introductions waiting for the person's answer first, then the week's best new recommendations
    the recommendations page would still show; two queries."""
    now = timezone.now()
    found = defaultdict(list)
    waiting = (
        Introduction.objects.filter(
            recipient__in=batch.users, status=IntroductionStatus.PENDING, sender__is_active=True, expires_at__gt=now
        )
        .select_related("sender")
        .only("pk", "recipient_id", "sender__full_name", "expires_at")
        .order_by("expires_at", "pk")
    )
    for introduction in waiting:
        found[introduction.recipient_id].append(
            DigestItem(
                title=introduction.sender.full_name,
                url=reverse("matching:introduction", args=[introduction.pk]),
                detail=_("asks to be introduced to you; answer by"),
                when=introduction.expires_at,
            )
        )
    best = [F("score").desc(), F("pk").desc()]
    recommendations = (
        Recommendation.objects.filter(user__in=batch.users, created_at__gte=batch.start, created_at__lt=batch.end)
        .filter(_still_shown(now))
        .annotate(nth=Window(RowNumber(), partition_by=F("user_id"), order_by=best))
        .filter(nth__lte=MAX_ITEMS_PER_SECTION)
        .select_related("profile", "offer")
        .only("pk", "user_id", "profile__id", "profile__headline", "offer__id", "offer__title")
        .order_by("user_id", *best)
    )
    for recommendation in recommendations:
        target = recommendation.profile or recommendation.offer
        found[recommendation.user_id].append(
            DigestItem(
                title=recommendation.profile.headline if recommendation.profile else recommendation.offer.title,
                url=target.get_absolute_url(),
                detail=_("recommended for you"),
            )
        )
    return found
