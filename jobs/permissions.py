"""Who may post and manage jobs: career officers and partner admins of the posting institution, and
the institution's own systems through an API key with the jobs:write scope."""

from consortium.access import has_scope, holds_role_at, is_consortium_admin
from consortium.models import Role

POSTING_ROLES = (Role.CAREER_OFFICER, Role.PARTNER_ADMIN)


def _institution_system(user, institution) -> bool:
    """A member university's system, through an API key of that institution with the write scope."""
    return has_scope(user, "jobs:write") and user.institution_id == institution.pk


def can_post_job(user, institution) -> bool:
    return holds_role_at(user, institution, *POSTING_ROLES) or _institution_system(user, institution)


def can_edit_job(user, job) -> bool:
    return (
        is_consortium_admin(user)
        or holds_role_at(user, job.institution, *POSTING_ROLES)
        or _institution_system(user, job.institution)
    )
