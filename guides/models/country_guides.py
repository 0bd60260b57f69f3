"""Country guides: editions per language, drafts, reviews and revisions.

A guide's edition holds its published text in ten GuideSection rows (what readers, search and the API
read). Maintainers change it through a GuideDraft that another maintainer approves; every approval
publishes a numbered GuideRevision holding all sections' Markdown, so any two can be compared and an
old one restored.
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from consortium.models import ISO_LANGUAGES

__all__ = [
    "STALE_AFTER",
    "CountryGuide",
    "DraftStatus",
    "GuideDraft",
    "GuideEdition",
    "GuideEditor",
    "GuideRevision",
    "GuideSection",
    "SectionKey",
]

# A section nobody has reviewed for this long shows a notice to readers and reminds its maintainers.
STALE_AFTER = timedelta(days=365)

ISO_LANGUAGE_CODES = [code for code, _name in ISO_LANGUAGES]


class SectionKey(models.TextChoices):
    """The sections every edition has, in reading order; the key is also the anchor on the page."""

    LABOUR_MARKET = "labour-market", _("Labour market overview")
    JOB_SEARCH = "job-search", _("Where to look for jobs")
    APPLICATIONS = "cv-and-cover-letter", _("CV and cover-letter norms")
    INTERVIEWS = "interviews", _("Interviews")
    VISAS = "work-permits-and-visas", _("Work permits and visas")
    INTERNSHIPS = "internships-and-erasmus", _("Internships and Erasmus+ funding")
    SALARIES = "salaries-and-cost-of-living", _("Salaries and cost of living")
    LANGUAGE = "language", _("Language")
    CULTURE = "workplace-culture", _("Workplace culture")
    LINKS = "useful-links", _("Useful links")


class CountryGuideQuerySet(models.QuerySet):
    def published(self):
        return self.filter(Exists(GuideEdition.objects.published().filter(guide=OuterRef("pk"))))


class CountryGuide(models.Model):
    country = CountryField(_("country"), unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CountryGuideQuerySet.as_manager()

    class Meta:
        ordering = ["country"]
        verbose_name = _("country guide")
        verbose_name_plural = _("country guides")

    def __str__(self):
        return str(self.country.name)

    def get_absolute_url(self):
        return reverse("guides:guide", args=[self.country.code.lower()])


class GuideEditor(models.Model):
    """A person a liaison officer invited to help maintain a guide, besides the country's liaison officers."""

    guide = models.ForeignKey(CountryGuide, on_delete=models.CASCADE, related_name="editors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guide_editorships")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["guide", "user"], name="guide_editor_once")]

    def __str__(self):
        return f"{self.user} — {self.guide}"


class GuideEditionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(current_revision__isnull=False)

    def visible_to(self, user):
        """Published editions are public; a guide's maintainers also see the editions not yet published."""
        from ..permissions import maintained_guide_ids

        ids = maintained_guide_ids(user)
        return self.filter(Q(current_revision__isnull=False) | Q(guide_id__in=ids)) if ids else self.published()


