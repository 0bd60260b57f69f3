"""Access predicates of guides and resources, built on consortium/access.py."""

from consortium.access import is_consortium_admin, is_signed_in, staff_institution_id
from consortium.models import STAFF_ROLES, ApiClient, LiaisonNomination

# Country guides
# Maintainers of a guide: the liaison officers of the active member institutions in its country, and
# the editors they invite while those work for an active member. Drafts are written by one maintainer
# and approved by another.


def _editorships(user):
    """The user's editor invitations that count: staff of an institution that is still an active member."""
    from .models import GuideEditor

    if not is_signed_in(user) or not (user.roles & STAFF_ROLES) or not user.institution_id:
        return GuideEditor.objects.none()
    return GuideEditor.objects.filter(user=user, user__institution__is_active=True)


def liaison_countries(user) -> set[str]:
    """Countries whose guides a user maintains as liaison officer of an active member there."""
    if not is_signed_in(user) or not user.institution_id:
        return set()
    nominations = LiaisonNomination.objects.active().filter(
        officer=user, institution_id=user.institution_id, institution__is_active=True
    )
    return set(nominations.values_list("institution__country", flat=True))


def maintained_guide_ids(user) -> set[int]:
    """Guides a user maintains: those of their liaison country, and those they were invited to edit."""
    if not is_signed_in(user):
        return set()
    from .models import CountryGuide

    countries = liaison_countries(user)
    ids = set(CountryGuide.objects.filter(country__in=countries).values_list("pk", flat=True)) if countries else set()
    return ids | set(_editorships(user).values_list("guide_id", flat=True))


def can_maintain_guide(user, guide) -> bool:
    """Mirrors maintained_guide_ids for one guide."""
    if guide.country.code in liaison_countries(user):
        return True
    return _editorships(user).filter(guide=guide).exists()


def can_view_guide_workspace(user, guide) -> bool:
    """Drafts, revisions and diffs: the guide's maintainers, and consortium admins to oversee them."""
    return can_maintain_guide(user, guide) or is_consortium_admin(user)


def can_start_edition(user, country: str) -> bool:
    """Open a guide or a new language edition: the country's liaison officers, and consortium admins."""
    return is_consortium_admin(user) or str(country).upper() in liaison_countries(user)


def can_open_editions(user) -> bool:
    """Sees the form to open an edition: someone who may open one for some country."""
    return is_consortium_admin(user) or bool(liaison_countries(user))


def can_manage_guide_editors(user, guide) -> bool:
    """Invite and remove editors: the country's liaison officers (not invited editors), and consortium admins."""
    return is_consortium_admin(user) or guide.country.code in liaison_countries(user)


def can_edit_draft(user, draft) -> bool:
    """A draft is its author's to change, while it is being edited and they still maintain the guide."""
    from .models import DraftStatus

    return (
        draft.status == DraftStatus.EDITING
        and draft.author_id == getattr(user, "pk", None)
        and can_maintain_guide(user, draft.edition.guide)
    )


def can_review_draft(user, draft) -> bool:
    """Approve or send back: any maintainer but the author. (The service says why the author may not.)"""
    return can_maintain_guide(user, draft.edition.guide) and draft.author_id != user.pk


def can_review_sections(user, edition) -> bool:
    """Mark a section reviewed without changing it, restore a revision: the guide's maintainers."""
    return can_maintain_guide(user, edition.guide)


# Resource library
# Shared by the staff of member institutions; read by signed-in members (students only what is for
# them); changed by the staff of the institution that shared it.


def can_use_library(user) -> bool:
    """The library needs an account: every signed-in person, each seeing what their role may."""
    return is_signed_in(user)


def is_library_staff(user) -> bool:
    """Career officers, partner admins, academics and consortium admins: they see staff-only resources too."""
    return staff_institution_id(user) is not None or is_consortium_admin(user)


def can_view_resource(user, resource) -> bool:
    """Mirrors Resource.objects.visible_to."""
    from .models import STUDENT_AUDIENCES

    if is_library_staff(user):
        return True
    return (is_signed_in(user) or isinstance(user, ApiClient)) and resource.audience in STUDENT_AUDIENCES


def can_share_resource(user, institution) -> bool:
    """Any staff member, for the institution they work for while it is an active member."""
    return institution is not None and institution.is_active and staff_institution_id(user) == institution.pk


def can_edit_resource(user, resource) -> bool:
    """Change or delete: the staff of the institution that shared it, while it is an active member
    (mirrors Resource.objects.editable_by)."""
    owned = resource.owner_id is not None and staff_institution_id(user) == resource.owner_id
    return owned and resource.owner.is_active


def can_view_download_counts(user, resource) -> bool:
    return is_library_staff(user)
