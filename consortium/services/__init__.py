"""Writes with rules in the core, one module per sub-domain.

Every function is keyword-only and atomic, checks the actor's permission first (raising
PermissionDenied), raises ValidationError keyed by the offending field, and records what it
did in the audit log.
"""

from .api_keys import api_key_for, create_api_key, revoke_api_key
from .audit import record_audit
from .companies import (
    add_company,
    clear_company_status,
    decline_company,
    ensure_new_company,
    flag_company,
    invite_company_contact,
    remove_company_relationship,
    save_company_relationship,
    undecline_company,
    verify_company,
)
from .people import (
    INVITATION_SALT,
    accept_invitation,
    deactivate_user,
    enrol_student,
    ensure_usable,
    institution_for_email,
    invitation_from_token,
    invitation_token,
    invite_staff,
    liaison_refusal,
    nominate_liaison,
    reactivate_user,
    revoke_invitation,
    save_institution,
    set_preferred_language,
    set_spoken_languages,
    set_staff_roles,
    unknown_domain_message,
)
from .privacy import erase_account, export_personal_data

__all__ = [
    "verify_company",
    "undecline_company",
    "invite_company_contact",
    "flag_company",
    "decline_company",
    "clear_company_status",
    "INVITATION_SALT",
    "accept_invitation",
    "add_company",
    "api_key_for",
    "create_api_key",
    "deactivate_user",
    "enrol_student",
    "erase_account",
    "export_personal_data",
    "ensure_new_company",
    "ensure_usable",
    "institution_for_email",
    "invitation_from_token",
    "invitation_token",
    "invite_staff",
    "liaison_refusal",
    "nominate_liaison",
    "reactivate_user",
    "record_audit",
    "remove_company_relationship",
    "revoke_api_key",
    "revoke_invitation",
    "save_company_relationship",
    "save_institution",
    "set_preferred_language",
    "set_spoken_languages",
    "set_staff_roles",
    "unknown_domain_message",
]
