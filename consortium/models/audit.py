"""The audit log: who did what to whom, append-only."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import AdministeredQuerySet, Institution, User


class AuditAction(models.TextChoices):
    INSTITUTION_CREATED = "institution.created", _("Institution created")
    INSTITUTION_UPDATED = "institution.updated", _("Institution updated")
    STAFF_INVITED = "staff.invited", _("Staff member invited")
    INVITATION_REVOKED = "invitation.revoked", _("Invitation revoked")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    ROLES_CHANGED = "user.roles_changed", _("Roles changed")
    USER_DEACTIVATED = "user.deactivated", _("User deactivated")
    USER_REACTIVATED = "user.reactivated", _("User reactivated")
    LIAISON_NOMINATED = "liaison.nominated", _("Liaison officer nominated")
    COMPANY_CREATED = "company.created", _("Company added to the network")
    RELATIONSHIP_SAVED = "company_relationship.saved", _("Company relationship saved")
    RELATIONSHIP_REMOVED = "company_relationship.removed", _("Company relationship removed")
    COMPANY_VERIFIED = "company.verified", _("Company verified")
    COMPANY_FLAGGED = "company.flagged", _("Company flagged as suspicious")
    COMPANY_STATUS_CLEARED = "company.status_cleared", _("Company verification cleared")
    COMPANY_DECLINED = "company.declined", _("Company declined by an institution")
    COMPANY_UNDECLINED = "company.undeclined", _("Company decline withdrawn")
    COMPANY_CONTACT_INVITED = "company.contact_invited", _("Company contact invited")
    API_KEY_CREATED = "api_key.created", _("API key created")
    API_KEY_REVOKED = "api_key.revoked", _("API key revoked")
    WEBHOOK_CREATED = "webhook.created", _("Webhook endpoint added")
    WEBHOOK_UPDATED = "webhook.updated", _("Webhook endpoint changed")
    WEBHOOK_DELETED = "webhook.deleted", _("Webhook endpoint removed")
    WEBHOOK_DISABLED = "webhook.disabled", _("Webhook endpoint disabled after failures")
    ACCOUNT_ERASED = "account.erased", _("Account erased at its owner's request")
    JOBS_IMPORTED = "jobs.imported", _("Jobs imported from a file")


# What every member's staff may read about a company in the shared network; declines stay local.
COMPANY_NETWORK_ACTIONS = (
    AuditAction.COMPANY_CREATED,
    AuditAction.COMPANY_VERIFIED,
    AuditAction.COMPANY_FLAGGED,
    AuditAction.COMPANY_STATUS_CLEARED,
)
COMPANY_LOCAL_ACTIONS = (
    AuditAction.COMPANY_DECLINED,
    AuditAction.COMPANY_UNDECLINED,
    AuditAction.COMPANY_CONTACT_INVITED,
)


class AuditLogQuerySet(AdministeredQuerySet):
    def company_history(self, company, user):
        """A company's record for the staff of any member: the network's status changes for all,
        and the local decisions of the viewer's own institution (all of them for consortium admins)."""
        from ..access import is_consortium_admin, staff_institution_id

        about = self.filter(target_type="consortium.company", target_id=str(company.pk))
        if is_consortium_admin(user):
            return about.filter(action__in=COMPANY_NETWORK_ACTIONS + COMPANY_LOCAL_ACTIONS)
        own = staff_institution_id(user)
        if own is None:
            return about.none()
        return about.filter(
            models.Q(action__in=COMPANY_NETWORK_ACTIONS)
            | models.Q(action__in=COMPANY_LOCAL_ACTIONS, institution_id=own)
        )


class AuditLog(models.Model):
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    api_key = models.ForeignKey("ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Kept as text so the log still reads after the actor's account is erased.
    actor_repr = models.CharField(max_length=300)
    action = models.CharField(max_length=64, choices=AuditAction.choices)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["institution", "-created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.target_repr}"
