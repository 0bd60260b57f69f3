"""Profiles: saving one with its checks, and keeping the match index (MatchTag) in step with it."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from consortium.models import FieldOfStudy, Role, Sector, User
from consortium.permissions import require
from consortium.services import set_spoken_languages

from .. import permissions
from ..models import LOOK_FOR_PAIRS, Intent, MatchingProfile, MatchTag, Skill, Visibility

MAX_TAGS = 20
TAG_MAX_LENGTH = 60


def default_visibility(user: User) -> str:
    """Students' profiles are hidden until they choose otherwise; staff and externals are found."""
    return Visibility.HIDDEN if Role.STUDENT in user.roles else Visibility.CONSORTIUM


def normalise_tags(raw, *, field: str) -> list[str]:
    """Free tags as the index compares them: lowercase, single spaces, once each, at most MAX_TAGS."""
    if isinstance(raw, str):
        raw = raw.split(",")
    tags = []
    for item in raw or []:
        tag = re.sub(r"\s+", " ", str(item)).strip().lower()
        if not tag or tag in tags:
            continue
        if len(tag) > TAG_MAX_LENGTH:
            raise ValidationError({field: _("“%(tag)s” is too long: at most %(max)d characters.") % {
                "tag": tag[:20] + "…", "max": TAG_MAX_LENGTH}})  # fmt: skip
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError({field: _("At most %(max)d entries.") % {"max": MAX_TAGS}})
    return tags


def resolve_skills(*, esco_ids: list[str], free: list[str]) -> list[str]:
    """Skill keys: ESCO concepts as "esco:<id>", free tags matched to an ESCO label where one is the same."""
    known = set(Skill.objects.filter(esco_id__in=esco_ids).values_list("esco_id", flat=True))
    keys = [f"esco:{esco_id}" for esco_id in esco_ids if esco_id in known]
    by_label = {
        label.lower(): esco_id
        for esco_id, label in Skill.objects.filter(label__in=free).values_list("esco_id", "label")
    }
    for tag in free:
        key = f"esco:{by_label[tag]}" if tag in by_label else tag
        if key not in keys:
            keys.append(key)
    if len(keys) > MAX_TAGS:
        raise ValidationError({"skills": _("At most %(max)d entries.") % {"max": MAX_TAGS}})
    return keys


def skill_labels(keys: list[str]) -> dict[str, str]:
    """The label of each skill key: the ESCO preferred label, or the free tag itself."""
    ids = [key[5:] for key in keys if key.startswith("esco:")]
    labels = {f"esco:{i}": label for i, label in Skill.objects.filter(esco_id__in=ids).values_list("esco_id", "label")}
    return {key: labels.get(key, key) for key in keys}


def _choices(values, allowed, field: str, message: str) -> list[str]:
    values = list(dict.fromkeys(values or []))
    if any(value not in allowed for value in values):
        raise ValidationError({field: message})
    return values


@transaction.atomic
def save_profile(
    *,
    user: User,
    headline: str,
    bio: str = "",
    topics=(),
    sectors=(),
    fields_of_study=(),
    skills=(),
    countries_of_interest=(),
    looks_for=(),
    offers=(),
    intros_per_month: int = 3,
    visibility: str | None = None,
    languages: list[tuple[str, str]] | None = None,
) -> MatchingProfile:
    """Create or update a person's profile, and their spoken languages when given; the person's
    recommendations (and those of the people they would meet) are recomputed after commit."""
    require(permissions.can_use_matching(user))
    errors = {}
    headline = (headline or "").strip()
    if not headline:
        errors["headline"] = _("Say in a line who you are and what you do.")
    elif len(headline) > 160:
        errors["headline"] = _("Keep the headline under %(max)d characters.") % {"max": 160}
    bio = (bio or "").strip()
    if len(bio) > 2000:
        errors["bio"] = _("Keep the bio under %(max)d characters.") % {"max": 2000}
    intent_message = _("Choose from the list.")
    clean = {}
    checks = [
        ("looks_for", looks_for, Intent.values),
        ("offers", offers, Intent.values),
        ("sectors", sectors, Sector.values),
        ("fields_of_study", fields_of_study, FieldOfStudy.values),
        ("countries", [c.upper() for c in countries_of_interest], dict(countries).keys()),
        ("visibility", [visibility or default_visibility(user)], Visibility.values),
    ]
    for field, values, allowed in checks:
        try:
            clean[field] = _choices(values, allowed, field, intent_message)
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        clean["topics"] = normalise_tags(topics, field="topics")
    except ValidationError as error:
        errors.update(error.message_dict)
    skills = list(dict.fromkeys(skills or []))
    if len(skills) > MAX_TAGS:
        errors["skills"] = _("At most %(max)d entries.") % {"max": MAX_TAGS}
    elif any(not isinstance(key, str) or not key or len(key) > TAG_MAX_LENGTH for key in skills):
        errors["skills"] = _("Each skill is at most %(max)d characters.") % {"max": TAG_MAX_LENGTH}
    if not isinstance(intros_per_month, int) or not 1 <= intros_per_month <= 20:
        errors["intros_per_month"] = _("Choose between 1 and 20 introductions a month.")
    if not clean.get("looks_for") and not clean.get("offers") and "looks_for" not in errors:
        errors["looks_for"] = _("Say what you look for or what you offer, so that others can find you.")
    if errors:
        raise ValidationError(errors)

    profile = MatchingProfile.objects.select_for_update().filter(user=user).first() or MatchingProfile(user=user)
    profile.headline, profile.bio, profile.topics = headline, bio, clean["topics"]
    profile.sectors, profile.fields_of_study, profile.skills = clean["sectors"], clean["fields_of_study"], skills
    profile.countries, profile.looks_for, profile.offers = clean["countries"], clean["looks_for"], clean["offers"]
    profile.intros_per_month, profile.visibility = intros_per_month, clean["visibility"][0]
    profile.save()
    if languages is not None:
        set_spoken_languages(user=user, languages=languages)
    index_profile(profile)
    from ..tasks import recompute_recommendations

    recompute_recommendations.delay_on_commit(user.pk, neighbours=True)
    return profile


