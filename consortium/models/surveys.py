"""Evaluation surveys of any event (a training week, a summer school edition). A questionnaire
keeps the same questions across editions so that their results compare; a survey asks it once,
of the event's participants, in an open window, anonymously or by name."""

import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import User


class Questionnaire(models.Model):
    key = models.SlugField(_("key"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self):
        return self.title


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Agreement from 1 to 5")
    RECOMMEND = "recommend", _("Recommendation from 0 to 10")
    TEXT = "text", _("Free text")


# The scale of each numeric kind, both ends included.
QUESTION_SCALES = {QuestionKind.LIKERT: (1, 5), QuestionKind.RECOMMEND: (0, 10)}


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "position"], name="question_position_once"),
            models.CheckConstraint(condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"),
        ]

    def __str__(self):
        return self.text

    @property
    def scale(self) -> range | None:
        low_high = QUESTION_SCALES.get(self.kind)
        return range(low_high[0], low_high[1] + 1) if low_high else None


class SurveyQuerySet(models.QuerySet):
    def for_event(self, event):
        return self.filter(event_type=ContentType.objects.get_for_model(event), event_id=event.pk)

    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)

    def visible_to(self, user):
        """A survey's own participants see it; who sees results is the event app's decision."""
        if not getattr(user, "pk", None):
            return self.none()
        return self.filter(participants__user=user)


class Survey(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="surveys")
    event_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    event_id = models.PositiveBigIntegerField()
    event = GenericForeignKey("event_type", "event_id")
    title = models.CharField(_("title"), max_length=200)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    anonymous = models.BooleanField(_("anonymous"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(fields=["event_type", "event_id", "questionnaire"], name="survey_once_per_event"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="survey_closes_after_opening"),
        ]
        indexes = [models.Index(fields=["event_type", "event_id"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("consortium:survey-answer", args=[self.pk])

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


class SurveyParticipant(models.Model):
    """Who is asked, and whether (not what) they answered."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="survey_participations")
    responded_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["survey", "user"], name="survey_participant_once")]

    def __str__(self):
        return f"{self.user} · {self.survey}"


class SurveyResponse(models.Model):
    """One filled-in questionnaire. Random keys, listed in key order, so that neither the order of the
    rows nor their numbers tie an anonymous response to the participant who answered at that moment;
    for the same reason an anonymous response records no time at all (nor does the participant row
    record when they answered)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_responses"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)  # None when anonymous

    class Meta:
        ordering = ["id"]
        constraints = [
            # A named respondent answers once; anonymous once-only rests on SurveyParticipant.responded_at.
            models.UniqueConstraint(
                fields=["survey", "respondent"], condition=Q(respondent__isnull=False), name="survey_response_once"
            ),
        ]

    def __str__(self):
        return f"{self.survey} · {self.submitted_at:%Y-%m-%d}" if self.submitted_at else str(self.survey)


class SurveyAnswer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=5_000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=0, number__lte=10), name="survey_answer_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.question_id}: {self.number if self.number is not None else self.text[:40]}"
