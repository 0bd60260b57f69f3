"""Stakeholder matching: profiles, cooperation offers, stored recommendations and double opt-in
introductions between people of the consortium's institutions."""

import datetime

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from consortium.access import is_signed_in
from consortium.models import Institution, User

# A row about either a profile or an offer, never both.
ONE_TARGET = Q(profile__isnull=False, offer__isnull=True) | Q(profile__isnull=True, offer__isnull=False)


class Intent(models.TextChoices):
    """What a person looks for and what they offer: one vocabulary for both sides."""

    CO_FOUNDER = "co_founder", _("Co-founder")
    RESEARCH_PARTNER = "research_partner", _("Research partner")
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")
    INTERNSHIP = "internship", _("Internship")
    PROJECT_STUDENTS = "project_students", _("Project students")
    ADVICE = "advice", _("Advice")


# Looking for X is answered by someone offering X. Some wishes are also answered by someone who looks
# for the other half of the pair: a would-be mentee by a would-be mentor, a founder by another founder.
LOOK_FOR_PAIRS = {
    Intent.MENTOR: Intent.MENTEE,
    Intent.MENTEE: Intent.MENTOR,
    Intent.CO_FOUNDER: Intent.CO_FOUNDER,
    Intent.RESEARCH_PARTNER: Intent.RESEARCH_PARTNER,
}


class Visibility(models.TextChoices):
    CONSORTIUM = "consortium", _("The whole consortium")
    INSTITUTION = "institution", _("My institution only")
    HIDDEN = "hidden", pgettext_lazy("profile visibility", "Hidden")


def display_name(user) -> str:
    """How matching names a person: their full name, never their e-mail address (User.__str__ falls
    back to it), but "A member of UA" when they gave no name."""
    if user is None:
        return gettext("A former member")
    if (user.full_name or "").strip():
        return user.full_name.strip()
    if user.institution_id:
        return gettext("A member of %(institution)s") % {"institution": user.institution.short_name}
    return gettext("A member of the consortium")


def short_name(user) -> str:
    """The first name, for sentences ("Ana offers mentoring"); never the e-mail address."""
    name = (user.full_name or "").strip() if user is not None else ""
    return name.split(" ")[0] if name else display_name(user)


def month_start(now: datetime.datetime | None = None) -> datetime.date:
    """The first day of the current month, in UTC: when monthly availability resets."""
    return (now or timezone.now()).astimezone(datetime.UTC).date().replace(day=1)


def available_q(prefix: str = "") -> Q:
    """Profiles still taking introductions this month (the counter resets with the month)."""
    return (
        Q(**{f"{prefix}intros_month__isnull": True})
        | Q(**{f"{prefix}intros_month__lt": month_start()})
        | Q(**{f"{prefix}intros_received__lt": F(f"{prefix}intros_per_month")})
    )


def blocked_between(user_field: str, user) -> Q:
    """Rows whose `user_field` person blocked `user` or was blocked by them."""
    blocks = Block.objects.filter(
        Q(blocker=user, blocked=OuterRef(user_field)) | Q(blocker=OuterRef(user_field), blocked=user)
    )
    return Q(Exists(blocks))


class ProfileQuerySet(models.QuerySet):
    def reachable_by(self, user):
        """Profiles within a person's reach, blocks aside: not hidden, of an active member,
        consortium-wide or of the viewer's own institution; never their own."""
        if not is_signed_in(user):
            return self.none()
        reach = Q(visibility=Visibility.CONSORTIUM)
        if user.institution_id:
            reach |= Q(visibility=Visibility.INSTITUTION, user__institution_id=user.institution_id)
        return self.filter(reach, user__is_active=True).exclude(user=user)

    def discoverable_by(self, user):
        """Profiles a person may find and ask: within reach, with no block either way."""
        return self.reachable_by(user).exclude(blocked_between("user", user))

    def visible_to(self, user):
        """What a person may open: discoverable profiles, their own, the profile of someone whose
        request waits for their answer, and both sides of an accepted introduction. A request that
        was declined, withdrawn or expired opens nothing, and asking never opens the profile of the
        person asked (nor of an offer's owner) before they accept."""
        if not is_signed_in(user):
            return self.none()
        asked_me = Introduction.objects.filter(
            recipient=user, sender=OuterRef("user"), status=IntroductionStatus.PENDING
        )
        accepted = Introduction.objects.filter(
            Q(sender=user, recipient=OuterRef("user")) | Q(recipient=user, sender=OuterRef("user")),
            status=IntroductionStatus.ACCEPTED,
        )
        return self.filter(
            Q(pk__in=self.discoverable_by(user).values("pk")) | Q(user=user) | Q(Exists(asked_me)) | Q(Exists(accepted))
        ).exclude(blocked_between("user", user))

    def available(self):
        return self.filter(available_q())


class MatchingProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="matching_profile")
    headline = models.CharField(_("headline"), max_length=160)
    bio = models.TextField(_("short bio"), max_length=2000, blank=True)
    # Lists of short lowercase tags, codes or ESCO concept keys; MatchTag indexes them for matching.
    topics = models.JSONField(_("topics"), default=list, blank=True)
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    fields_of_study = models.JSONField(_("fields of study"), default=list, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    countries = models.JSONField(_("countries of interest"), default=list, blank=True)
    looks_for = models.JSONField(_("looking for"), default=list, blank=True)
    offers = models.JSONField(_("offering"), default=list, blank=True)
    intros_per_month = models.PositiveSmallIntegerField(
        _("introductions a month"), default=3, help_text=_("How many requests you are willing to receive a month.")
    )
    visibility = models.CharField(_("who can find you"), max_length=12, choices=Visibility.choices)
    # Requests received in intros_month; past the monthly limit the profile drops out of recommendations.
    intros_month = models.DateField(null=True, blank=True, editable=False)
    intros_received = models.PositiveSmallIntegerField(default=0, editable=False)
    recommended_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("matching profile")
        verbose_name_plural = _("matching profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(intros_per_month__gte=1) & Q(intros_per_month__lte=20),
                name="profile_intros_per_month_range",
            ),
            models.CheckConstraint(condition=Q(visibility__in=Visibility.values), name="profile_visibility_valid"),
        ]
        indexes = [models.Index(fields=["recommended_at"])]

    def __str__(self):
        return f"{self.user} — {self.headline}"

    def get_absolute_url(self):
        return reverse("matching:profile", args=[self.pk])

    def is_available(self) -> bool:
        return (
            self.intros_month is None
            or self.intros_month < month_start()
            or self.intros_received < self.intros_per_month
        )


class OfferKind(models.TextChoices):
    RESEARCH = "research", _("Research project")
    STARTUP = "startup", _("Start-up project")


OFFER_DAYS = 90
OFFER_REMINDER_DAYS = 7


class OfferQuerySet(models.QuerySet):
    def open(self, now=None):
        return self.filter(closed_at__isnull=True, expires_at__gt=now or timezone.now())

    def reachable_by(self, user):
        """Open offers of others, of the consortium or of the viewer's institution, blocks aside."""
        if not is_signed_in(user):
            return self.none()
        reach = Q(visibility=Visibility.CONSORTIUM)
        if user.institution_id:
            reach |= Q(visibility=Visibility.INSTITUTION, owner__institution_id=user.institution_id)
        return self.open().filter(reach, owner__is_active=True).exclude(owner=user)

    def visible_to(self, user):
        """Open offers of the consortium or of the viewer's institution, with no block either way;
        and one's own, open or not."""
        if not is_signed_in(user):
            return self.none()
        shown = self.reachable_by(user).exclude(blocked_between("owner", user))
        return self.filter(Q(pk__in=shown.values("pk")) | Q(owner=user))

    def owner_available(self):
        """Offers whose owner still takes introductions this month (an owner without a profile set
        no limit)."""
        return self.filter(available_q("owner__matching_profile__"))


