"""People, institutions and roles; liaison nominations and staff invitations."""

import secrets
import zoneinfo
from datetime import datetime

from django.conf import global_settings, settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Role(models.TextChoices):
    STUDENT = "student", _("Student or graduate")
    CAREER_OFFICER = "career_officer", _("Career officer")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")
    ACADEMIC = "academic", _("Academic")
    COMPANY_CONTACT = "company_contact", _("Company contact")
    CONSORTIUM_ADMIN = "consortium_admin", _("Consortium admin")


def role_labels(roles) -> list[str]:
    """Display names of roles, in the order Role declares them."""
    return [label for value, label in Role.choices if value in roles]


def language_choices():
    return settings.LANGUAGES


# ISO 639-1: the two-letter codes among the languages Django knows by name, plus those Django
# only knows in regional variants (Chinese, Norwegian) or not at all (Maltese, an EU language).
ISO_LANGUAGES = sorted(
    [(code, name) for code, name in global_settings.LANGUAGES if len(code) == 2]
    + [("mt", _("Maltese")), ("no", _("Norwegian")), ("zh", _("Chinese"))]
)


class CefrLevel(models.TextChoices):
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"


class AdministeredQuerySet(models.QuerySet):
    """Rows that belong to an institution's administration (API keys, webhooks, the audit log):
    its partner admins see them, and consortium admins see all."""

    def visible_to(self, user):
        from ..access import is_consortium_admin, managed_institution_ids

        if is_consortium_admin(user):
            return self
        return self.filter(institution_id__in=managed_institution_ids(user))


class InstitutionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def visible_to(self, user):
        """Member institutions are public; inactive ones only to consortium admins, and to the
        systems of members, so that a sync learns that an institution left."""
        from ..access import is_consortium_admin
        from .api import ApiClient

        return self if is_consortium_admin(user) or isinstance(user, ApiClient) else self.active()


