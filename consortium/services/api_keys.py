"""API keys: created by partner admins, shown once, stored hashed, revocable."""

import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..models import (
    ApiKey,
    AuditAction,
    Institution,
    User,
)
from ..permissions import require
from .audit import record_audit

API_KEY_PREFIX = "cck"


def hash_api_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_api_key(*, institution: Institution, name: str, scopes: list[str], by: User) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is shown once and never stored."""
    from ..registry import API_SCOPES

    require(permissions.can_manage_api_keys(by, institution))
    scopes = sorted(set(scopes))
    if unknown := [s for s in scopes if s not in API_SCOPES]:
        raise ValidationError({"scopes": _("Unknown scope: %(scope)s.") % {"scope": ", ".join(unknown)}})
    if not name.strip():
        raise ValidationError({"name": _("Give the key a name, such as the system that will use it.")})
    prefix = secrets.token_hex(4)
    raw = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        institution=institution,
        name=name.strip(),
        prefix=prefix,
        key_hash=hash_api_key(raw),
        scopes=scopes,
        created_by=by,
    )
    record_audit(
        actor=by,
        action=AuditAction.API_KEY_CREATED,
        target=api_key,
        institution=institution,
        details={"scopes": scopes},
    )
    return api_key, raw


def api_key_for(raw: str) -> ApiKey | None:
    """The active key a secret belongs to, or None. Compares hashes in constant time."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    try:
        # get(), not first(): the prefix is unique, and an ORDER BY to compile took a quarter of this lookup.
        keys = ApiKey.objects.active().select_related("institution")
        api_key = keys.get(prefix=parts[1], institution__is_active=True)
    except ApiKey.DoesNotExist:
        return None
    return api_key if hmac.compare_digest(api_key.key_hash, hash_api_key(raw)) else None


@transaction.atomic
def revoke_api_key(*, api_key: ApiKey, by: User) -> ApiKey:
    require(permissions.can_manage_api_keys(by, api_key.institution))
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        record_audit(actor=by, action=AuditAction.API_KEY_REVOKED, target=api_key, institution=api_key.institution)
    return api_key