class CooperationOffer(models.Model):
    """A research or start-up project looking for partners, like a partnering profile, without a broker."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="cooperation_offers")
    kind = models.CharField(_("kind"), max_length=10, choices=OfferKind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=3000)
    sought = models.TextField(_("what is sought"), max_length=1000)
    seeks = models.JSONField(_("looking for"), default=list, blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    visibility = models.CharField(
        _("who can find it"), max_length=12, choices=Visibility.choices, default=Visibility.CONSORTIUM
    )
    expires_at = models.DateTimeField(_("expires"))
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("cooperation offer")
        verbose_name_plural = _("cooperation offers")
        constraints = [
            models.CheckConstraint(condition=~Q(visibility=Visibility.HIDDEN), name="offer_visibility_not_hidden")
        ]
        indexes = [models.Index(fields=["expires_at"], condition=Q(closed_at__isnull=True), name="offer_open_expiry")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("matching:offer", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and self.expires_at > timezone.now()


class MatchTag(models.Model):
    """The inverted index behind candidate generation: one row per (profile or offer, key), where a
    key is "offer:mentor", "look:co_founder", "topic:fintech", "skill:esco:<id>". Only discoverable
    profiles and open offers have rows; `scope` limits a row to one institution's people."""

    profile = models.ForeignKey(MatchingProfile, on_delete=models.CASCADE, null=True, related_name="tags")
    offer = models.ForeignKey(CooperationOffer, on_delete=models.CASCADE, null=True, related_name="tags")
    key = models.CharField(max_length=120)
    scope = models.ForeignKey(Institution, on_delete=models.CASCADE, null=True, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=ONE_TARGET, name="match_tag_one_target"),
        ]
        # Candidate generation reads (key, scope) and groups by target: an index-only scan.
        indexes = [models.Index(fields=["key", "scope", "profile", "offer"], name="match_tag_lookup")]

    def __str__(self):
        return self.key


class Skill(models.Model):
    """An ESCO skill concept (European Skills, Competences, Qualifications and Occupations)."""

    esco_id = models.CharField(max_length=36, unique=True)
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        ordering = ["label"]
        indexes = [models.Index(fields=["label"])]

    def __str__(self):
        return self.label

    @property
    def uri(self) -> str:
        return f"http://data.europa.eu/esco/skill/{self.esco_id}"

    @property
    def key(self) -> str:
        return f"esco:{self.esco_id}"


class RecommendationQuerySet(models.QuerySet):
    def shown_to(self, user, limit: int = 30) -> list["Recommendation"]:
        """A person's stored recommendations, best first, less anyone who since became hidden or
        unavailable for the month, and offers since closed. Asking someone, or blocking them, deletes
        the rows between the two and recomputes both lists after commit (in case a recomputation
        was running meanwhile); a recomputation never writes them again.

        The page's hot path, so a list rather than a queryset: the stored rows by the (user, score)
        index, then the people they name with the checks, then any offers; each query simple to plan.
        """
        if not is_signed_in(user):
            return []
        # Twice what is shown: room for those who dropped out since, without reading every stored row.
        stored = self.filter(user=user).only("user", "profile", "offer", "score", "reasons").order_by("-score", "pk")
        rows = list(stored[: 2 * limit])
        profile_ids = [row.profile_id for row in rows if row.profile_id]
        offer_ids = [row.offer_id for row in rows if row.offer_id]
        people, offers = {}, {}
        if profile_ids:
            reach = Q(visibility=Visibility.CONSORTIUM)
            if user.institution_id:
                reach |= Q(visibility=Visibility.INSTITUTION, user__institution_id=user.institution_id)
            found = MatchingProfile.objects.filter(reach, available_q(), pk__in=profile_ids, user__is_active=True)
            people = {p.pk: p for p in found.select_related("user__institution").only(*SHOWN_PROFILE_FIELDS)}
        if offer_ids:
            # Read back through the offers' own visibility rule: an offer since narrowed to its
            # institution, closed, or of someone blocked, or whose owner is full this month, drops out.
            found = (
                CooperationOffer.objects.visible_to(user)
                .open()
                .owner_available()
                .filter(pk__in=offer_ids)
                .exclude(owner=user)
                .select_related("owner__institution", "owner__matching_profile")
            )
            offers = {o.pk: o for o in found}
        shown = []
        for row in rows:
            if row.profile_id in people:
                row.profile = people[row.profile_id]
            elif row.offer_id in offers:
                row.offer = offers[row.offer_id]
            else:
                continue
            shown.append(row)
            if len(shown) == limit:
                break
        return shown


