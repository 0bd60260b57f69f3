"""The shared company network and each institution's relationships with companies."""

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .people import Institution, User


class CompanySize(models.TextChoices):
    # The EU's SME size classes, by head count.
    MICRO = "micro", _("Micro (fewer than 10)")
    SMALL = "small", _("Small (10–49)")
    MEDIUM = "medium", _("Medium (50–249)")
    LARGE = "large", _("Large (250 or more)")


class Sector(models.TextChoices):
    # NACE Rev. 2 sections, grouped where career services do not tell them apart.
    AGRICULTURE = "A", _("Agriculture, forestry and fishing")
    MANUFACTURING = "C", _("Manufacturing and industry")
    ENERGY = "D", _("Energy and utilities")
    CONSTRUCTION = "F", _("Construction and real estate")
    TRADE = "G", _("Retail, wholesale and consumer goods")
    TRANSPORT = "H", _("Transport and logistics")
    HOSPITALITY = "I", _("Hospitality and tourism")
    ICT = "J", _("Information, communication and media")
    FINANCE = "K", _("Finance and insurance")
    PROFESSIONAL = "M", _("Consulting, legal and professional services")
    ADMINISTRATIVE = "N", _("Administrative and support services")
    PUBLIC = "O", _("Public administration")
    EDUCATION = "P", _("Education and research")
    HEALTH = "Q", _("Health and social work")
    ARTS = "R", _("Arts, culture and entertainment")
    OTHER = "S", _("Other services and NGOs")


class CompanyStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified yet")
    VERIFIED = "verified", _("Verified")
    FLAGGED = "flagged", _("Flagged as suspicious")


class CompanyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The company network is shared by every signed-in member of the consortium."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    sector = models.CharField(_("sector"), max_length=2, choices=Sector.choices)
    size = models.CharField(_("size"), max_length=10, choices=CompanySize.choices)
    # Shared by the whole consortium: one partner's verification or flag is what every officer sees.
    status = models.CharField(
        _("verification"), max_length=10, choices=CompanyStatus.choices, default=CompanyStatus.UNVERIFIED
    )
    status_note = models.TextField(_("reason"), blank=True)
    status_changed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("changed by")
    )
    status_changed_by_institution = models.ForeignKey(
        Institution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "country",
                name="company_name_country_unique",
                violation_error_message=_("A company of this name is already in the network in this country."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("consortium:company-detail", args=[self.slug])


class CompanyRelationshipQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An institution's relationships are its own staff's working notes."""
        from ..access import is_consortium_admin, staff_institution_id

        if is_consortium_admin(user):
            return self
        own = staff_institution_id(user)
        return self.filter(institution_id=own) if own else self.none()


class CompanyRelationship(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="company_relationships")
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="relationships", verbose_name=_("company")
    )
    owner = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_company_relationships",
        verbose_name=_("owner officer"),
    )
    since = models.DateField(_("since"), default=timezone.localdate)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CompanyRelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["company__name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "company"], name="company_relationship_unique"),
        ]

    def __str__(self):
        return f"{self.institution.short_name} ↔ {self.company}"


class CompanyDeclineQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A decline is the institution's own business; the job board applies it without reading it."""
        from ..access import is_consortium_admin, staff_institution_id

        if is_consortium_admin(user):
            return self
        own = staff_institution_id(user)
        return self.filter(institution_id=own) if own else self.none()


class CompanyDecline(models.Model):
    """An institution's local decision not to work with a company, whatever the network says."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="company_declines")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="declines")
    reason = models.TextField(_("reason"), blank=True)
    declined_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CompanyDeclineQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["institution", "company"], name="company_decline_unique")]

    def __str__(self):
        return f"{self.institution.short_name} ✕ {self.company}"
