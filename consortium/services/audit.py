"""The audit log's one writer."""

from django.db.models import Model

from ..models import (
    ApiClient,
    AuditLog,
    Institution,
    User,
)


def record_audit(
    *,
    actor: User | ApiClient | None,
    action: str,
    target: Model,
    institution: Institution | None,
    details: dict | None = None,
) -> AuditLog:
    """Append to the audit log; a write made through an API key is attributed to that key."""
    user = actor if isinstance(actor, User) else None
    return AuditLog.objects.create(
        actor=user,
        api_key=getattr(actor, "api_key", None),
        actor_repr=f"{user.full_name} <{user.email}>" if user else str(actor or "system"),
        action=action,
        institution=institution,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        details=details or {},
    )
