"""Staff training weeks at partner institutions, their agendas and participants, and the career-advisor
curriculum the weeks teach. Seats (capacity, quotas, waitlist) are the core's SeatPlan."""

import datetime
import zoneinfo

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consortium.access import has_role, is_consortium_admin, is_signed_in
from consortium.models import ISO_LANGUAGES, Institution, Role, User, event_time_zone_field

# Who runs a week for its host, and who approves their own institution's participants.
ORGANIZER_ROLES = (Role.CAREER_OFFICER, Role.PARTNER_ADMIN)
# The career staff of a member institution who may take part in a week.
PARTICIPANT_ROLES = (Role.CAREER_OFFICER, Role.PARTNER_ADMIN, Role.ACADEMIC)
# Seat statuses (consortium.models.Seat) that hold or wait for a seat.
LIVE_SEAT_STATUSES = ("offered", "confirmed", "waitlisted")


class Module(models.Model):
    """A module of the European career-advisor curriculum; sessions of weeks cover modules."""

    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("Short and stable, e.g. CA-03."))
    title = models.CharField(_("title"), max_length=200)
    learning_outcomes = models.TextField(
        _("learning outcomes"), help_text=_("One outcome per line: what a participant is able to do afterwards.")
    )
    materials = models.TextField(_("materials"), blank=True, help_text=_("Markdown: readings, links, exercises."))
    materials_html = models.TextField(editable=False, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Order on the curriculum page."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("curriculum module")
        verbose_name_plural = _("curriculum modules")

    def __str__(self):
        return f"{self.code} {self.title}"

    def outcome_list(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.learning_outcomes.splitlines() if line.strip(" -•\t")]


class Place(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class WeekStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class TrainingWeekQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=WeekStatus.PUBLISHED)

    def upcoming(self, today: datetime.date | None = None):
        return self.filter(ends_on__gte=today or timezone.localdate())

    def past(self, today: datetime.date | None = None):
        return self.filter(ends_on__lt=today or timezone.localdate())

    def visible_to(self, user):
        """Published and cancelled weeks are public; drafts only to the host's organisers (mirrors
        permissions.can_view_week)."""
        if is_consortium_admin(user):
            return self
        shown = ~Q(status=WeekStatus.DRAFT)
        if has_role(user, *ORGANIZER_ROLES) and user.institution_id:
            shown |= Q(host_id=user.institution_id)
        return self.filter(shown)

    def editable_by(self, user):
        if has_role(user, *ORGANIZER_ROLES) and user.institution_id:
            return self.filter(host_id=user.institution_id)
        return self.none()


class TrainingWeek(models.Model):
    host = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="training_weeks", verbose_name=_("host institution")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True, help_text=_("The week's web address."))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    place = models.CharField(_("place"), max_length=10, choices=Place.choices, default=Place.ON_SITE)
    venue = models.CharField(_("venue"), max_length=200, blank=True, help_text=_("Building and address, or the link."))
    city = models.CharField(_("city"), max_length=100, blank=True)
    time_zone = event_time_zone_field(_("Where the sessions' times are local, e.g. Europe/Madrid."))
    language = models.CharField(_("language"), max_length=2, choices=ISO_LANGUAGES, default="en")
    description = models.TextField(_("description"), help_text=_("Markdown: **bold**, lists, links."))
    description_html = models.TextField(editable=False, blank=True)
    seat_plan = models.OneToOneField(
        "consortium.SeatPlan", on_delete=models.PROTECT, related_name="training_week", editable=False
    )
    waitlist = models.BooleanField(
        _("waitlist"), default=True, help_text=_("When seats run out, registrations queue for the seats that free up.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    contact = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("contact person")
    )
    status = models.CharField(_("status"), max_length=10, choices=WeekStatus.choices, default=WeekStatus.DRAFT)
    materials = models.ManyToManyField(
        "guides.Resource",
        blank=True,
        related_name="training_weeks",
        verbose_name=_("materials"),
        help_text=_("From the shared resource library: readings for the participants."),
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrainingWeekQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("training week")
        verbose_name_plural = _("training weeks")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="training_week_dates_ordered"),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="training_week_registration_window_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_on"]), models.Index(fields=["updated_at", "id"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:week", args=[self.slug])

    @property
    def days(self) -> list[datetime.date]:
        return [self.starts_on + datetime.timedelta(days=n) for n in range((self.ends_on - self.starts_on).days + 1)]

    def session_bounds(self, session) -> tuple[datetime.datetime, datetime.datetime]:
        """A session's start and end as aware datetimes in the week's time zone."""
        zone = zoneinfo.ZoneInfo(self.time_zone)
        return (
            datetime.datetime.combine(session.day, session.starts_at, zone),
            datetime.datetime.combine(session.day, session.ends_at, zone),
        )

    def registration_is_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == WeekStatus.PUBLISHED and self.registration_opens_at <= now < self.registration_closes_at


# What organisers edit, in the order forms show it.
EDITABLE_WEEK_FIELDS = [
    "title", "slug", "starts_on", "ends_on", "place", "venue", "city", "time_zone", "language", "description",
    "registration_opens_at", "registration_closes_at", "waitlist", "contact",
]  # fmt: skip


class Session(models.Model):
    """One slot of a week's agenda: a day within the week, times in the host's local time."""

    week = models.ForeignKey(TrainingWeek, on_delete=models.CASCADE, related_name="sessions")
    day = models.DateField(_("day"))
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(_("ends"))
    title = models.CharField(_("title"), max_length=200)
    room = models.CharField(_("room"), max_length=100, blank=True)
    speaker = models.CharField(_("speaker"), max_length=150, blank=True)
    module = models.ForeignKey(
        Module,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("curriculum module"),
    )

    class Meta:
        ordering = ["day", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_session_times_ordered"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.starts_at:%H:%M} {self.title}"


class TrainingPolicy(models.Model):
    """An institution's rules for its staff's registrations; without a row, approval is required."""

    institution = models.OneToOneField(Institution, on_delete=models.CASCADE, related_name="training_policy")
    approval_required = models.BooleanField(
        _("registrations need approval"),
        default=True,
        help_text=_("A partner admin approves each registration of our staff before it takes a seat."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.institution}: {'approval' if self.approval_required else 'no approval'}"

    @classmethod
    def requires_approval(cls, institution) -> bool:
        return not cls.objects.filter(institution=institution, approval_required=False).exists()


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


# Registrations that still count: one per person and week.
ACTIVE_REGISTRATION_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.APPROVED)


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_REGISTRATION_STATUSES)

    def confirmed(self):
        return self.filter(status=RegistrationStatus.APPROVED, seat__status="confirmed")

    def visible_to(self, user):
        """One's own registrations; those of one's institution to its partner admins; a week's to its
        host's organisers; all to consortium admins (mirrors permissions.can_view_registration)."""
        if is_consortium_admin(user):
            return self
        if not is_signed_in(user):
            return self.none()
        reach = Q(person=user)
        if user.institution_id:
            if has_role(user, Role.PARTNER_ADMIN):
                reach |= Q(institution_id=user.institution_id)
            if has_role(user, *ORGANIZER_ROLES):
                reach |= Q(week__host_id=user.institution_id)
        return self.filter(reach)

    def awaiting_approval_by(self, user):
        if has_role(user, Role.PARTNER_ADMIN) and user.institution_id:
            return self.filter(institution_id=user.institution_id, status=RegistrationStatus.PENDING)
        return self.none()

    def with_attendance(self):
        return self.filter(Exists(Attendance.objects.filter(registration=OuterRef("pk"))))


class Registration(models.Model):
    """A person's registration for a week. Once approved it holds a Seat of the week's plan, whose
    status says whether the seat is confirmed, offered or waited for."""

    week = models.ForeignKey(TrainingWeek, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="training_registrations")
    # The institution the person registered for: its quota and its partner admin's approval.
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    motivation = models.TextField(_("what you hope to learn"), max_length=2000, blank=True)
    seat = models.OneToOneField(
        "consortium.Seat", on_delete=models.SET_NULL, null=True, blank=True, related_name="training_registration"
    )
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "person"],
                condition=Q(status__in=["pending", "approved"]),
                name="training_registration_once_per_week",
            )
        ]
        indexes = [
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["updated_at", "id"]),
        ]

    def __str__(self):
        return f"{self.person} → {self.week}"

    def get_absolute_url(self):
        return reverse("training:registration", args=[self.pk])

    @property
    def seat_status(self) -> str | None:
        return self.seat.status if self.status == RegistrationStatus.APPROVED and self.seat_id else None

    @property
    def is_confirmed(self) -> bool:
        return self.seat_status == "confirmed"


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="attendances")
    checked_in_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session__day", "session__starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "registration"], name="training_attendance_once"),
        ]

    def __str__(self):
        return f"{self.registration.person} @ {self.session}"
