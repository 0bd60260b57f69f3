"""The core's browser views, one module per sub-domain."""

from .accounts import invitation_accept, privacy, privacy_export, profile, set_language
from .companies import company_create, company_list
from .health import healthz
from .institutions import (
    api_key_revoke,
    api_keys,
    audit_log,
    home,
    institution_list,
    invitation_revoke,
    liaison,
    manage,
    manage_index,
    member_edit,
    member_list,
    relationship_edit,
    relationship_remove,
    relationships,
    staff,
    staff_edit,
    staff_set_active,
)
from .notifications import inbox, mark_all_read, mark_read, preferences, unread_count, unsubscribe
from .webhooks import webhook_action, webhook_detail, webhook_list

__all__ = [
    "api_key_revoke",
    "api_keys",
    "audit_log",
    "company_create",
    "company_list",
    "healthz",
    "inbox",
    "mark_all_read",
    "mark_read",
    "preferences",
    "unread_count",
    "unsubscribe",
    "webhook_action",
    "webhook_detail",
    "webhook_list",
    "home",
    "institution_list",
    "invitation_accept",
    "invitation_revoke",
    "liaison",
    "manage",
    "manage_index",
    "member_edit",
    "member_list",
    "privacy",
    "privacy_export",
    "profile",
    "relationship_edit",
    "relationship_remove",
    "relationships",
    "set_language",
    "staff",
    "staff_edit",
    "staff_set_active",
]
