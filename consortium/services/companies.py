"""Writes to the shared company network and to institutions' company relationships."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import permissions
from ..models import (
    AuditAction,
    Company,
    CompanyRelationship,
    Role,
    User,
)
from ..permissions import require
from .audit import record_audit


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