class GuideEdition(models.Model):
    guide = models.ForeignKey(CountryGuide, on_delete=models.CASCADE, related_name="editions")
    language = models.CharField(_("language"), max_length=2, choices=ISO_LANGUAGES, help_text=_("ISO 639-1 code"))
    current_revision = models.ForeignKey(
        "GuideRevision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped when a revision is published or a section reviewed: the API's sync cursor reads it.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = GuideEditionQuerySet.as_manager()

    class Meta:
        ordering = ["guide_id", "language"]
        verbose_name = _("guide edition")
        verbose_name_plural = _("guide editions")
        constraints = [
            models.UniqueConstraint(fields=["guide", "language"], name="guide_edition_language_once"),
            models.CheckConstraint(condition=Q(language__in=ISO_LANGUAGE_CODES), name="guide_edition_language_iso"),
        ]

    def __str__(self):
        return f"{self.guide} ({self.language})"

    def get_absolute_url(self):
        return reverse("guides:edition", args=[self.guide.country.code.lower(), self.language])

    @property
    def is_published(self) -> bool:
        return self.current_revision_id is not None

    @property
    def language_name(self) -> str:
        """The edition's language named in the reader's language."""
        try:
            return str(get_language_info(self.language)["name_translated"])
        except KeyError:
            return dict(ISO_LANGUAGES).get(self.language, self.language)

    @staticmethod
    def preferred(editions):
        """Of a guide's editions, the one in the reader's language, else English, else the first."""
        editions = list(editions)
        by_language = {edition.language: edition for edition in editions}
        current = (get_language() or "en")[:2]
        return by_language.get(current) or by_language.get("en") or (editions[0] if editions else None)


class GuideSectionQuerySet(models.QuerySet):
    def written(self):
        return self.exclude(body_markdown="")

    def stale(self, now=None):
        """Written sections nobody has reviewed for STALE_AFTER."""
        cutoff = (now or timezone.now()) - STALE_AFTER
        return self.written().filter(Q(last_reviewed_at__lt=cutoff) | Q(last_reviewed_at__isnull=True))


class GuideSection(models.Model):
    """The published text of one section of an edition."""

    edition = models.ForeignKey(GuideEdition, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(_("section"), max_length=40, choices=SectionKey.choices)
    body_markdown = models.TextField(_("text"), blank=True)
    # Rendered once from body_markdown and sanitised (consortium.richtext.render_markdown).
    body_html = models.TextField(blank=True)
    last_reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = GuideSectionQuerySet.as_manager()

    class Meta:
        ordering = ["edition", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "key"], name="guide_section_once"),
            models.CheckConstraint(condition=Q(key__in=SectionKey.values), name="guide_section_key_valid"),
        ]

    def __str__(self):
        return f"{self.edition} — {self.get_key_display()}"

    def get_absolute_url(self):
        return f"{self.edition.get_absolute_url()}#{self.key}"

    @property
    def order(self) -> int:
        return SectionKey.values.index(self.key)

    def is_stale(self, now=None) -> bool:
        if not self.body_markdown:
            return False
        cutoff = (now or timezone.now()) - STALE_AFTER
        return self.last_reviewed_at is None or self.last_reviewed_at < cutoff


class DraftStatus(models.TextChoices):
    EDITING = "editing", _("Being edited")
    SUBMITTED = "submitted", _("Waiting for review")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


OPEN_DRAFT_STATUSES = (DraftStatus.EDITING, DraftStatus.SUBMITTED)


class GuideDraftQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_DRAFT_STATUSES)


class GuideDraft(models.Model):
    """Proposed text for all sections of an edition, written by one maintainer and approved by another.

    One open draft per edition at a time: a second maintainer reviews it instead of writing a rival one.
    A draft sent back returns to EDITING with the reviewer's comment.
    """

    edition = models.ForeignKey(GuideEdition, on_delete=models.CASCADE, related_name="drafts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="guide_drafts"
    )
    # {section key: Markdown}, every section present.
    content = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=DraftStatus.choices, default=DraftStatus.EDITING)
    # The revision the draft started from; a draft of an older text cannot be approved over a newer one.
    base_revision = models.ForeignKey(
        "GuideRevision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    restored_from = models.ForeignKey(
        "GuideRevision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GuideDraftQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition"], condition=Q(status__in=OPEN_DRAFT_STATUSES), name="guide_one_open_draft"
            ),
            models.CheckConstraint(condition=Q(status__in=DraftStatus.values), name="guide_draft_status_valid"),
        ]

    def __str__(self):
        return f"{self.edition} — {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("guides:draft", args=[self.edition.guide.country.code.lower(), self.edition.language])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DRAFT_STATUSES

    @property
    def version(self) -> str:
        """Changes whenever the draft does. The forms that review or discard a draft carry it, so that
        nobody publishes or drops a text other than the one they read."""
        state = [self.pk, self.status, self.note, self.content, self.updated_at.isoformat() if self.updated_at else ""]
        return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:32]


class GuideRevision(models.Model):
    """One publication of an edition: all sections' Markdown as approved."""

    edition = models.ForeignKey(GuideEdition, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    content = models.JSONField(default=dict)
    note = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    restored_from_number = models.PositiveIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["edition", "-number"]
        constraints = [models.UniqueConstraint(fields=["edition", "number"], name="guide_revision_number_once")]

    def __str__(self):
        return f"{self.edition} r{self.number}"
