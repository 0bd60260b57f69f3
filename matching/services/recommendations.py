"""The matcher: candidates from the match index, scored, explained and stored per person.

Candidate generation is one grouped query on MatchTag's (key, scope) index: the keys a person looks
for, each with a weight, summed per profile or offer. No loop over everyone: only rows sharing a key
are read, and only the best CANDIDATES are scored further in Python (languages, countries, and the
bonus for another institution, the point of a consortium).
"""

from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from consortium.models import User, UserLanguage

from ..models import (
    LOOK_FOR_PAIRS,
    Block,
    CooperationOffer,
    Dismissal,
    Introduction,
    MatchingProfile,
    MatchTag,
    Recommendation,
)
from .profiles import WEIGHTS, match_score, search_keys, skill_labels

# Rows read from the index, kept after scoring, and the least index score worth a recommendation
# (one shared topic or one complementary intent; a shared skill alone is not enough).
CANDIDATES = 60
KEPT = 30
MIN_INDEX_SCORE = 2
OTHER_INSTITUTION_BONUS = 3
LANGUAGE_BONUS = 2
COUNTRY_BONUS = 1


def _excluded(user: User) -> tuple[set[int], set[int], set[int]]:
    """Never to recommend: dismissed profiles and offers, and people blocked either way or already
    introduced (one query for the people)."""
    profiles, offers = set(), set()
    for profile_id, offer_id in Dismissal.objects.filter(user=user).values_list("profile_id", "offer_id"):
        (profiles if profile_id else offers).add(profile_id or offer_id)
    people = (
        Block.objects.filter(blocker=user).values_list("blocked_id")
        .union(Block.objects.filter(blocked=user).values_list("blocker_id"))
        .union(Introduction.objects.filter(sender=user).order_by().values_list("recipient_id"))
        .union(Introduction.objects.filter(recipient=user).order_by().values_list("sender_id"))
    )  # fmt: skip
    return profiles, offers, {user.pk, *(pk for (pk,) in people)}


def _lookup(keys: dict[str, int], user: User, skip_profiles: set[int], skip_offers: set[int]) -> list[dict]:
    """The index rows sharing the keys, summed per profile or offer, best first."""
    by_weight: dict[int, list[str]] = {}
    for key, weight in keys.items():
        by_weight.setdefault(weight, []).append(key)
    score = Sum(
        Case(*(When(key__in=group, then=Value(w)) for w, group in by_weight.items()), output_field=IntegerField())
    )
    scope = Q(scope__isnull=True) | (Q(scope_id=user.institution_id) if user.institution_id else Q(pk__in=[]))
    rows = (
        MatchTag.objects.filter(scope, key__in=keys)
        .exclude(profile_id__in=skip_profiles)
        .exclude(offer_id__in=skip_offers)
        .values("profile_id", "offer_id")
        .annotate(score=score)
        .filter(score__gte=MIN_INDEX_SCORE)
        .order_by("-score", "profile_id", "offer_id")
    )
    return list(rows[:CANDIDATES])


def candidates(profile: MatchingProfile, excluded: tuple[set[int], set[int], set[int]] | None = None) -> list[dict]:
    """The most promising profiles and offers in the index for a profile's owner: [{profile_id,
    offer_id, score}], of those they may reach (consortium-wide rows and their own institution's).

    First the narrow search (a complementary intent on a shared topic, shared skills); only when it
    finds fewer than CANDIDATES, as in a small network, the broad one (bare intents, topics).
    """
    skip_profiles, skip_offers, _people = excluded or _excluded(profile.user)
    skip_profiles = skip_profiles | {profile.pk}
    found = []
    if narrow := search_keys(profile, narrow=True):
        found = _lookup(narrow, profile.user, skip_profiles, skip_offers)
    if len(found) < CANDIDATES and (broad := search_keys(profile, narrow=False)):
        found = _lookup(broad, profile.user, skip_profiles, skip_offers)
    return found


def _shared(mine, theirs) -> list:
    theirs = set(theirs)
    return [item for item in mine if item in theirs]