# What the recommendations page and API read of a recommended person.
SHOWN_PROFILE_FIELDS = [
    "headline", "bio", "topics", "looks_for", "offers", "visibility", "user__full_name", "user__is_active",
    "user__institution__short_name",
]  # fmt: skip


class Recommendation(models.Model):
    """A stored result of the matcher: a person or an offer worth meeting, with why, in parts that
    render in the reader's language (see matching.reasons)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recommendations")
    profile = models.ForeignKey(MatchingProfile, on_delete=models.CASCADE, null=True, related_name="+")
    offer = models.ForeignKey(CooperationOffer, on_delete=models.CASCADE, null=True, related_name="+")
    score = models.PositiveIntegerField()
    reasons = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=ONE_TARGET, name="recommendation_one_target"),
            models.UniqueConstraint(
                fields=["user", "profile"], condition=Q(profile__isnull=False), name="recommendation_profile_once"
            ),
            models.UniqueConstraint(
                fields=["user", "offer"], condition=Q(offer__isnull=False), name="recommendation_offer_once"
            ),
        ]
        indexes = [models.Index(fields=["user", "-score"], name="recommendation_top")]

    def __str__(self):
        return f"{self.user_id} → {self.profile_id or self.offer_id} ({self.score})"


class Dismissal(models.Model):
    """A recommendation a person does not want to see again: never recommended to them again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(MatchingProfile, on_delete=models.CASCADE, null=True, related_name="+")
    offer = models.ForeignKey(CooperationOffer, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=ONE_TARGET, name="dismissal_one_target"),
            models.UniqueConstraint(
                fields=["user", "profile"], condition=Q(profile__isnull=False), name="dismissal_profile_once"
            ),
            models.UniqueConstraint(
                fields=["user", "offer"], condition=Q(offer__isnull=False), name="dismissal_offer_once"
            ),
        ]

    def __str__(self):
        return f"{self.user_id} ✕ {self.profile_id or self.offer_id}"


class Block(models.Model):
    """A person who must not reach the blocker: no recommendation, no introduction, either way."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"])]

    def __str__(self):
        return f"{self.blocker_id} ⊘ {self.blocked_id}"


class UserReport(models.Model):
    """A report of someone's behaviour in matching, for the consortium admins."""

    reporter = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    reported = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(_("what happened"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self):
        return f"{self.reporter_id} → {self.reported_id}"

    def get_absolute_url(self):
        return reverse("matching:reports")


class IntroductionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


INTRODUCTION_REMINDER_DAYS = 7
INTRODUCTION_EXPIRY_DAYS = 14
MAX_PENDING_PER_SENDER = 5
MESSAGE_MAX_LENGTH = 2000


class IntroductionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Introductions are theirs alone: the person who asked and the person asked."""
        if not is_signed_in(user):
            return self.none()
        return self.filter(Q(sender=user) | Q(recipient=user))

    def pending(self):
        return self.filter(status=IntroductionStatus.PENDING)


class Introduction(models.Model):
    """A double opt-in introduction: contact details and a shared thread only once the other accepts."""

    sender = models.ForeignKey(User, on_delete=models.CASCADE, related_name="introductions_sent")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="introductions_received")
    offer = models.ForeignKey(
        CooperationOffer, on_delete=models.SET_NULL, null=True, blank=True, related_name="introductions"
    )
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=10, choices=IntroductionStatus.choices, default=IntroductionStatus.PENDING
    )
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IntroductionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(sender=F("recipient")), name="introduction_not_self"),
            models.UniqueConstraint(
                fields=["sender", "recipient"],
                condition=Q(status="pending"),
                name="introduction_one_pending_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["sender", "status"]),
            models.Index(fields=["recipient", "status"]),
            models.Index(fields=["updated_at", "id"]),
        ]

    def __str__(self):
        return f"{self.sender} → {self.recipient}"

    def get_absolute_url(self):
        return reverse("matching:introduction", args=[self.pk])

    @property
    def is_accepted(self) -> bool:
        return self.status == IntroductionStatus.ACCEPTED

    def other(self, user) -> User:
        return self.recipient if user.pk == self.sender_id else self.sender


class IntroductionMessage(models.Model):
    """The shared thread of an accepted introduction."""

    introduction = models.ForeignKey(Introduction, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.author_id}: {self.body[:40]}"
