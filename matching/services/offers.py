"""Cooperation offers: a project seeking partners, open for 90 days at a time, renewable."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.models import User
from consortium.permissions import require
from consortium.services.notifications import notify

from .. import permissions
from ..models import (
    OFFER_DAYS,
    OFFER_REMINDER_DAYS,
    CooperationOffer,
    Intent,
    MatchTag,
    OfferKind,
    Recommendation,
    Visibility,
)
from .profiles import combos, normalise_tags


def index_offer(offer: CooperationOffer) -> None:
    """An open offer is found by what it seeks and its topics; a closed or expired one by nothing."""
    MatchTag.objects.filter(offer=offer).delete()
    if not offer.is_open or not offer.owner.is_active:
        return
    scope = offer.owner.institution_id if offer.visibility == Visibility.INSTITUTION else None
    keys = dict.fromkeys(
        [f"look:{i}" for i in offer.seeks]
        + combos("look", offer.seeks, offer.topics)
        + [f"topic:{t}" for t in offer.topics]
    )
    MatchTag.objects.bulk_create(MatchTag(offer=offer, key=key, scope_id=scope) for key in keys)


# People whose stored lists are recomputed when an offer changes, besides those it is stored for.
OFFER_AUDIENCE = 50


def _recompute_audience(offer: CooperationOffer) -> None:
    """After commit, recompute the lists of those the offer is stored for (so that a closed or
    narrowed offer leaves them) and of those it now suits (what the index finds for it)."""
    from ..tasks import recompute_recommendations

    holders = set(Recommendation.objects.filter(offer=offer).values_list("user_id", flat=True))
    suited = set()
    if offer.is_open:
        keys = [f"offer:{intent}" for intent in offer.seeks] + [f"topic:{topic}" for topic in offer.topics]
        scope = offer.owner.institution_id if offer.visibility == Visibility.INSTITUTION else None
        found = MatchTag.objects.filter(key__in=keys, profile__isnull=False).exclude(profile__user=offer.owner)
        if scope:
            found = found.filter(profile__user__institution_id=scope)
        suited = set(found.values_list("profile__user_id", flat=True).distinct()[:OFFER_AUDIENCE])
    for user_id in sorted(holders | suited):
        recompute_recommendations.delay_on_commit(user_id)


@transaction.atomic
def save_offer(
    *,
    by: User,
    offer: CooperationOffer | None = None,
    kind: str,
    title: str,
    summary: str,
    sought: str,
    seeks=(),
    topics=(),
    visibility: str = Visibility.CONSORTIUM,
    expires_at: datetime.datetime | None = None,
) -> CooperationOffer:
    """Create an offer (for 90 days unless an earlier expiry is given) or update one's own."""
    offer = offer or CooperationOffer(owner=by)
    require(permissions.can_use_matching(by) and (offer.pk is None or permissions.can_edit_offer(by, offer)))
    errors = {}
    now = timezone.now()
    title, summary, sought = (title or "").strip(), (summary or "").strip(), (sought or "").strip()
    for field, value, limit in (("title", title, 200), ("summary", summary, 3000), ("sought", sought, 1000)):
        if not value:
            errors[field] = _("This field is required.")
        elif len(value) > limit:
            errors[field] = _("At most %(max)d characters.") % {"max": limit}
    if kind not in OfferKind.values:
        errors["kind"] = _("Choose from the list.")
    seeks = list(dict.fromkeys(seeks or []))
    if any(intent not in Intent.values for intent in seeks):
        errors["seeks"] = _("Choose from the list.")
    if visibility not in (Visibility.CONSORTIUM, Visibility.INSTITUTION):
        errors["visibility"] = _("Choose from the list.")
    try:
        topics = normalise_tags(topics, field="topics")
    except ValidationError as error:
        errors.update(error.message_dict)
    if expires_at is None:
        expires_at = offer.expires_at if offer.pk else now + datetime.timedelta(days=OFFER_DAYS)
    elif expires_at <= now:
        errors["expires_at"] = _("The expiry date is in the past. Choose a date within the next %(days)d days.") % {
            "days": OFFER_DAYS
        }
    elif expires_at > now + datetime.timedelta(days=OFFER_DAYS + 1):
        errors["expires_at"] = _("An offer runs for at most %(days)d days; renew it when it expires.") % {
            "days": OFFER_DAYS
        }
    if errors:
        raise ValidationError(errors)
    if offer.pk and expires_at != offer.expires_at:
        offer.reminded_at = None
    offer.kind, offer.title, offer.summary, offer.sought = kind, title, summary, sought
    offer.seeks, offer.topics, offer.visibility, offer.expires_at = seeks, topics, visibility, expires_at
    offer.save()
    index_offer(offer)
    _recompute_audience(offer)
    return offer


@transaction.atomic
def renew_offer(*, offer: CooperationOffer, by: User) -> CooperationOffer:
    """Another 90 days from now, open again if it had expired or been closed."""
    require(permissions.can_edit_offer(by, offer))
    offer.expires_at = timezone.now() + datetime.timedelta(days=OFFER_DAYS)
    offer.reminded_at = offer.closed_at = None
    offer.save(update_fields=["expires_at", "reminded_at", "closed_at", "updated_at"])
    index_offer(offer)
    _recompute_audience(offer)
    return offer


@transaction.atomic
def close_offer(*, offer: CooperationOffer, by: User) -> CooperationOffer:
    require(permissions.can_edit_offer(by, offer))
    if offer.closed_at is None:
        offer.closed_at = timezone.now()
        offer.save(update_fields=["closed_at", "updated_at"])
    index_offer(offer)
    _recompute_audience(offer)
    return offer


def remind_and_retire_offers(now: datetime.datetime | None = None) -> dict:
    """A week before an offer expires its owner is reminded, once; expired offers leave the index."""
    now = now or timezone.now()
    reminded = 0
    due = CooperationOffer.objects.open(now).filter(
        reminded_at__isnull=True, expires_at__lte=now + datetime.timedelta(days=OFFER_REMINDER_DAYS)
    )
    for offer in due.select_related("owner"):
        with transaction.atomic():
            if CooperationOffer.objects.filter(pk=offer.pk, reminded_at__isnull=True).update(reminded_at=now):
                reminded += 1
                notify(
                    [offer.owner],
                    "matching.offer_expiring",
                    context={"offer": offer},
                    dedupe_key=f"offer:{offer.pk}:expiring:{offer.expires_at.isoformat()}",
                    target=offer,
                )
    retired, _counts = MatchTag.objects.filter(offer__expires_at__lte=now).delete()
    return {"reminded": reminded, "retired_tags": retired}
