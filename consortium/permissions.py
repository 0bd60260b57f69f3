"""Who may do what in the core: institutions, staff, liaison nominations, the company network."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .access import has_role, has_scope, holds_role_at, is_consortium_admin, is_signed_in, staff_institution_id
from .models import INSTITUTION_STAFF_ROLES, STAFF_ROLES, CompanyRelationship, Role


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


# The shared company record: status for the whole network, declines and contacts per institution.
COMPANY_ROLES = (Role.CAREER_OFFICER, Role.PARTNER_ADMIN)


def can_view_company_record(user) -> bool:
    """The company page with its verification history: the staff of members and consortium admins."""
    return staff_institution_id(user) is not None or is_consortium_admin(user)


def can_verify_company(user) -> bool:
    """Verify, flag or clear a company for the whole network: officers and partner admins of an active member."""
    return has_role(user, *COMPANY_ROLES) and user.institution is not None and user.institution.is_active


def can_decline_company(user, institution) -> bool:
    """Decline a company, or take the decline back, for one's own institution only."""
    return institution is not None and institution.is_active and holds_role_at(user, institution, *COMPANY_ROLES)


def can_invite_company_contact(user, institution, company) -> bool:
    """Officers and partner admins of an institution that works with the company."""
    return (
        can_decline_company(user, institution)
        and CompanyRelationship.objects.filter(institution=institution, company=company).exists()
    )


def require(allowed: bool) -> None:
    """For services: raise PermissionDenied unless a predicate allowed the action."""
    if not allowed:
        raise PermissionDenied(_("You are not allowed to do this."))
