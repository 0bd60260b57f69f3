import uuid

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from consortium.access import has_role, is_consortium_admin, is_signed_in, staff_institution_id
from consortium.models import (
    ISO_LANGUAGES,
    ApiClient,
    CefrLevel,
    Company,
    CompanyDecline,
    CompanyStatus,
    Institution,
    Role,
    User,
)

LANGUAGE_CHOICES = ISO_LANGUAGES


class JobKind(models.TextChoices):
    INTERNSHIP = "internship", _("Internship")
    TRAINEESHIP = "erasmus_traineeship", _("Erasmus+ traineeship")
    GRADUATE = "graduate", _("Graduate job")
    PART_TIME = "part_time", _("Part-time job")
    WORKING_STUDENT = "working_student", _("Working student")
    VOLUNTEERING = "volunteering", _("Volunteering")


class WorkMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    HYBRID = "hybrid", _("Hybrid")
    REMOTE = "remote", _("Remote")


class JobStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending approval")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")
    EXPIRED = "expired", _("Expired")


class Audience(models.TextChoices):
    CONSORTIUM = "consortium", _("The whole consortium")
    PARTNERS = "partners", _("Chosen partner institutions")
    OWN = "own", _("Our institution only")


class StartKind(models.TextChoices):
    DATE = "date", _("On a date")
    IMMEDIATE = "immediate", _("Immediate start")
    FLEXIBLE = "flexible", _("Flexible")


class ApplyMethod(models.TextChoices):
    PLATFORM = "platform", _("On the platform")
    URL = "url", _("On the employer's site")
    EMAIL = "email", _("By e-mail")


class SalaryPeriod(models.TextChoices):
    HOUR = "HOUR", _("per hour")
    MONTH = "MONTH", _("per month")
    YEAR = "YEAR", _("per year")


# Jobs once published: their readers keep seeing that they existed.
READABLE_STATUSES = (JobStatus.PUBLISHED, JobStatus.CLOSED, JobStatus.EXPIRED)


class JobQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=JobStatus.PUBLISHED)

    def visible_to(self, user, *, include_closed=False):
        """Published jobs a person may read, plus every job of the institution they post for.

        With `include_closed`, also the closed and expired jobs the person could read while they
        were published (a saved job stays listed, marked closed). One WHERE clause with EXISTS for
        the shared jobs: no join, so no duplicates to remove.
        """
        if is_consortium_admin(user):
            return self
        shown = Q(status__in=READABLE_STATUSES) if include_closed else Q(status=JobStatus.PUBLISHED)
        public = shown & Q(audience=Audience.CONSORTIUM)

        def shared_with(institution_id):
            partners = Job.partner_institutions.through.objects.filter(job=OuterRef("pk"), institution=institution_id)
            return shown & Q(audience=Audience.PARTNERS) & Q(Exists(partners))

        if isinstance(user, ApiClient):
            # A member's system: what its students see, and every job of its own for syncing.
            own = user.institution_id
            declined = CompanyDecline.objects.filter(institution=own, company=OuterRef("company_id"))
            return self.filter(((public | shared_with(own)) & ~Exists(declined)) | Q(institution_id=own))
        if not is_signed_in(user):
            return self.filter(public, require_login=False)
        reach = public
        staff = staff_institution_id(user)
        if own := user.institution_id:
            reach |= (shown & Q(institution_id=own)) | shared_with(own)
            if not staff:
                # The institution declined the company: its students do not see its jobs anywhere.
                declined = CompanyDecline.objects.filter(institution=own, company=OuterRef("company_id"))
                reach &= ~Exists(declined)
        if staff:
            reach |= Q(institution_id=staff)
        if has_role(user, Role.COMPANY_CONTACT) and user.company_id:
            # Their company's offers once shown, and the drafts they wrote themselves, never staff's drafts.
            reach |= Q(company_id=user.company_id) & (shown | Q(posted_by=user))
        return self.filter(reach)

    def awaiting_approval_by(self, user):
        """Pending jobs the user may approve; mirrors jobs.permissions.can_approve_job."""
        if not is_signed_in(user):
            return self.none()
        flagged = Q(company__status=CompanyStatus.FLAGGED)
        reach = Q(pk__in=[])
        if has_role(user, Role.PARTNER_ADMIN) and user.institution_id:
            reach |= Q(institution_id=user.institution_id)
        elif has_role(user, Role.CAREER_OFFICER) and user.institution_id:
            reach |= Q(institution_id=user.institution_id) & ~flagged
        if is_consortium_admin(user):
            reach |= flagged
        return self.filter(reach, status=JobStatus.PENDING).exclude(posted_by_id=user.pk)


