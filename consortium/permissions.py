"""Who may do what in the core: institutions, staff, liaison nominations, the company network."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .access import has_role, has_scope, holds_role_at, is_consortium_admin, is_signed_in
from .models import INSTITUTION_STAFF_ROLES, STAFF_ROLES, Role


def can_manage_institution(user, institution) -> bool:
    """Open the institution's admin area: its partner admins and consortium admins."""
    return is_consortium_admin(user) or holds_role_at(user, institution, Role.PARTNER_ADMIN)


def can_manage_staff(user, institution) -> bool:
    return can_manage_institution(user, institution)


def can_manage_staff_member(user, person) -> bool:
    """Change one person's roles or account. Partner admins reach only their own institution's staff,
    never a student or someone holding a consortium-wide role."""
    if is_consortium_admin(user):
        return True
    roles = person.roles
    return (
        holds_role_at(user, person.institution, Role.PARTNER_ADMIN)
        and bool(roles)
        and roles <= set(INSTITUTION_STAFF_ROLES)
    )


def can_nominate_liaison(user, institution) -> bool:
    return can_manage_institution(user, institution)


def can_read_audit_log(user, institution) -> bool:
    return can_manage_institution(user, institution)


def can_manage_members(user) -> bool:
    """Add member institutions and edit their records."""
    return is_consortium_admin(user)


def can_view_company_relationships(user, institution) -> bool:
    return is_consortium_admin(user) or holds_role_at(user, institution, *STAFF_ROLES)


def can_manage_company_relationships(user, institution) -> bool:
    return can_manage_institution(user, institution) or holds_role_at(user, institution, Role.CAREER_OFFICER)


def can_add_company(user) -> bool:
    return has_role(user, Role.CAREER_OFFICER, Role.PARTNER_ADMIN, Role.CONSORTIUM_ADMIN) or has_scope(
        user, "companies:write"
    )


def can_manage_api_keys(user, institution) -> bool:
    return can_manage_institution(user, institution)


def can_manage_webhooks(user, institution) -> bool:
    return can_manage_institution(user, institution)


def can_browse_companies(user) -> bool:
    return is_signed_in(user)


def require(allowed: bool) -> None:
    """For services: raise PermissionDenied unless a predicate allowed the action."""
    if not allowed:
        raise PermissionDenied(_("You are not allowed to do this."))
