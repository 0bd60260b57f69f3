"""Notifications: the in-app inbox, each person's channel preferences and consents, e-mail deliveries."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .people import User


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the platform")
    EMAIL = "email", _("E-mail")
    DIGEST = "digest", _("Weekly digest")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Everyone reads their own inbox and nobody else's."""
        if not getattr(user, "pk", None):
            return self.none()
        return self.filter(recipient=user)

    def inbox(self):
        return self.filter(in_inbox=True)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    # False when the person chose e-mail only for this kind: the row still backs the delivery.
    in_inbox = models.BooleanField(default=True)
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "dedupe_key"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self):
        return f"{self.recipient} · {self.title}"


class NotificationPreference(models.Model):
    """A person's choice for one optional kind; without a row the kind's defaults apply."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=64)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=False)
    digest = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self):
        return f"{self.user} · {self.kind}"


class ConsentRecord(models.Model):
    """Append-only history of consent given and withdrawn, per kind and channel."""

    class Source(models.TextChoices):
        PREFERENCES = "preferences", _("Preferences page")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
        # Asked on the form where the person turns the feature on, e.g. saving a search as an alert.
        OPT_IN_FORM = "opt_in_form", _("The feature's own form")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consent_records")
    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    granted = models.BooleanField()
    source = models.CharField(max_length=16, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "kind", "channel", "-created_at"])]

    def __str__(self):
        verb = "granted" if self.granted else "withdrawn"
        return f"{self.user} {verb} {self.channel} for {self.kind} at {self.created_at:%Y-%m-%d %H:%M}"


class Delivery(models.Model):
    """One message on one channel to one person. Unique per (recipient, key, channel): a retry or a
    second notify() with the same key finds the row instead of sending again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="deliveries")
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    dedupe_key = models.CharField(max_length=270)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key", "channel"], name="delivery_once"),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status="pending"), name="delivery_pending"),
        ]

    def __str__(self):
        return f"{self.channel} to {self.recipient}: {self.dedupe_key} ({self.status})"