def combos(prefix: str, intents, topics) -> list[str]:
    """Keys of an intent on a topic ("offer:mentor@fintech"): few people share both, so that
    candidate generation reads a few hundred index rows where a bare intent would read thousands."""
    return [f"{prefix}:{intent}@{topic}" for intent in intents for topic in topics]


def profile_keys(profile: MatchingProfile) -> list[str]:
    """What a profile is found by."""
    return list(
        dict.fromkeys(
            [f"offer:{i}" for i in profile.offers]
            + [f"look:{i}" for i in profile.looks_for]
            + combos("offer", profile.offers, profile.topics)
            + combos("look", profile.looks_for, profile.topics)
            + [f"topic:{t}" for t in profile.topics]
            + [f"sector:{s}" for s in profile.sectors]
            + [f"field:{f}" for f in profile.fields_of_study]
            + [f"skill:{s}" for s in profile.skills]
        )
    )


# How much each kind of shared trait weighs in the score.
WEIGHTS = {"they_offer": 5, "pair": 4, "they_need": 3, "topic": 2, "sector": 1, "field": 1, "skill": 1}


def _wanted(profile: MatchingProfile) -> tuple[list[str], list[str], list[str]]:
    """What a profile's owner looks for in others: their offers, their wishes that pair with mine,
    and their wishes that I can answer."""
    pairs = [LOOK_FOR_PAIRS[i] for i in profile.looks_for if i in LOOK_FOR_PAIRS]
    return list(profile.looks_for), pairs, list(profile.offers)


def search_keys(profile: MatchingProfile, *, narrow: bool) -> dict[str, int]:
    """The index keys to look up for a profile's owner, with weights for ordering the candidates.

    Narrow: complementary intents on a shared topic, and shared skills, which few people share;
    broad: bare intents, topics, sectors and fields too, for when the narrow search finds too few.
    """
    offers_wanted, pairs_wanted, needs_answered = _wanted(profile)
    keys: dict[str, int] = {}

    def add(key, weight):
        keys[key] = max(keys.get(key, 0), weight)

    topic = WEIGHTS["topic"]
    for intent in offers_wanted:
        for key in combos("offer", [intent], profile.topics):
            add(key, WEIGHTS["they_offer"] + topic)
    for intent in pairs_wanted:
        for key in combos("look", [intent], profile.topics):
            add(key, WEIGHTS["pair"] + topic)
    for intent in needs_answered:
        for key in combos("look", [intent], profile.topics):
            add(key, WEIGHTS["they_need"] + topic)
    for skill in profile.skills:
        add(f"skill:{skill}", WEIGHTS["skill"])
    if narrow:
        return keys
    for intent in offers_wanted:
        add(f"offer:{intent}", WEIGHTS["they_offer"])
    for intent in pairs_wanted:
        add(f"look:{intent}", WEIGHTS["pair"])
    for intent in needs_answered:
        add(f"look:{intent}", WEIGHTS["they_need"])
    for value in profile.topics:
        add(f"topic:{value}", topic)
    for value in profile.sectors:
        add(f"sector:{value}", WEIGHTS["sector"])
    for value in profile.fields_of_study:
        add(f"field:{value}", WEIGHTS["field"])
    return keys


def match_score(me: MatchingProfile, other: MatchingProfile) -> int:
    """The score of what two profiles share, before the bonuses for languages, places and institutions."""
    offers_wanted, pairs_wanted, needs_answered = _wanted(me)
    theirs = {
        "offers": set(other.offers), "looks_for": set(other.looks_for), "topics": set(other.topics),
        "sectors": set(other.sectors), "fields": set(other.fields_of_study), "skills": set(other.skills),
    }  # fmt: skip
    return (
        WEIGHTS["they_offer"] * len(theirs["offers"] & set(offers_wanted))
        + WEIGHTS["pair"] * len(theirs["looks_for"] & set(pairs_wanted))
        + WEIGHTS["they_need"] * len(theirs["looks_for"] & set(needs_answered))
        + WEIGHTS["topic"] * len(theirs["topics"] & set(me.topics))
        + WEIGHTS["sector"] * len(theirs["sectors"] & set(me.sectors))
        + WEIGHTS["field"] * len(theirs["fields"] & set(me.fields_of_study))
        + WEIGHTS["skill"] * len(theirs["skills"] & set(me.skills))
    )


def index_profile(profile: MatchingProfile) -> None:
    """Rewrite the profile's rows in the match index: none while hidden or inactive; scoped to the
    owner's institution when only it may find the profile."""
    MatchTag.objects.filter(profile=profile).delete()
    user = profile.user
    if profile.visibility == Visibility.HIDDEN or not user.is_active:
        return
    if profile.visibility == Visibility.INSTITUTION and not user.institution_id:
        return
    scope = user.institution_id if profile.visibility == Visibility.INSTITUTION else None
    MatchTag.objects.bulk_create(MatchTag(profile=profile, key=key, scope_id=scope) for key in profile_keys(profile))
