"""The core's models, one module per sub-domain."""

from .api import ApiClient, ApiKey
from .audit import AuditAction, AuditLog
from .companies import Company, CompanyRelationship, CompanySize, Sector
from .notifications import Channel, ConsentRecord, Delivery, Notification, NotificationPreference
from .people import (
    INSTITUTION_STAFF_ROLES,
    MFA_REQUIRED_ROLES,
    STAFF_ROLES,
    Institution,
    InstitutionDomain,
    Invitation,
    LiaisonNomination,
    Role,
    RoleAssignment,
    User,
    language_choices,
    new_invitation_nonce,
    role_labels,
    validate_time_zone,
)
from .webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint, new_webhook_secret

__all__ = [
    "INSTITUTION_STAFF_ROLES",
    "MFA_REQUIRED_ROLES",
    "STAFF_ROLES",
    "ApiClient",
    "ApiKey",
    "AuditAction",
    "AuditLog",
    "Channel",
    "ConsentRecord",
    "Delivery",
    "Notification",
    "NotificationPreference",
    "Company",
    "CompanyRelationship",
    "CompanySize",
    "Institution",
    "InstitutionDomain",
    "Invitation",
    "LiaisonNomination",
    "Role",
    "RoleAssignment",
    "Sector",
    "User",
    "language_choices",
    "new_invitation_nonce",
    "role_labels",
    "validate_time_zone",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "new_webhook_secret",
]
