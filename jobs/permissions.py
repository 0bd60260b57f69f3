"""Who may post and manage jobs: career officers and partner admins of the posting institution, the
institution's own systems through an API key with the jobs:write scope, and company contacts for
their company's jobs, which an officer approves."""

from django.db.models import Exists, OuterRef

from consortium.access import has_role, has_scope, holds_role_at, is_consortium_admin, is_signed_in
from consortium.models import CompanyDecline, CompanyRelationship, CompanyStatus, Institution, Role, User

from .models import Job, JobStatus

POSTING_ROLES = (Role.CAREER_OFFICER, Role.PARTNER_ADMIN)


def _institution_system(user, institution) -> bool:
    """A member university's system, through an API key of that institution with the write scope."""
    return has_scope(user, "jobs:write") and user.institution_id == institution.pk


def can_post_job(user, institution) -> bool:
    return (
        holds_role_at(user, institution, *POSTING_ROLES)
        or _institution_system(user, institution)
        or (is_company_contact(user) and submission_institutions(user).filter(pk=institution.pk).exists())
    )


def can_edit_job(user, job) -> bool:
    """Staff change their institution's jobs; a company contact only its company's jobs not yet approved."""
    return (
        is_consortium_admin(user)
        or holds_role_at(user, job.institution, *POSTING_ROLES)
        or _institution_system(user, job.institution)
        or (
            is_company_contact(user)
            and job.company_id == user.company_id
            and job.posted_by_id == user.pk
            and job.status in (JobStatus.DRAFT, JobStatus.PENDING)
        )
    )


# Company contacts post their company's jobs to an institution that works with it; an officer there
# approves them. A flagged company's jobs need a partner admin (or a consortium admin) instead.


def is_company_contact(user) -> bool:
    return has_role(user, Role.COMPANY_CONTACT) and user.company_id is not None


def submission_institutions(user):
    """The active institutions a company contact may submit jobs to: those with a relationship with
    their company that have not declined it."""
    if not is_company_contact(user):
        return Institution.objects.none()
    works_with = CompanyRelationship.objects.filter(institution=OuterRef("pk"), company=user.company_id)
    declined = CompanyDecline.objects.filter(institution=OuterRef("pk"), company=user.company_id)
    return Institution.objects.active().filter(Exists(works_with), ~Exists(declined))


def needs_approval(user, job) -> bool:
    """Publishing holds the job for approval: a company contact's job, or any job of a flagged company."""
    return is_company_contact(user) or job.company.status == CompanyStatus.FLAGGED


def can_approve_job(user, job) -> bool:
    """Never the poster. Mirrored by Job.objects.awaiting_approval_by."""
    if job.status != JobStatus.PENDING or not is_signed_in(user) or user.pk == job.posted_by_id:
        return False
    if job.company.status == CompanyStatus.FLAGGED:
        return is_consortium_admin(user) or holds_role_at(user, job.institution, Role.PARTNER_ADMIN)
    return holds_role_at(user, job.institution, *POSTING_ROLES)


def can_review_jobs(user) -> bool:
    """Open the approval queue: those who may approve some job."""
    return has_role(user, *POSTING_ROLES, Role.CONSORTIUM_ADMIN)


def approvers_of(job):
    """Who is asked to approve: the posting institution's approvers. Consortium admins may step in
    for a flagged company but are not asked, or every flag anywhere would reach them."""
    roles = [Role.PARTNER_ADMIN] if job.company.status == CompanyStatus.FLAGGED else list(POSTING_ROLES)
    people = User.objects.holding(job.institution, *roles)
    return people.exclude(pk=job.posted_by_id) if job.posted_by_id else people


# Applications are between the student and the posting institution's staff: neither consortium admins
# nor API keys read them, and the staff of a job's institution do not apply to it.


def can_apply(user, job) -> bool:
    """May try to apply: a signed-in person who sees the job; whether it still takes applications is
    the service's to say, with its reason."""
    return (
        is_signed_in(user)
        and not can_manage_applications(user, job)
        and Job.objects.visible_to(user).filter(pk=job.pk).exists()
    )


def can_manage_applications(user, job) -> bool:
    return holds_role_at(user, job.institution, *POSTING_ROLES)


def can_withdraw_application(user, application) -> bool:
    return is_signed_in(user) and application.applicant_id == user.pk


# Saved jobs and searches belong to the person who saved them; saving needs an account, not a role.


def can_save_job(user, job) -> bool:
    return is_signed_in(user) and Job.objects.visible_to(user).filter(pk=job.pk).exists()


def can_keep_saved_items(user) -> bool:
    """Save searches, turn them into alerts, take saved things off one's lists: any account."""
    return is_signed_in(user)


def can_manage_saved_search(user, saved_search) -> bool:
    return is_signed_in(user) and saved_search.user_id == user.pk


# A suspicious job is reported to the staff who post for its institution; they fix or close their
# own jobs instead of reporting them.


def can_report_job(user, job) -> bool:
    return (
        is_signed_in(user)
        and not holds_role_at(user, job.institution, *POSTING_ROLES)
        and Job.objects.visible_to(user).filter(pk=job.pk).exists()
    )


def can_handle_reports(user, institution) -> bool:
    return holds_role_at(user, institution, *POSTING_ROLES)


def can_resolve_report(user, report) -> bool:
    return can_handle_reports(user, report.job.institution)
