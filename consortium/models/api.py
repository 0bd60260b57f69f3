"""API keys of member universities' systems, and the principal a key acts as."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .people import AdministeredQuerySet, Institution, User


class ApiKeyQuerySet(AdministeredQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A member university's system. Only a SHA-256 of the key is stored: keys are long and random."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiClient:
    """The principal a request authenticated by an API key acts as: the institution's system.

    It holds no role; what it may do comes from its key's scopes (see access.has_scope).
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None
    roles = frozenset()

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key
        self.institution = api_key.institution
        self.institution_id = api_key.institution_id

    def __str__(self):
        return f"API key {self.api_key}"
