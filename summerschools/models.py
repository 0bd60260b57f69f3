"""Entrepreneurship summer schools: editions with their call, selection criteria and company challenges,
students' applications, organisers' reviews and the follow-up after a seat is confirmed. Seats
(capacity, quotas per institution, offers and the waitlist) are the core's SeatPlan."""

import datetime
import zoneinfo

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from consortium.access import is_consortium_admin, is_signed_in
from consortium.models import ISO_LANGUAGES, CefrLevel, FieldOfStudy, Institution, Role, User, event_time_zone_field

# Staff of the host or a co-organising institution who may organise an edition.
ORGANISER_ROLES = (Role.ACADEMIC, Role.CAREER_OFFICER, Role.PARTNER_ADMIN)
# Highest score a reviewer gives one criterion.
MAX_SCORE = 5


class Place(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    BLENDED = "blended", _("Blended (on site and online)")


class EditionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class EditionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=EditionStatus.PUBLISHED)

    def visible_to(self, user):
        """Published editions are public; drafts only to their organisers (mirrors permissions.can_view_edition)."""
        if is_consortium_admin(user):
            return self
        if is_signed_in(user):
            return self.filter(Q(status=EditionStatus.PUBLISHED) | Q(organisers=user)).distinct()
        return self.published()


class Edition(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    theme = models.CharField(_("theme"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    host = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="summer_schools", verbose_name=_("host institution")
    )
    co_organisers = models.ManyToManyField(
        Institution,
        blank=True,
        related_name="co_organised_summer_schools",
        verbose_name=_("co-organising institutions"),
    )
    organisers = models.ManyToManyField(
        User, blank=True, related_name="organised_summer_schools", verbose_name=_("organisers")
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    place = models.CharField(_("place"), max_length=10, choices=Place.choices, default=Place.ON_SITE)
    on_site_days = models.PositiveSmallIntegerField(
        _("days on site"), help_text=_("Days the students spend together at the host.")
    )
    city = models.CharField(_("city"), max_length=100)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    time_zone = event_time_zone_field(_("Where the school is held: its days begin and end there, e.g. Europe/Madrid."))
    # The start of the last day in the school's time zone, kept by save(): the school counts as ended
    # from then on, and queries over many editions, each in its own zone, compare with it.
    last_day_starts_at = models.DateTimeField(editable=False)
    language = models.CharField(_("working language"), max_length=2, choices=ISO_LANGUAGES, default="en")
    language_level = models.CharField(
        _("language level required"), max_length=2, choices=CefrLevel.choices, default=CefrLevel.B2
    )
    ects = models.DecimalField(_("ECTS credits"), max_digits=4, decimal_places=1)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown: **bold**, lists, links."))
    description_html = models.TextField(editable=False, blank=True)
    learning_outcomes = models.TextField(
        _("learning outcomes"), blank=True, help_text=_("One per line; printed on the certificates.")
    )
    team_size = models.PositiveSmallIntegerField(
        _("team size"), default=5, help_text=_("How many students one team should have.")
    )
    # Set when the organisers share the teams: members, and mentors, see their team spaces from then on.
    teams_shared_at = models.DateTimeField(_("teams shared"), null=True, blank=True, editable=False)
    fee = models.TextField(_("fee"), blank=True)
    funding = models.TextField(_("funding"), blank=True, help_text=_("Grants and what they cover."))
    seat_plan = models.OneToOneField(
        "consortium.SeatPlan", on_delete=models.PROTECT, related_name="summer_school", editable=False
    )
    call_opens_at = models.DateTimeField(_("call opens"))
    call_closes_at = models.DateTimeField(_("call closes"))
    status = models.CharField(_("status"), max_length=10, choices=EditionStatus.choices, default=EditionStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("summer school edition")
        verbose_name_plural = _("summer school editions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="summer_edition_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(call_closes_at__gt=models.F("call_opens_at")), name="summer_edition_call_ordered"
            ),
            models.CheckConstraint(condition=Q(team_size__gte=2), name="summer_edition_team_size_min"),
        ]
        indexes = [models.Index(fields=["status", "starts_on"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"ends_on", "time_zone"} & set(update_fields):
            self.last_day_starts_at = datetime.datetime.combine(self.ends_on, datetime.time(), self.zone)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "last_day_starts_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("summerschools:edition", args=[self.slug])

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_today(self, now: datetime.datetime | None = None) -> datetime.date:
        """Today where the school is held, the same for everyone whatever their own time zone."""
        return (now or timezone.now()).astimezone(self.zone).date()

    def has_ended(self, now: datetime.datetime | None = None) -> bool:
        """From the school's last day on: completion, certificates, the survey and the alumni (the rule
        of ApplicationQuerySet.participated, for one edition in hand)."""
        return self.local_today(now) >= self.ends_on

    def call_is_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == EditionStatus.PUBLISHED and self.call_opens_at <= now < self.call_closes_at

    def institutions(self) -> list[Institution]:
        return [self.host, *self.co_organisers.exclude(pk=self.host_id)]


# What organisers edit; never the status, which publishing changes on its own.
EDITABLE_EDITION_FIELDS = [
    "title", "slug", "theme", "year", "starts_on", "ends_on", "place", "on_site_days", "city", "venue", "time_zone",
    "language", "language_level", "ects", "description", "learning_outcomes", "team_size", "fee", "funding",
    "call_opens_at", "call_closes_at",
]  # fmt: skip


class Criterion(models.Model):
    """One selection criterion of an edition; reviewers score each, weighted by `weight`."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=150)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "name"], name="summer_criterion_once"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="summer_criterion_weight_positive"),
        ]

    def __str__(self):
        return f"{self.name} ×{self.weight}"


class Challenge(models.Model):
    """A real problem a company of the shared network sets the students, with a mentor."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="challenges")
    company = models.ForeignKey("consortium.Company", on_delete=models.PROTECT, related_name="summer_challenges")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    mentor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("mentor")
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.title} ({self.company})"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted, seat offered")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    EXPIRED = "expired", _("Offer expired")
    REJECTED = "rejected", _("Not selected")


class ApplicationQuerySet(models.QuerySet):
    def reviewable_by(self, user):
        """The applications of the reviewer's own institution's students, in editions they organise."""
        if not is_signed_in(user) or not user.institution_id:
            return self.none()
        return self.filter(institution_id=user.institution_id, edition__organisers=user)

    def confirmed(self):
        """The participants: students who confirmed their seat."""
        return self.filter(status=ApplicationStatus.CONFIRMED)

    def participated(self, now: datetime.datetime | None = None):
        """Confirmed places in schools that have ended, whose student the organisers have not marked as
        not completing it. A school has ended from its last day on, in its own time zone (the one rule
        for completion, certificates, the survey and the alumni)."""
        now = now or timezone.now()
        return self.confirmed().filter(edition__last_day_starts_at__lte=now).exclude(completed=False)

    def alumni(self, now: datetime.datetime | None = None):
        """What makes an alumnus (and lets one join the directory): a participation, its completion
        recorded or not (organisers record it late, if at all)."""
        return self.participated(now)

    def certified(self, now: datetime.datetime | None = None):
        """Participations with a certificate: ECTS credits need the organisers' recorded completion."""
        return self.participated(now).filter(completed=True)


def cv_path(application, filename):
    return f"summerschools/cv/{application.edition_id}/{application.student_id}.pdf"


class Application(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="applications")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="summer_school_applications")
    # The student's institution when applying: its organisers review and its quota counts.
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    motivation = models.TextField(_("motivation letter"))
    cv = models.FileField(_("CV (PDF)"), upload_to=cv_path)
    # [[ISO 639-1 code, CEFR level], ...] as consortium.forms.LanguageLevelsField gives them.
    languages = models.JSONField(_("languages"), default=list)
    field_of_study = models.CharField(_("field of study"), max_length=4, choices=FieldOfStudy.choices)
    preferred_challenges = models.ManyToManyField(
        Challenge, blank=True, related_name="+", verbose_name=_("preferred challenges")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    seat = models.OneToOneField(
        "consortium.Seat", on_delete=models.SET_NULL, null=True, blank=True, related_name="summer_application"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    team = models.ForeignKey(
        "Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    # Recorded by the organisers after the school: None until then, False withholds the certificate.
    completed = models.BooleanField(_("completed the school"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["edition", "student"], name="summer_application_once")]

    def __str__(self):
        return f"{self.student} → {self.edition}"

    def get_absolute_url(self):
        return reverse("summerschools:application", args=[self.pk])


class Review(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    conflict_of_interest = models.BooleanField(
        _("conflict of interest"), default=False, help_text=_("You know the applicant personally: no score counts.")
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="summer_review_once")]

    def __str__(self):
        return f"{self.reviewer} · {self.application}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(MAX_SCORE)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="summer_score_once"),
            models.CheckConstraint(condition=Q(score__lte=MAX_SCORE), name="summer_score_in_range"),
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.score}"


class FollowUp(models.Model):
    """What the host needs from a confirmed student; deleted 30 days after the school ends."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="follow_up")
    arrival = models.DateTimeField(_("arrival"))
    dietary_needs = models.CharField(_("dietary needs"), max_length=300, blank=True)
    emergency_contact = models.CharField(
        _("emergency contact"), max_length=300, help_text=_("Name and telephone number.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return str(self.application)


class Team(models.Model):
    """A mixed team of confirmed participants working on one challenge; its members are the
    applications pointing at it."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="teams")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    challenge = models.ForeignKey(
        Challenge, on_delete=models.SET_NULL, null=True, blank=True, related_name="teams", verbose_name=_("challenge")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["edition", "number"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["edition", "number"], name="summer_team_number_once")]

    def __str__(self):
        return self.name or _("Team %(number)s") % {"number": self.number}


class AlumniProfile(models.Model):
    """A former participant's entry in the alumni directory; having one is the opt-in."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="summer_alumni_profile")
    current_role = models.CharField(_("current role"), max_length=150)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), blank=True)
    website = models.URLField(_("website or profile"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__full_name", "pk"]
        verbose_name = _("alumni profile")
        verbose_name_plural = _("alumni profiles")

    def __str__(self):
        return str(self.user)


class Venture(models.Model):
    """A company or organisation founded by participants, counted for the edition it came from."""

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown: **bold**, lists, links."))
    # Rendered and sanitised once, when saved: pages and the API show it as it is.
    description_html = models.TextField(editable=False, blank=True)
    website = models.URLField(_("website"), blank=True)
    founded_year = models.PositiveSmallIntegerField(_("year founded"))
    country = CountryField(_("country"), blank=True)
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="ventures", verbose_name=_("edition it came from")
    )
    founders = models.ManyToManyField(User, related_name="summer_ventures", verbose_name=_("founders"))
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-founded_year", "name", "pk"]
        verbose_name = _("venture")
        verbose_name_plural = _("ventures")
        constraints = [
            models.UniqueConstraint(fields=["edition", "name"], name="summer_venture_once_per_edition"),
            models.CheckConstraint(condition=Q(founded_year__gte=1900), name="summer_venture_year_plausible"),
        ]

    def __str__(self):
        return self.name
