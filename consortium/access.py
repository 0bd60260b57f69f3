"""The access primitives every app builds its predicates on: who belongs where, in which role.

Each takes the request's user (possibly anonymous) and answers from the user row and its
roles alone, so a page can ask them repeatedly for the price of one roles query.
"""

from .models import MFA_REQUIRED_ROLES, STAFF_ROLES, ApiClient, Role


def is_signed_in(user) -> bool:
    """A person with an active account; an API key is never one (see has_scope)."""
    return bool(user and user.is_authenticated and user.is_active) and not isinstance(user, ApiClient)


def has_role(user, *roles: str) -> bool:
    return is_signed_in(user) and not user.roles.isdisjoint(roles)


def is_consortium_admin(user) -> bool:
    return has_role(user, Role.CONSORTIUM_ADMIN)


def staff_institution_id(user) -> int | None:
    """The institution a user works for, or None for students, externals and the anonymous."""
    if has_role(user, *STAFF_ROLES) and user.institution_id:
        return user.institution_id
    return None


def managed_institution_ids(user) -> list[int]:
    """Institutions whose people and settings a user administers as partner admin."""
    if has_role(user, Role.PARTNER_ADMIN) and user.institution_id:
        return [user.institution_id]
    return []


def belongs_to(user, institution) -> bool:
    return is_signed_in(user) and institution is not None and user.institution_id == institution.pk


def holds_role_at(user, institution, *roles: str) -> bool:
    return belongs_to(user, institution) and has_role(user, *roles)


def has_scope(user, scope: str) -> bool:
    """True for a request made with an active API key that carries the scope."""
    api_key = getattr(user, "api_key", None)
    return api_key is not None and api_key.is_active and api_key.institution.is_active and scope in api_key.scopes


def requires_mfa(user) -> bool:
    """Admins of institutions or of the consortium, and operators of the back office."""
    return is_signed_in(user) and (user.is_staff or user.is_superuser or has_role(user, *MFA_REQUIRED_ROLES))