def explain_profile(
    me: MatchingProfile, my_languages: set[str], other: MatchingProfile, languages: set[str], labels: dict[str, str]
) -> dict:
    """The reasons as parts, each a list of codes or tags; empty parts left out."""
    user, person = me.user, other.user
    reasons = {
        "you_look_for": [i for i in me.looks_for if i in other.offers or LOOK_FOR_PAIRS.get(i) in other.looks_for],
        "they_offer": _shared(other.offers, me.looks_for),
        "they_look_for_pair": [LOOK_FOR_PAIRS[i] for i in me.looks_for if LOOK_FOR_PAIRS.get(i) in other.looks_for],
        "they_need": _shared(other.looks_for, me.offers),
        "topics": _shared(me.topics, other.topics),
        "skills": [labels[key] for key in _shared(me.skills, other.skills)],
        "languages": sorted(my_languages & languages),
        "countries": _shared(me.countries, other.countries),
    }
    if person.institution_id and person.institution_id != user.institution_id:
        reasons["institution"] = person.institution.short_name
    # A pair wish already told as an offer ("offers mentoring") need not be told twice.
    reasons["they_look_for_pair"] = [i for i in reasons["they_look_for_pair"] if i not in reasons["they_need"]]
    return {part: value for part, value in reasons.items() if value}


def explain_offer(me: MatchingProfile, offer: CooperationOffer) -> dict:
    reasons = {"they_need": _shared(offer.seeks, me.offers), "topics": _shared(me.topics, offer.topics)}
    owner = offer.owner
    if owner.institution_id and owner.institution_id != me.user.institution_id:
        reasons["institution"] = owner.institution.short_name
    return {part: value for part, value in reasons.items() if value}


def _bonus(reasons: dict) -> int:
    return (
        OTHER_INSTITUTION_BONUS * ("institution" in reasons)
        + LANGUAGE_BONUS * bool(reasons.get("languages"))
        + COUNTRY_BONUS * min(len(reasons.get("countries", [])), 2)
    )


@transaction.atomic
def recompute_recommendations(*, user: User) -> list[Recommendation]:
    """Replace a person's stored recommendations with fresh ones. Safe to run twice; a person
    without a profile, or no longer active, ends with none."""
    if connection.vendor == "postgresql":
        # Derived data, rebuilt at will: no need to wait for the disk at commit.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    profile = MatchingProfile.objects.select_related("user__institution").filter(user=user).first()
    Recommendation.objects.filter(user=user).delete()
    if profile is None or not user.is_active:
        return []
    excluded = _excluded(user)
    people_excluded = excluded[2]
    found = candidates(profile, excluded)
    profile_ids = [row["profile_id"] for row in found if row["profile_id"]]
    offer_ids = [row["offer_id"] for row in found if row["offer_id"]]
    people = list(
        MatchingProfile.objects.available()
        .filter(pk__in=profile_ids, user__is_active=True)
        .exclude(user_id__in=people_excluded)
        .select_related("user__institution")
    )
    languages: dict[int, set[str]] = {}
    speakers = [other.user_id for other in people] + [user.pk]
    for user_id, code in UserLanguage.objects.filter(user_id__in=speakers).values_list("user_id", "language"):
        languages.setdefault(user_id, set()).add(code)
    mine = languages.get(user.pk, set())
    labels = skill_labels(profile.skills)
    scored = []
    # The index ordered the candidates; the score is worked out exactly from both profiles.
    for other in people:
        score = match_score(profile, other)
        if score >= MIN_INDEX_SCORE:
            reasons = explain_profile(profile, mine, other, languages.get(other.user_id, set()), labels)
            scored.append(Recommendation(user=user, profile=other, score=score + _bonus(reasons), reasons=reasons))
    offers = (
        CooperationOffer.objects.visible_to(user)
        .open()
        .owner_available()
        .filter(pk__in=offer_ids)
        .exclude(owner_id__in=people_excluded)
    )
    for offer in offers.select_related("owner__institution"):
        score = WEIGHTS["they_need"] * len(set(offer.seeks) & set(profile.offers)) + WEIGHTS["topic"] * len(
            set(offer.topics) & set(profile.topics)
        )
        if score >= MIN_INDEX_SCORE:
            reasons = explain_offer(profile, offer)
            scored.append(Recommendation(user=user, offer=offer, score=score + _bonus(reasons), reasons=reasons))
    scored.sort(key=lambda r: (-r.score, r.profile_id or 0, r.offer_id or 0))
    kept = Recommendation.objects.bulk_create(scored[:KEPT])
    MatchingProfile.objects.filter(pk=profile.pk).update(recommended_at=timezone.now())
    return kept


def neighbours(user: User) -> list[int]:
    """The people a changed profile is most likely to be recommended to: those it would meet itself."""
    return list(
        Recommendation.objects.filter(user=user, profile__isnull=False)
        .order_by("-score")
        .values_list("profile__user_id", flat=True)[:20]
    )
