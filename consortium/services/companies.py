"""Writes to the shared company network and to institutions' company relationships."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import permissions
from ..models import (
    AuditAction,
    Company,
    CompanyDecline,
    CompanyRelationship,
    CompanyStatus,
    Institution,
    Invitation,
    Role,
    User,
)
from ..permissions import require
from .audit import record_audit
from .notifications import notify
from .people import create_invitation


def _unique_company_slug(name: str) -> str:
    base = slugify(name)[:200] or "company"
    slug, n = base, 2
    while Company.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def ensure_new_company(*, name: str, country: str) -> None:
    duplicate = Company.objects.filter(name__iexact=name.strip(), country=country).first()
    if duplicate:
        raise ValidationError({"name": _("%(name)s is already in the network.") % {"name": duplicate.name}})


@transaction.atomic
def add_company(*, company: Company, by: User) -> Company:
    """Add a company to the shared network, unless one of that name exists in that country."""
    require(permissions.can_add_company(by))
    ensure_new_company(name=company.name, country=company.country)
    company.name = company.name.strip()
    company.slug = _unique_company_slug(company.name)
    company.created_by = by if isinstance(by, User) else None
    company.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError:
        # A concurrent request added the same company a moment ago.
        raise ValidationError({"name": _("%(name)s is already in the network.") % {"name": company.name}}) from None
    record_audit(actor=by, action=AuditAction.COMPANY_CREATED, target=company, institution=by.institution)
    return company


@transaction.atomic
def save_company_relationship(*, relationship: CompanyRelationship, by: User) -> CompanyRelationship:
    institution = relationship.institution
    require(permissions.can_manage_company_relationships(by, institution))
    owner = relationship.owner
    if owner and (
        owner.institution_id != institution.pk or not owner.is_active or Role.CAREER_OFFICER not in owner.roles
    ):
        raise ValidationError(
            {"owner": _("The owner must be a career officer of %(institution)s.") % {"institution": institution}}
        )
    duplicate = ValidationError(
        {
            "company": _("%(institution)s already has a relationship with %(company)s.")
            % {"institution": institution.short_name, "company": relationship.company}
        }
    )
    if (
        CompanyRelationship.objects.filter(institution=institution, company=relationship.company)
        .exclude(pk=relationship.pk)
        .exists()
    ):
        raise duplicate
    try:
        with transaction.atomic():
            relationship.save()
    except IntegrityError:
        raise duplicate from None
    record_audit(
        actor=by,
        action=AuditAction.RELATIONSHIP_SAVED,
        target=relationship,
        institution=institution,
        details={"owner": owner.email if owner else None, "since": str(relationship.since)},
    )
    return relationship


@transaction.atomic
def remove_company_relationship(*, relationship: CompanyRelationship, by: User) -> None:
    require(permissions.can_manage_company_relationships(by, relationship.institution))
    record_audit(
        actor=by,
        action=AuditAction.RELATIONSHIP_REMOVED,
        target=relationship,
        institution=relationship.institution,
    )
    relationship.delete()


# The network's verification: one status for everyone, with who set it, from where and when


def _set_status(*, company: Company, status: str, note: str, by: User) -> Company:
    company = Company.objects.select_for_update().get(pk=company.pk)
    if company.status == status and company.status_note == note:
        return company  # asked twice: nothing new to record or tell
    company.status, company.status_note = status, note
    company.status_changed_by, company.status_changed_by_institution = by, by.institution
    company.status_changed_at = timezone.now()
    company.save(
        update_fields=[
            "status",
            "status_note",
            "status_changed_by",
            "status_changed_by_institution",
            "status_changed_at",
            "updated_at",
        ]
    )
    action = {
        CompanyStatus.VERIFIED: AuditAction.COMPANY_VERIFIED,
        CompanyStatus.FLAGGED: AuditAction.COMPANY_FLAGGED,
        CompanyStatus.UNVERIFIED: AuditAction.COMPANY_STATUS_CLEARED,
    }[status]
    entry = record_audit(
        actor=by, action=action, target=company, institution=by.institution, details={"note": note} if note else {}
    )
    if status == CompanyStatus.FLAGGED:
        # The officers who work with it elsewhere are the ones who must know before posting again.
        owners = User.objects.filter(owned_company_relationships__company=company, is_active=True).exclude(
            institution_id=by.institution_id
        )
        notify(
            owners.distinct(),
            "company.flagged",
            context={"company": company, "by": by, "institution": by.institution, "reason": note},
            dedupe_key=f"flagged:{entry.pk}",
            target=company,
        )
    return company


@transaction.atomic
def verify_company(*, company: Company, by: User) -> Company:
    require(permissions.can_verify_company(by))
    return _set_status(company=company, status=CompanyStatus.VERIFIED, note="", by=by)


@transaction.atomic
def flag_company(*, company: Company, reason: str, by: User) -> Company:
    """Mark a company suspicious for the whole network; its new jobs then wait for approval."""
    require(permissions.can_verify_company(by))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the company looks suspicious: other partners will read it.")})
    return _set_status(company=company, status=CompanyStatus.FLAGGED, note=reason, by=by)


@transaction.atomic
def clear_company_status(*, company: Company, by: User) -> Company:
    """Back to unverified, e.g. when a flag turned out to be a mistake."""
    require(permissions.can_verify_company(by))
    return _set_status(company=company, status=CompanyStatus.UNVERIFIED, note="", by=by)


# Each institution's own decision


@transaction.atomic
def decline_company(*, company: Company, institution: Institution, reason: str, by: User) -> CompanyDecline:
    """The institution stops working with the company; declining twice keeps the first decline."""
    require(permissions.can_decline_company(by, institution))
    decline, created = CompanyDecline.objects.get_or_create(
        institution=institution, company=company, defaults={"reason": reason.strip(), "declined_by": by}
    )
    if created:
        record_audit(
            actor=by,
            action=AuditAction.COMPANY_DECLINED,
            target=company,
            institution=institution,
            details={"reason": decline.reason} if decline.reason else {},
        )
    return decline


@transaction.atomic
def undecline_company(*, company: Company, institution: Institution, by: User) -> None:
    require(permissions.can_decline_company(by, institution))
    deleted, _rows = CompanyDecline.objects.filter(institution=institution, company=company).delete()
    if deleted:
        record_audit(actor=by, action=AuditAction.COMPANY_UNDECLINED, target=company, institution=institution)


@transaction.atomic
def invite_company_contact(
    *, institution: Institution, company: Company, email: str, full_name: str, by: User
) -> Invitation:
    """Invite someone to speak for a company the institution works with: they post its jobs for approval."""
    require(permissions.can_invite_company_contact(by, institution, company))
    email = User.objects.normalize_email(email).strip()
    if User.objects.filter(email__iexact=email, company=company).exists():
        raise ValidationError({"email": _("Someone already has an account with this address.")})
    invitation = create_invitation(
        institution=institution, email=email, full_name=full_name, roles=[Role.COMPANY_CONTACT], company=company, by=by
    )
    record_audit(
        actor=by,
        action=AuditAction.COMPANY_CONTACT_INVITED,
        target=company,
        institution=institution,
        details={"email": email},
    )
    return invitation
