"""Why a recommendation was made, in plain words in the reader's language.

The matcher stores the reasons as parts (intents, topics, skill labels, language and country codes);
this module writes the sentence when a page is rendered, so each reader reads it in their language:
"You look for a mentor in fintech; Ana offers mentoring, works on fintech and speaks Spanish."
"""

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from consortium.models import ISO_LANGUAGES

from .models import Intent

# What someone looks for, as the object of "you look for …".
LOOK_FOR_PHRASES = {
    Intent.CO_FOUNDER: gettext_lazy("a co-founder"),
    Intent.RESEARCH_PARTNER: gettext_lazy("a research partner"),
    Intent.MENTOR: gettext_lazy("a mentor"),
    Intent.MENTEE: gettext_lazy("a mentee"),
    Intent.INTERNSHIP: gettext_lazy("an internship"),
    Intent.PROJECT_STUDENTS: gettext_lazy("students for a project"),
    Intent.ADVICE: gettext_lazy("advice"),
}
# What someone offers, as the object of "… offers …".
OFFER_PHRASES = {
    Intent.CO_FOUNDER: gettext_lazy("to join as a co-founder"),
    Intent.RESEARCH_PARTNER: gettext_lazy("research partnership"),
    Intent.MENTOR: gettext_lazy("mentoring"),
    Intent.MENTEE: gettext_lazy("to be mentored"),
    Intent.INTERNSHIP: gettext_lazy("internships"),
    Intent.PROJECT_STUDENTS: gettext_lazy("to work on a student project"),
    Intent.ADVICE: gettext_lazy("advice"),
}
LANGUAGE_NAMES = dict(ISO_LANGUAGES)


def _and(items) -> str:
    return get_text_list([str(item) for item in items], _("and"))


def _phrases(table, intents) -> str:
    return _and(table[Intent(i)] for i in intents if i in Intent.values)


def describe(reasons: dict, name: str) -> str:
    """The sentence for a person recommended to the reader; `name` is how the page calls them."""
    wants = [*reasons.get("you_look_for", [])]
    topics = reasons.get("topics", [])
    opening = ""
    if wants:
        if topics:
            opening = _("You look for %(wants)s in %(topics)s") % {
                "wants": _phrases(LOOK_FOR_PHRASES, wants),
                "topics": _and(topics),
            }
        else:
            opening = _("You look for %(wants)s") % {"wants": _phrases(LOOK_FOR_PHRASES, wants)}
    clauses = []
    if offers := reasons.get("they_offer"):
        clauses.append(_("offers %(offers)s") % {"offers": _phrases(OFFER_PHRASES, offers)})
    if mutual := reasons.get("they_look_for_pair"):
        clauses.append(_("looks for %(wants)s") % {"wants": _phrases(LOOK_FOR_PHRASES, mutual)})
    if needs := reasons.get("they_need"):
        clauses.append(_("looks for %(wants)s, which you offer") % {"wants": _phrases(LOOK_FOR_PHRASES, needs)})
    if topics:
        clauses.append(_("works on %(topics)s") % {"topics": _and(topics)})
    if skills := reasons.get("skills"):
        clauses.append(_("shares your skills in %(skills)s") % {"skills": _and(skills)})
    if languages := reasons.get("languages"):
        names = [_(str(LANGUAGE_NAMES[code])) for code in languages if code in LANGUAGE_NAMES]
        clauses.append(_("speaks %(languages)s") % {"languages": _and(names)})
    if places := reasons.get("countries"):
        clauses.append(_("is interested in %(countries)s") % {"countries": _and(countries.name(c) for c in places)})
    if institution := reasons.get("institution"):
        clauses.append(_("is at %(institution)s") % {"institution": institution})
    about = _("%(name)s %(clauses)s") % {"name": name, "clauses": _and(clauses)} if clauses else ""
    if opening and about:
        return _("%(opening)s; %(about)s.") % {"opening": opening, "about": about}
    return f"{opening or about}."


def describe_offer(reasons: dict) -> str:
    """The sentence for a cooperation offer recommended to the reader."""
    clauses = []
    if needs := reasons.get("they_need"):
        clauses.append(_("it looks for %(wants)s, which you offer") % {"wants": _phrases(LOOK_FOR_PHRASES, needs)})
    if topics := reasons.get("topics"):
        clauses.append(_("it is about %(topics)s") % {"topics": _and(topics)})
    if institution := reasons.get("institution"):
        clauses.append(_("it comes from %(institution)s") % {"institution": institution})
    sentence = _and(clauses)
    return f"{sentence[:1].upper()}{sentence[1:]}." if sentence else ""
