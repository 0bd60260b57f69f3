"""The second-level support desk: a career officer asks a partner institution's liaison officer for
help; answered requests can become knowledge-base articles for every officer of the consortium."""

import uuid

from django.db import connections, models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from .people import FieldOfStudy, Institution, User


class SupportCategory(models.TextChoices):
    LABOUR_MARKET = "labour_market", _("Labour market")
    PERMITS = "permits", _("Work permits and visas")
    APPLICATIONS = "applications", _("CV and application norms")
    INTERNSHIPS = "internships", _("Internships and Erasmus+ funding")
    COMPANY_CONTACTS = "company_contacts", _("Company contacts")
    LANGUAGE = "language", _("Language")
    OTHER = "other", _("Other")


class DegreeLevel(models.TextChoices):
    # ISCED 2011 levels of tertiary education, and those who have finished.
    SHORT_CYCLE = "short_cycle", _("Short-cycle tertiary")
    BACHELOR = "bachelor", _("Bachelor's")
    MASTER = "master", _("Master's")
    DOCTORATE = "doctorate", _("Doctorate")
    GRADUATE = "graduate", _("Recent graduate")


class SupportStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("request status", "Open")
    CLAIMED = "claimed", _("Claimed")
    ANSWERED = "answered", _("Answered")
    REOPENED = "reopened", _("Reopened")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Requests someone still has to act on.
ACTIVE_SUPPORT_STATUSES = (SupportStatus.OPEN, SupportStatus.CLAIMED, SupportStatus.REOPENED)


def _support_scope(user, prefix=""):
    """The requests a user's desk reaches, as a filter (None: none at all). Mirrors
    consortium.permissions.can_view_support_request."""
    from ..permissions import can_use_support_desk, is_liaison_officer

    if not can_use_support_desk(user):
        return None
    own = user.institution_id
    scope = Q(**{f"{prefix}requesting_institution_id": own}) | Q(**{f"{prefix}target_institution_id": own})
    if is_liaison_officer(user):
        scope |= Q(**{f"{prefix}in_shared_queue": True})
    return scope


def _target_staff_scope(user, prefix=""):
    """The requests whose internal notes a user reads. Mirrors permissions.is_support_target_staff."""
    from ..permissions import is_liaison_officer

    scope = Q(**{f"{prefix}target_institution_id": user.institution_id})
    if is_liaison_officer(user):
        # The asking institution's liaison officer sees its own request in the queue, as the asker.
        scope |= Q(**{f"{prefix}target_institution__isnull": True, f"{prefix}in_shared_queue": True}) & ~Q(
            **{f"{prefix}requesting_institution_id": user.institution_id}
        )
    return scope


class SupportRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The requesting and the target institution's career staff; requests in the shared queue
        to every liaison officer; nobody else."""
        scope = _support_scope(user)
        return self.none() if scope is None else self.filter(scope)

    def active(self):
        return self.filter(status__in=ACTIVE_SUPPORT_STATUSES)

    def for_list(self):
        return self.select_related("requesting_institution", "target_institution", "assignee", "requester")

    def overdue(self, now=None):
        """Still waiting for a first response after its deadline."""
        return self.filter(
            status__in=ACTIVE_SUPPORT_STATUSES,
            first_response_at__isnull=True,
            first_response_due_at__lt=now or timezone.now(),
        )


class SupportRequest(models.Model):
    """A question from one institution's career officer to a partner. No field holds the student's
    name or contact: the student context is anonymous by construction."""

    requester = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="support_requests")
    requesting_institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="support_requests_sent"
    )
    target_country = CountryField(_("country"))
    target_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_requests_received",
        verbose_name=_("partner institution"),
    )
    # No member in the target country: every liaison officer sees the request in the shared queue.
    in_shared_queue = models.BooleanField(default=False)
    assignee = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_support_requests"
    )
    category = models.CharField(_("category"), max_length=20, choices=SupportCategory.choices)
    subject = models.CharField(_("subject"), max_length=200)
    question = models.TextField(_("question"), max_length=10_000)
    # The anonymised student context.
    field_of_study = models.CharField(_("field of study"), max_length=2, choices=FieldOfStudy.choices, blank=True)
    degree_level = models.CharField(_("degree level"), max_length=12, choices=DegreeLevel.choices, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)  # [[code, CEFR level], …]
    target_role = models.CharField(_("target role or sector"), max_length=200, blank=True)
    timeframe = models.CharField(_("timeframe"), max_length=100, blank=True)

    status = models.CharField(_("status"), max_length=10, choices=SupportStatus.choices, default=SupportStatus.OPEN)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("comment"), blank=True)
    publication_consent = models.BooleanField(_("the answer may be published, anonymised"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="support_rating_1_to_5"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "first_response_due_at"]),
            models.Index(fields=["target_institution", "status"]),
            models.Index(fields=["requesting_institution", "status"]),
            models.Index(fields=["assignee", "status"]),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("consortium:support-detail", args=[self.pk])

    def desk_staff(self):
        """Who picks the request up while nobody holds it: the target institution's career officers;
        in the shared queue, every current liaison officer except the asking institution's."""
        from .people import LiaisonNomination, Role

        if self.in_shared_queue:
            nominated = LiaisonNomination.objects.active().filter(
                officer=OuterRef("pk"), institution=OuterRef("institution"), institution__is_active=True
            )
            people = User.objects.filter(Exists(nominated), role_assignments__role=Role.CAREER_OFFICER).exclude(
                institution_id=self.requesting_institution_id
            )
        elif self.target_institution_id is not None:
            people = User.objects.filter(
                institution_id=self.target_institution_id, role_assignments__role=Role.CAREER_OFFICER
            )
        else:
            return User.objects.none()
        return people.filter(is_active=True).distinct()

    @property
    def is_overdue(self) -> bool:
        """As SupportRequestQuerySet.overdue(), for a row already loaded."""
        return (
            self.status in ACTIVE_SUPPORT_STATUSES
            and self.first_response_at is None
            and self.first_response_due_at is not None
            and self.first_response_due_at < timezone.now()
        )


class SupportMessageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Messages and events of the requests a user sees; internal notes to the target side only."""
        scope = _support_scope(user, "request__")
        if scope is None:
            return self.none()
        return self.filter(scope).filter(~Q(kind=SupportMessage.Kind.NOTE) | _target_staff_scope(user, "request__"))


class SupportMessage(models.Model):
    """One entry of a request's thread: a message, an internal note of the target institution's
    staff, or a line the platform writes (claimed, handed over, …)."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message")
        NOTE = "note", _("Internal note")
        EVENT = "event", _("Event")

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.MESSAGE)
    body = models.TextField(_("message"), max_length=10_000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SupportMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.request_id}"


def support_attachment_path(attachment, filename):
    # A random name: the original may carry a student's name, and paths must not be guessable.
    return f"support/{attachment.request_id}/{uuid.uuid4().hex}.{attachment.kind}"


class SupportAttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Attachments of the requests a user sees, except those of internal notes they may not read."""
        scope = _support_scope(user, "request__")
        if scope is None:
            return self.none()
        readable = Q(message__isnull=True) | ~Q(message__kind=SupportMessage.Kind.NOTE)
        return self.filter(scope).filter(readable | _target_staff_scope(user, "request__"))


class SupportAttachment(models.Model):
    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        SupportMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    file = models.FileField(upload_to=support_attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(max_length=4)  # pdf, docx or odt: what the content showed
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SupportAttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.name


class SupportBreach(models.Model):
    """A first response that came too late: recorded once per request when the deadline passes."""

    request = models.OneToOneField(SupportRequest, on_delete=models.CASCADE, related_name="breach")
    institution = models.ForeignKey(Institution, on_delete=models.SET_NULL, null=True, related_name="+")
    assignee = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    due_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"breach of {self.request_id}"


class KnowledgeArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Published articles for the staff who use the desk; an unpublished one to its author too,
        while a career officer (who may still edit it). Mirrors consortium.permissions.can_read_article."""
        from ..access import has_role, is_consortium_admin
        from .people import Role

        if is_consortium_admin(user):
            return self
        if not has_role(user, Role.CAREER_OFFICER, Role.PARTNER_ADMIN):
            return self.none()
        if not has_role(user, Role.CAREER_OFFICER):
            return self.published()
        return self.filter(Q(is_published=True) | Q(author=user))

    def search(self, text: str):
        """Free text over title, question and answer: ranked full text on PostgreSQL (annotating
        `rank`), every word as a plain substring elsewhere."""
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        if not text.split():
            return self
        if connections[self.db].vendor != "postgresql":
            words = Q()
            for word in text.split():
                words &= Q(title__icontains=word) | Q(question__icontains=word) | Q(answer__icontains=word)
            return self.filter(words)
        # Computed per row rather than stored: the knowledge base stays in the thousands of rows.
        vector = (
            SearchVector("title", weight="A", config="simple")
            + SearchVector("question", weight="B", config="simple")
            + SearchVector("answer", weight="C", config="simple")
        )
        query = SearchQuery(text, search_type="websearch", config="simple")
        return self.annotate(document=vector).filter(document=query).annotate(rank=SearchRank(vector, query))


class KnowledgeArticle(models.Model):
    """An answered question, anonymised and edited by the officer who answered it, for every career
    officer of the consortium. It names no request, person or institution's private thread."""

    source_request = models.OneToOneField(
        SupportRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="article"
    )
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    country = CountryField(_("country"))
    category = models.CharField(_("category"), max_length=20, choices=SupportCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), help_text=_("Markdown: **bold**, lists, links."))
    answer_html = models.TextField(editable=False)
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = KnowledgeArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["is_published", "country", "category"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("consortium:article-detail", args=[self.pk])
