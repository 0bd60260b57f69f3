"""Who may post and manage jobs: career officers and partner admins of the posting institution."""

from consortium.access import holds_role_at, is_consortium_admin
from consortium.models import Role

POSTING_ROLES = (Role.CAREER_OFFICER, Role.PARTNER_ADMIN)


def can_post_job(user, institution) -> bool:
    return holds_role_at(user, institution, *POSTING_ROLES)


def can_edit_job(user, job) -> bool:
    return is_consortium_admin(user) or holds_role_at(user, job.institution, *POSTING_ROLES)
