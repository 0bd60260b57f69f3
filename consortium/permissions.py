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


# Support desk

# The career staff of an institution: who asks partners for help and who answers them.
SUPPORT_ROLES = (Role.CAREER_OFFICER, Role.PARTNER_ADMIN)


def can_use_support_desk(user) -> bool:
    """Career officers (liaison officers among them) and partner admins of a member institution;
    never students, academics or company contacts."""
    return (
        has_role(user, *SUPPORT_ROLES)
        and not has_role(user, Role.STUDENT, Role.COMPANY_CONTACT)
        and user.institution_id is not None
    )


def is_liaison_officer(user) -> bool:
    """Holds an active liaison nomination: sees the consortium-wide queue."""
    from .models import LiaisonNomination

    return (
        can_use_support_desk(user)
        and LiaisonNomination.objects.active().filter(officer=user, institution_id=user.institution_id).exists()
    )


def is_support_target_staff(user, request) -> bool:
    """Works the desk of the institution a request is addressed to; for a request in the shared
    queue, any liaison officer but the asking institution's. Only they read internal notes and answer.
    Mirrors the models' _target_staff_scope."""
    if not can_use_support_desk(user):
        return False
    if request.target_institution_id is not None:
        return user.institution_id == request.target_institution_id
    return request.in_shared_queue and is_liaison_officer(user) and not is_support_requesting_staff(user, request)


def is_support_requesting_staff(user, request) -> bool:
    return can_use_support_desk(user) and user.institution_id == request.requesting_institution_id


def can_view_support_request(user, request) -> bool:
    return is_support_requesting_staff(user, request) or is_support_target_staff(user, request)


def can_open_support_request(user) -> bool:
    return can_use_support_desk(user) and user.institution.is_active


def can_claim_support_request(user, request) -> bool:
    return is_support_target_staff(user, request) and not is_support_requesting_staff(user, request)


def can_answer_support_request(user, request) -> bool:
    return can_claim_support_request(user, request)


def can_resolve_support_request(user, request) -> bool:
    """The career staff of the requesting institution, the requester or any colleague. Whether the
    request's state allows it (an answer to rate) is the service's check."""
    return is_support_requesting_staff(user, request)


def can_reopen_support_request(user, request) -> bool:
    return is_support_requesting_staff(user, request)


# Knowledge base


def can_read_knowledge_base(user) -> bool:
    """Every career officer and partner admin of the consortium, and its admins; never students."""
    return has_role(user, Role.CAREER_OFFICER, Role.PARTNER_ADMIN, Role.CONSORTIUM_ADMIN)


def can_edit_article(user, article) -> bool:
    """Its author while still a career officer, and consortium admins."""
    return is_consortium_admin(user) or (
        has_role(user, Role.CAREER_OFFICER) and article.author_id is not None and article.author_id == user.pk
    )


def can_read_article(user, article) -> bool:
    """Mirrors KnowledgeArticle.objects.visible_to."""
    return can_read_knowledge_base(user) and (article.is_published or can_edit_article(user, article))


def can_publish_article(user, support_request) -> bool:
    """A resolved request whose requester agreed to publication, by a career officer of the target side
    who answered it in the thread (not merely a colleague: the answer is theirs to edit)."""
    from .models import SupportMessage, SupportStatus

    return (
        support_request.status == SupportStatus.RESOLVED
        and support_request.publication_consent
        and has_role(user, Role.CAREER_OFFICER)
        and is_support_target_staff(user, support_request)
        and not is_support_requesting_staff(user, support_request)
        and support_request.messages.filter(author=user, kind=SupportMessage.Kind.MESSAGE).exists()
    )


# Support desk figures


def can_view_support_figures(user, institution) -> bool:
    """An institution's desk figures: its own career staff, and consortium admins; the whole
    consortium's (institution None) only consortium admins."""
    if is_consortium_admin(user):
        return True
    return institution is not None and can_use_support_desk(user) and user.institution_id == institution.pk


def can_view_support_matrix(user) -> bool:
    """Who asks whom across the consortium."""
    return is_consortium_admin(user)


# Impact figures


def can_view_impact(user, institution) -> bool:
    """An institution's impact figures, next to the consortium's aggregates: its partner admins and
    consortium admins."""
    return can_manage_institution(user, institution)


def can_view_consortium_impact(user) -> bool:
    """Every institution's figures side by side."""
    return is_consortium_admin(user)