class Institution(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active member"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("consortium:institution-detail", args=[self.slug])

    @property
    def current_liaison(self):
        return self.liaison_nominations.filter(ends_at__isnull=True).select_related("officer").first()


class InstitutionDomain(models.Model):
    """An e-mail domain of an institution's students; subdomains match too."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain

    @staticmethod
    def candidates(email: str) -> list[str]:
        """The domain of an address and each parent domain: a.b.uam.es -> a.b.uam.es, b.uam.es, uam.es."""
        domain = email.rpartition("@")[2].strip().lower()
        parts = domain.split(".")
        return [".".join(parts[i:]) for i in range(len(parts) - 1)]


class UserQuerySet(models.QuerySet):
    def with_role(self, role: str):
        return self.filter(role_assignments__role=role)

    def holding(self, institution, *roles: str):
        """The active people of an institution who hold any of the roles."""
        return self.filter(institution=institution, is_active=True, role_assignments__role__in=roles).distinct()

    def staff_of(self, institution):
        """Everyone employed by an institution (not its students)."""
        return self.filter(institution=institution, role_assignments__role__in=INSTITUTION_STAFF_ROLES).distinct()

    def visible_to(self, user):
        """People a user may look up: their own institution's (admins) or everyone (consortium admins)."""
        from ..access import is_consortium_admin, managed_institution_ids

        if is_consortium_admin(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(pk=user.pk) | Q(institution_id__in=managed_institution_ids(user)))


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def event_time_zone_field(help_text: str) -> models.CharField:
    """The time zone where an event (a training week, a summer school) is held: its days and times are local there."""
    return models.CharField(
        _("time zone"), max_length=64, default="Europe/Brussels", validators=[validate_time_zone], help_text=help_text
    )


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    company = models.ForeignKey(
        "Company",
        verbose_name=_("company"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        help_text=_("For company contacts: the company they speak for."),
    )
    preferred_language = models.CharField(_("preferred language"), max_length=8, choices=language_choices, default="en")
    home_country = CountryField(
        _("home country"),
        blank=True,
        help_text=_(
            "The country you come from, if you study abroad. Used only in anonymous figures of student mobility."
        ),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("Django admin access"), default=False, help_text=_("May use the back-office admin site.")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def roles(self) -> frozenset[str]:
        # One query per request at most; uses the prefetch cache when a list prefetched it.
        return frozenset(a.role for a in self.role_assignments.all())

    def role_labels(self) -> list[str]:
        return role_labels(self.roles)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_assignment_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="role_assignment_role_valid"),
        ]
        indexes = [models.Index(fields=["role", "user"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"


class FieldOfStudy(models.TextChoices):
    # ISCED-F 2013 broad fields.
    GENERIC = "00", _("Generic programmes")
    EDUCATION = "01", _("Education")
    ARTS = "02", _("Arts and humanities")
    SOCIAL = "03", _("Social sciences, journalism and information")
    BUSINESS = "04", _("Business, administration and law")
    SCIENCES = "05", _("Natural sciences, mathematics and statistics")
    ICT = "06", _("Information and communication technologies")
    ENGINEERING = "07", _("Engineering, manufacturing and construction")
    AGRICULTURE = "08", _("Agriculture, forestry, fisheries and veterinary")
    HEALTH = "09", _("Health and welfare")
    SERVICES = "10", _("Services")


class UserLanguage(models.Model):
    """A language a person speaks, at a CEFR level: what job search, matching and applications compare."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=2, choices=ISO_LANGUAGES)
    level = models.CharField(_("level"), max_length=2, choices=CefrLevel.choices)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["user", "language"], name="user_language_once")]

    def __str__(self):
        return f"{self.get_language_display()} {self.level}"


# Roles whose holders work for an institution; their sessions are kept short.
STAFF_ROLES = frozenset({Role.CAREER_OFFICER, Role.PARTNER_ADMIN, Role.ACADEMIC, Role.CONSORTIUM_ADMIN})
# Roles a partner admin may grant to the staff of their own institution.
INSTITUTION_STAFF_ROLES = (Role.CAREER_OFFICER, Role.PARTNER_ADMIN, Role.ACADEMIC)
# Roles that must use two-factor authentication.
MFA_REQUIRED_ROLES = frozenset({Role.PARTNER_ADMIN, Role.CONSORTIUM_ADMIN})


class LiaisonNominationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ends_at__isnull=True)

    def visible_to(self, user):
        """Current liaisons are the consortium's contact list; the history belongs to the institution."""
        from ..access import is_consortium_admin, staff_institution_id

        if is_consortium_admin(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        own = staff_institution_id(user)
        return self.filter(Q(ends_at__isnull=True) | Q(institution_id=own))


class LiaisonNomination(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="liaison_nominations")
    officer = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="liaison_nominations", verbose_name=_("officer")
    )
    starts_at = models.DateTimeField(_("start"), default=timezone.now)
    ends_at = models.DateTimeField(_("end"), null=True, blank=True)
    nominated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LiaisonNominationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(ends_at__isnull=True),
                name="one_active_liaison_per_institution",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="liaison_nomination_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.officer} — {self.institution.short_name}"

    @property
    def is_active(self) -> bool:
        return self.ends_at is None


def new_invitation_nonce() -> str:
    return secrets.token_urlsafe(16)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A single-use invitation for a member of staff; the link carries a signed id, not a secret."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    roles = models.JSONField(_("roles"), default=list)
    company = models.ForeignKey(
        "Company",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For company contacts: the company they will speak for."),
    )
    # Part of the signed link: without it a link cannot be forged, even knowing SECRET_KEY.
    nonce = models.CharField(max_length=32, default=new_invitation_nonce)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["institution", "-created_at"])]

    def __str__(self):
        return f"{self.email} → {self.institution.short_name}"

    def status(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"

    def role_labels(self) -> list[str]:
        return role_labels(self.roles)