class Job(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="jobs")
    posted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="jobs", verbose_name=_("company"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), help_text=_("Markdown: **bold**, lists, links."))
    description_html = models.TextField(editable=False)
    kind = models.CharField(_("kind"), max_length=24, choices=JobKind.choices)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100)
    work_mode = models.CharField(_("work mode"), max_length=10, choices=WorkMode.choices, default=WorkMode.ON_SITE)
    duration_months = models.PositiveSmallIntegerField(_("duration in months"), null=True, blank=True)
    paid = models.BooleanField(_("paid"), default=True)
    salary_min = models.DecimalField(_("salary from"), max_digits=10, decimal_places=2, null=True, blank=True)
    salary_max = models.DecimalField(_("salary up to"), max_digits=10, decimal_places=2, null=True, blank=True)
    salary_currency = models.CharField(_("currency"), max_length=3, blank=True, help_text=_("ISO 4217, e.g. EUR"))
    salary_period = models.CharField(
        _("salary period"), max_length=5, choices=SalaryPeriod.choices, default=SalaryPeriod.MONTH
    )
    fields_of_study = models.JSONField(_("fields of study"), default=list, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    erasmus_eligible = models.BooleanField(_("Erasmus+ traineeship eligible"), default=False)
    visa_sponsorship = models.BooleanField(_("visa sponsorship"), default=False)
    start_kind = models.CharField(_("start"), max_length=10, choices=StartKind.choices, default=StartKind.FLEXIBLE)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    apply_method = models.CharField(
        _("how to apply"), max_length=10, choices=ApplyMethod.choices, default=ApplyMethod.PLATFORM
    )
    apply_url = models.URLField(_("application address"), blank=True)
    apply_email = models.EmailField(_("application e-mail"), blank=True)
    deadline = models.DateField(_("application deadline"), null=True, blank=True)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.CONSORTIUM)
    partner_institutions = models.ManyToManyField(
        Institution, blank=True, related_name="+", verbose_name=_("partner institutions")
    )
    require_login = models.BooleanField(_("only for signed-in members"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.DRAFT)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Who let a pending job through (company contacts' posts, flagged companies' jobs).
    approved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "external_id"],
                condition=~Q(external_id=""),
                name="job_external_id_per_institution",
            ),
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True)
                | Q(salary_max__isnull=True)
                | Q(salary_min__lte=models.F("salary_max")),
                name="job_salary_range_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["status", "country", "-published_at"]),
            models.Index(fields=["status", "kind"]),
            # The board's most common search, a kind of offer in a country ("internships in Italy"): with
            # the text search's own index, it leaves a few hundred rows to read instead of thousands.
            models.Index(fields=["status", "country", "kind"]),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["updated_at", "id"]),
        ]

    def __str__(self):
        return f"{self.title} — {self.company}"

    def get_absolute_url(self):
        return reverse("jobs:detail", args=[self.pk])


class JobLanguage(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    level = models.CharField(_("level"), max_length=2, choices=CefrLevel.choices)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["job", "language"], name="job_language_once")]

    def __str__(self):
        return f"{self.get_language_display()} {self.level}"


# What a poster edits, in the order forms show it; the browser form and the API share it.
EDITABLE_FIELDS = [
    "title", "company", "kind", "description", "country", "city", "work_mode", "duration_months", "paid",
    "salary_min", "salary_max", "salary_currency", "salary_period", "fields_of_study", "erasmus_eligible",
    "visa_sponsorship", "start_kind", "start_date", "apply_method", "apply_url", "apply_email", "deadline",
    "audience", "partner_institutions", "require_login", "external_id",
]  # fmt: skip


class SavedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What a person saved is theirs alone."""
        if not is_signed_in(user):
            return self.none()
        return self.filter(user=user)


class SavedJob(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_jobs")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SavedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "job"], name="saved_job_once")]

    def __str__(self):
        return f"{self.user} ♥ {self.job_id}"


class AlertFrequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class SavedSearch(models.Model):
    """A search a student keeps, as the query string of the search page; an alert when it has a frequency."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(_("name"), max_length=120)
    query = models.CharField(_("search"), max_length=2000, blank=True)
    frequency = models.CharField(
        _("alert"), max_length=10, choices=AlertFrequency.choices, default=AlertFrequency.WEEKLY
    )
    is_active = models.BooleanField(_("alert on"), default=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SavedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["is_active", "frequency"])]

    def __str__(self):
        return self.name


class AlertSentJob(models.Model):
    """A job an alert has sent: never sent again by the same alert."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="sent_jobs")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["saved_search", "job"], name="alert_sent_job_once")]

    def __str__(self):
        return f"{self.saved_search_id} → {self.job_id}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SEEN = "seen", _("Seen")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    REJECTED = "rejected", _("Rejected")
    HIRED = "hired", _("Hired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def cv_upload_path(application, filename):
    # Never the student's file name: it may carry their name, and paths must not be guessable.
    return f"applications/{application.job_id}/{uuid.uuid4().hex}.pdf"


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person's own applications, and the applications to the jobs of the institution they
        recruit for (mirrors permissions.can_manage_applications)."""
        if not is_signed_in(user):
            return self.none()
        reach = Q(applicant=user)
        if has_role(user, Role.CAREER_OFFICER, Role.PARTNER_ADMIN) and user.institution_id:
            reach |= Q(job__institution_id=user.institution_id)
        return self.filter(reach)


class Application(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="applications")
    applicant = models.ForeignKey(User, on_delete=models.CASCADE, related_name="job_applications")
    message = models.TextField(_("message"), max_length=3000)
    cv = models.FileField(_("CV (PDF)"), upload_to=cv_upload_path, max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["job", "applicant"], name="application_once_per_job")]
        # created_at: the impact figures count today's applications live, the days before from a rollup.
        indexes = [models.Index(fields=["job", "status"]), models.Index(fields=["created_at"])]

    def __str__(self):
        return f"{self.applicant} → {self.job}"

    def get_absolute_url(self):
        return reverse("jobs:application", args=[self.pk])


class ReportReason(models.TextChoices):
    SCAM = "scam", _("Looks like a scam or asks for money")
    MISLEADING = "misleading", _("Misleading or false information")
    DISCRIMINATORY = "discriminatory", _("Discriminatory")
    EXPIRED = "expired", _("No longer available")
    OTHER = "other", _("Something else")


class JobReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def handled_by(self, user):
        """Reports of the jobs of the institution a person posts for (mirrors permissions.can_resolve_report)."""
        if has_role(user, Role.CAREER_OFFICER, Role.PARTNER_ADMIN) and user.institution_id:
            return self.filter(job__institution_id=user.institution_id)
        return self.none()


class JobReport(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="reports")
    reported_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=ReportReason.choices)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    resolution = models.TextField(_("what was done"), blank=True)

    objects = JobReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["job", "reported_by"], name="job_report_once_per_person")]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.job}"


class JobViewDay(models.Model):
    """How often a job's page was opened on a day (UTC), for the impact figures; bumped by
    consortium.daycounters rather than saved through the ORM."""

    # The unique (job, day) index serves lookups by job.
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="job_view_day_once")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self):
        return f"{self.job_id} {self.day}: {self.count}"


class JobActivityKind(models.TextChoices):
    VIEWED = "viewed", _("Job page views")
    APPLIED = "applied", _("Applications")
    # Those of the applications made by international students to jobs in their host country.
    STAYED_ON = "stayed", _("Applications staying on")


class JobActivityDay(models.Model):
    """The nightly rollup the impact figures read for the days before today: how many job views (for the
    posting institution) and applications (for the applicant's institution) a UTC day had, per
    institution and country of the job. Written by jobs.impact.roll_up_job_activity only."""

    day = models.DateField()
    kind = models.CharField(max_length=8, choices=JobActivityKind.choices)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    country = CountryField()
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "kind", "institution", "country"], name="job_activity_day_once")
        ]
        indexes = [models.Index(fields=["kind", "day"])]

    def __str__(self):
        return f"{self.day} {self.kind} {self.institution_id} {self.country}: {self.count}"
