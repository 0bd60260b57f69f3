"""The weekly digest: one row per person and ISO week, written before the e-mail goes out."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .people import User


class DigestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    # Nothing to tell that week, or the person had switched the digest off by the time it was built.
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class DigestDelivery(models.Model):
    """Unique per (user, period): a re-run finds the row instead of sending again, and a row still
    pending after its run (a killed worker) is sent by the next run."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="digest_deliveries")
    period = models.CharField(max_length=8)  # ISO week, "2026-W48"
    status = models.CharField(max_length=10, choices=DigestStatus.choices, default=DigestStatus.PENDING)
    items = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="digest_once_per_period")]
        indexes = [models.Index(fields=["period", "user"], condition=Q(status="pending"), name="digest_pending")]

    def __str__(self):
        return f"{self.user_id} · {self.period} ({self.status})"
