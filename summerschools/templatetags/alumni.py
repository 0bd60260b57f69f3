"""The alumni pieces other summer-school pages show: an edition's ventures and the invitation to join."""

from django import template
from django.utils.translation import gettext as _

from .. import permissions
from ..models import AlumniProfile
from ..services import alumni

register = template.Library()


@register.filter
def founder_name(founder, venture) -> str:
    """Founders are named only if they are in the alumni directory; the others stay anonymous."""
    if getattr(founder, "summer_alumni_profile", None) is not None:
        return founder.full_name
    return _("a participant of %(edition)s") % {"edition": venture.edition.title}


@register.inclusion_tag("summerschools/alumni/_edition_ventures.html", takes_context=True)
def edition_ventures(context, edition):
    user = context["request"].user
    ventures = list(alumni.ventures().filter(edition=edition))
    return {
        "edition": edition,
        "ventures": ventures,
        "editable": alumni.editable_venture_ids(user, ventures),
        "can_add": permissions.can_add_venture(user, edition),
    }


@register.inclusion_tag("summerschools/alumni/_invitation.html", takes_context=True)
def alumni_invitation(context, application):
    """After the school, the student's application page invites them to the directory."""
    user = context["request"].user
    show = application.student_id == user.pk and permissions.is_alumnus(user, application.edition)
    return {
        "show": show and not AlumniProfile.objects.filter(user=user).exists(),
        "can_add_venture": show,
        "edition": application.edition,
    }
