"""Seats of any event with limited places (training weeks, summer schools): capacity, a quota per
institution, an ordered waitlist, and offers that expire. The event holds a OneToOneField to its
SeatPlan; the rules live in consortium.services.seats."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .people import Institution, User


class SeatPlan(models.Model):
    """The seats of one event. `kind` names the owner ("training.week") and so the handler that
    hears about offers and expiries (consortium.registry.register_seat_handler)."""

    kind = models.CharField(max_length=50)
    capacity = models.PositiveIntegerField(_("capacity"))
    offer_hours = models.PositiveIntegerField(_("hours to confirm an offered seat"), default=48)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("seat plan")
        verbose_name_plural = _("seat plans")
        constraints = [models.CheckConstraint(condition=Q(offer_hours__gte=1), name="seat_plan_offer_hours_positive")]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.capacity})"


class SeatQuota(models.Model):
    """The most seats one institution's people may hold. An institution without a row is capped by
    the capacity alone; a row with 0 seats shuts that institution out."""

    plan = models.ForeignKey(SeatPlan, on_delete=models.CASCADE, related_name="quotas")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    seats = models.PositiveIntegerField(_("seats"))

    class Meta:
        ordering = ["institution__name"]
        constraints = [models.UniqueConstraint(fields=["plan", "institution"], name="seat_quota_once")]

    def __str__(self):
        return f"{self.institution} · {self.seats}"


class SeatStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Offer expired")


# A seat that holds a place (counts against capacity and quota) and one that is still alive.
HOLDING_SEAT_STATUSES = (SeatStatus.OFFERED, SeatStatus.CONFIRMED)
LIVE_SEAT_STATUSES = (SeatStatus.OFFERED, SeatStatus.CONFIRMED, SeatStatus.WAITLISTED)


class SeatQuerySet(models.QuerySet):
    def holding(self):
        return self.filter(status__in=HOLDING_SEAT_STATUSES)

    def live(self):
        return self.filter(status__in=LIVE_SEAT_STATUSES)

    def waiting(self):
        """The waitlist in its order: first come, first served."""
        return self.filter(status=SeatStatus.WAITLISTED).order_by("queued_at", "pk")


class Seat(models.Model):
    """One person's place (or place in line) for one plan. `institution` is the holder's at the time
    of the request: the quota it counts against does not move if the person changes employer."""

    plan = models.ForeignKey(SeatPlan, on_delete=models.CASCADE, related_name="seats")
    holder = models.ForeignKey(User, on_delete=models.CASCADE, related_name="seats")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=SeatStatus.choices)
    queued_at = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SeatQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "holder"], condition=Q(status__in=LIVE_SEAT_STATUSES), name="seat_one_live_per_holder"
            ),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in SeatStatus]), name="seat_status_valid"),
            # An offer always says until when; a seat held or waiting carries no deadline. Expired and
            # cancelled seats keep theirs as history.
            models.CheckConstraint(
                condition=~Q(status=SeatStatus.OFFERED) | Q(offer_expires_at__isnull=False, offered_at__isnull=False),
                name="seat_offer_has_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[SeatStatus.CONFIRMED, SeatStatus.WAITLISTED])
                | Q(offer_expires_at__isnull=True),
                name="seat_deadline_only_when_offered",
            ),
            models.CheckConstraint(
                condition=~Q(status=SeatStatus.CONFIRMED) | Q(confirmed_at__isnull=False),
                name="seat_confirmed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=SeatStatus.WAITLISTED) | Q(queued_at__isnull=False),
                name="seat_waitlisted_has_place_in_line",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "status", "queued_at"]),
            models.Index(fields=["offer_expires_at"], condition=Q(status=SeatStatus.OFFERED), name="seat_offer_expiry"),
        ]

    def __str__(self):
        return f"{self.holder} · {self.get_status_display()}"
