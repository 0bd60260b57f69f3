"""Who may do what with summer schools."""

from consortium.access import has_role, is_consortium_admin, is_signed_in
from consortium.models import Role

from .models import ORGANISER_ROLES, ApplicationStatus, EditionStatus


def _organisers_institution(user, edition) -> bool:
    return bool(user.institution_id) and (
        user.institution_id == edition.host_id or edition.co_organisers.filter(pk=user.institution_id).exists()
    )


def can_create_edition(user, host) -> bool:
    """Staff of the host institution start an edition (and become its first organiser)."""
    return is_consortium_admin(user) or (
        has_role(user, *ORGANISER_ROLES) and host is not None and user.institution_id == host.pk
    )


def is_organiser(user, edition) -> bool:
    return is_signed_in(user) and edition.pk is not None and edition.organisers.filter(pk=user.pk).exists()


def can_edit_edition(user, edition) -> bool:
    return is_consortium_admin(user) or (is_organiser(user, edition) and has_role(user, *ORGANISER_ROLES))


def can_be_organiser(user, edition) -> bool:
    """Organisers are staff of the host or of a co-organising institution."""
    return has_role(user, *ORGANISER_ROLES) and _organisers_institution(user, edition)


def can_view_edition(user, edition) -> bool:
    return edition.status == EditionStatus.PUBLISHED or can_edit_edition(user, edition)


def can_apply(user, edition) -> bool:
    return has_role(user, Role.STUDENT) and bool(user.institution_id) and edition.status == EditionStatus.PUBLISHED


def can_view_application(user, application) -> bool:
    return (is_signed_in(user) and application.student_id == user.pk) or can_review(user, application)


def can_review(user, application) -> bool:
    """Only the organisers from the applicant's own institution review and decide."""
    return (
        has_role(user, *ORGANISER_ROLES)
        and user.institution_id == application.institution_id
        and is_organiser(user, application.edition)
    )


def can_confirm(user, application) -> bool:
    return is_signed_in(user) and application.student_id == user.pk and application.status == ApplicationStatus.ACCEPTED


def can_fill_follow_up(user, application) -> bool:
    mine = is_signed_in(user) and application.student_id == user.pk
    return mine and application.status == ApplicationStatus.CONFIRMED
