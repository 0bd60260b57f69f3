from django import template
from django.utils.translation import gettext as _

from .. import permissions
from ..models import Intent, display_name, short_name
from ..reasons import describe, describe_offer

register = template.Library()
INTENT_LABELS = dict(Intent.choices)


@register.simple_tag
def reason(recommendation) -> str:
    """Why this was recommended, in the reader's language."""
    if recommendation.profile_id:
        return describe(recommendation.reasons, short_name(recommendation.profile.user))
    return describe_offer(recommendation.reasons)


@register.filter
def intent_labels(values) -> str:
    return ", ".join(str(INTENT_LABELS[v]) for v in values if v in INTENT_LABELS) or _("—")


@register.filter
def person_name(user) -> str:
    """A person as matching names them: never by their e-mail address."""
    return display_name(user)


@register.filter
def person_short_name(user) -> str:
    return short_name(user)


@register.filter
def handles_reports(user) -> bool:
    return permissions.can_handle_reports(user)
