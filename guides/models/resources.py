"""The shared resource library: application guides, CV templates, workshop material."""

import json
import uuid

from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consortium.access import is_consortium_admin, is_signed_in, staff_institution_id
from consortium.models import ISO_LANGUAGES, ApiClient, Institution, User

__all__ = [
    "STUDENT_AUDIENCES",
    "Resource",
    "ResourceAudience",
    "ResourceDownload",
    "ResourceKind",
]


class ResourceKind(models.TextChoices):
    APPLICATION_GUIDE = "application_guide", _("Application guide")
    CV_TEMPLATE = "cv_template", _("CV template")
    WORKSHOP_SLIDES = "workshop_slides", _("Workshop slides")
    RECORDING = "recording", _("Recording")
    OTHER = "other", pgettext_lazy("resource kind", "Other")


class ResourceAudience(models.TextChoices):
    STUDENTS = "students", _("Students")
    STAFF = "staff", _("Staff")
    BOTH = "both", _("Students and staff")


# What students, and the member systems that serve them, may read.
STUDENT_AUDIENCES = (ResourceAudience.STUDENTS, ResourceAudience.BOTH)


def resource_file_path(resource, filename):
    # A random name: paths must not be guessable, and the file is only ever served through a view.
    return f"resources/{resource.owner_id}/{uuid.uuid4().hex}.{resource.file_kind}"


class ResourceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The library is for members: staff see every resource, other signed-in people (students,
        graduates, company contacts) the ones for students, the anonymous none. An API key reads what
        the institution's students may (mirrors permissions.can_view_resource)."""
        if isinstance(user, ApiClient):
            return self.filter(audience__in=STUDENT_AUDIENCES)
        if not is_signed_in(user):
            return self.none()
        if staff_institution_id(user) or is_consortium_admin(user):
            return self
        return self.filter(audience__in=STUDENT_AUDIENCES)

    def editable_by(self, user):
        """Resources of the institution a staff member works for, while it is an active member
        (mirrors permissions.can_edit_resource)."""
        institution_id = staff_institution_id(user)
        return self.filter(owner_id=institution_id, owner__is_active=True) if institution_id else self.none()

    def with_country(self, code: str):
        """Resources about a country: a GIN-indexed containment test on PostgreSQL, a text match of
        the quoted code in the JSON list on SQLite."""
        if connection.vendor == "postgresql":
            return self.filter(countries__contains=[code])
        return self.filter(countries__icontains=json.dumps(code))

    def with_tag(self, tag: str):
        if connection.vendor == "postgresql":
            return self.filter(tags__contains=[tag])
        # Stored as JSON text, with non-ASCII letters escaped: the needle is written the same way.
        return self.filter(tags__icontains=json.dumps(tag))


class Resource(models.Model):
    owner = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="resources", verbose_name=_("shared by")
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown: **bold**, lists, links."))
    description_html = models.TextField(editable=False, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    file = models.FileField(_("file"), upload_to=resource_file_path, max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_kind = models.CharField(max_length=4, blank=True)  # pdf, docx, pptx, odt or odp: what the content showed
    file_size = models.PositiveIntegerField(null=True, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=ISO_LANGUAGES)
    audience = models.CharField(
        _("audience"), max_length=8, choices=ResourceAudience.choices, default=ResourceAudience.STUDENTS
    )
    # ISO 3166-1 alpha-2 codes and lower-case tags, as JSON lists: GIN-indexed on PostgreSQL.
    countries = models.JSONField(_("countries"), default=list, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # The title and description in the text-search configuration of the resource's language,
    # written by services.resources.save_resource.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="resource_file_or_link",
            ),
            models.CheckConstraint(condition=Q(kind__in=ResourceKind.values), name="resource_kind_valid"),
            models.CheckConstraint(condition=Q(audience__in=ResourceAudience.values), name="resource_audience_valid"),
        ]
        indexes = [
            models.Index(fields=["audience", "-created_at"]),
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["updated_at", "id"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("guides:resource-detail", args=[self.pk])

    @property
    def is_file(self) -> bool:
        return bool(self.file)

    def get_open_url(self):
        """Where the library sends a reader: the download or the counted redirect to the link."""
        return reverse("guides:resource-download" if self.is_file else "guides:resource-open", args=[self.pk])


class ResourceDownload(models.Model):
    """How often the people of one institution downloaded or opened a resource: one row per
    resource and institution, incremented in place (see services.resources.record_download)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="downloads")
    # None for people who belong to no institution (a company contact, say).
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-count", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "institution"],
                condition=Q(institution__isnull=False),
                name="resource_download_once_per_institution",
            ),
            models.UniqueConstraint(
                fields=["resource"], condition=Q(institution__isnull=True), name="resource_download_once_unaffiliated"
            ),
        ]

    def __str__(self):
        return f"{self.resource_id} × {self.count}"
