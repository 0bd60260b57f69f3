"""Evaluation surveys of any event: questionnaires kept stable across editions, the participants'
answers (once each, in an open window, anonymous or named), a reminder before closing, and results.

The event's app decides who creates a survey and who sees its results; the core checks only that
the person answering is a participant.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    QUESTION_SCALES,
    Question,
    QuestionKind,
    Questionnaire,
    Survey,
    SurveyAnswer,
    SurveyParticipant,
    SurveyResponse,
    User,
)
from .notifications import notify

TEXT_ANSWER_MAX_LENGTH = 5_000
TITLE_MAX_LENGTH = 200
# Those who have not answered hear once, when the survey closes within this many days.
REMIND_DAYS_BEFORE_CLOSING = 3
# Width in SVG user units of the longest bar of a results chart.
BAR_WIDTH = 240


def field_name(question: Question | int) -> str:
    """The key of a question's errors, and the name of its form field."""
    return f"question_{getattr(question, 'pk', question)}"


# Questionnaires and surveys


@transaction.atomic
def ensure_questionnaire(*, key: str, title: str, questions: list[tuple[str, str]]) -> Questionnaire:
    """The questionnaire `key`, created with `questions` — (kind, text) or (kind, text, required);
    text questions default to optional, the others to required. Idempotent: for an existing key,
    questions not there yet are appended and those already asked are left alone, so that results
    keep comparing across editions."""
    questionnaire, _created = Questionnaire.objects.get_or_create(key=key, defaults={"title": title})
    existing = {(q.kind, q.text) for q in questionnaire.questions.all()}
    position = max((q.position for q in questionnaire.questions.all()), default=0)
    for item in questions:
        kind, text = item[0], item[1]
        if kind not in QuestionKind.values:
            raise ValueError(f"Unknown question kind {kind!r}.")
        if (kind, text) in existing:
            continue
        position += 1
        required = item[2] if len(item) > 2 else kind != QuestionKind.TEXT
        Question.objects.create(questionnaire=questionnaire, position=position, kind=kind, text=text, required=required)
        existing.add((kind, text))
    return questionnaire


def _invite(survey: Survey, users: list[User]) -> None:
    notify(users, "survey.invitation", context={"survey": survey}, dedupe_key=f"survey:{survey.pk}", target=survey)


@transaction.atomic
def create_survey(
    *,
    questionnaire: Questionnaire,
    event: Model,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    anonymous: bool,
    participants: Iterable[User],
    by: User | None,
) -> Survey:
    """A survey of `event` asking `questionnaire`, with its participants invited (notification
    "survey.invitation"). ValidationError (keys title, closes_at, questionnaire) for an empty title,
    a window that closes before it opens, or a second survey of the same questionnaire for the event.
    The caller checks that `by` may do this."""
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the survey a title.")
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = _("At most %(limit)d characters.") % {"limit": TITLE_MAX_LENGTH}
    if opens_at is None or closes_at is None or closes_at <= opens_at:
        errors["closes_at"] = _("The survey must close after it opens.")
    if Survey.objects.for_event(event).filter(questionnaire=questionnaire).exists():
        errors["questionnaire"] = _("This event has a survey with this questionnaire already.")
    if errors:
        raise ValidationError(errors)
    survey = Survey(
        questionnaire=questionnaire,
        event=event,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        anonymous=anonymous,
        created_by=by,
    )
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError:  # the same survey created at the same moment by someone else
        raise ValidationError(
            {"questionnaire": _("This event has a survey with this questionnaire already.")}
        ) from None
    add_survey_participants(survey=survey, users=participants)
    return survey


@transaction.atomic
def open_evaluation(
    *,
    event: Model,
    title: str,
    key: str,
    questionnaire_title: str,
    questions: list[tuple[str, str]],
    participants: list[User],
    anonymous: bool,
    days_open: int,
    by: User,
) -> Survey:
    """An event's evaluation survey, open from now for `days_open` days with the questionnaire `key`
    (kept stable across editions, so that results compare). Refused a second time and when there is
    nobody to ask. The caller checks that `by` may do this and that the event has ended enough."""
    if Survey.objects.for_event(event).exists():
        raise ValidationError(_("The evaluation survey is already open."))
    if not participants:
        raise ValidationError(_("There are no confirmed participants to ask."))
    questionnaire = ensure_questionnaire(key=key, title=questionnaire_title, questions=questions)
    now = timezone.now()
    return create_survey(
        questionnaire=questionnaire,
        event=event,
        title=title,
        opens_at=now,
        closes_at=now + timedelta(days=days_open),
        anonymous=anonymous,
        participants=participants,
        by=by,
    )


def compared_events(*, survey: Survey, event: Model, events, date_field: str, limit: int) -> list:
    """`event`, whose survey this is, after the `limit - 1` latest events of `events` (a queryset of the same
    model) up to its date that had a survey of the same questionnaire, oldest first; events without
    one would only take up places in questionnaire_comparison."""
    with_survey = Survey.objects.filter(questionnaire=survey.questionnaire, event_type=survey.event_type).values(
        "event_id"
    )
    earlier = (
        events.filter(**{f"{date_field}__lte": getattr(event, date_field)}, pk__in=with_survey)
        .exclude(pk=event.pk)
        .order_by(f"-{date_field}", "-pk")
    )
    return [*reversed(earlier[: limit - 1]), event]


def results_with_comparison(*, survey: Survey, event: Model, events, date_field: str, limit: int) -> dict:
    """What an event's results page shows: the survey's results and the comparison with the earlier
    events of `events` (see compared_events)."""
    compared = compared_events(survey=survey, event=event, events=events, date_field=date_field, limit=limit)
    return {
        "results": survey_results(survey),
        "comparison": questionnaire_comparison(survey.questionnaire, compared),
    }


@transaction.atomic
def add_survey_participants(*, survey: Survey, users: Iterable[User]) -> int:
    """Ask more people; those already asked are skipped. Each new participant is invited.
    Returns how many were added."""
    users = {user.pk: user for user in users if user is not None}
    known = set(SurveyParticipant.objects.filter(survey=survey, user__in=users).values_list("user_id", flat=True))
    new = [user for pk, user in users.items() if pk not in known]
    created = SurveyParticipant.objects.bulk_create(
        [SurveyParticipant(survey=survey, user=user) for user in new], ignore_conflicts=True
    )
    if new:
        _invite(survey, new)
    return len(created)


# Answering


def _clean_answers(survey: Survey, answers: dict) -> dict[Question, int | str]:
    questions = list(survey.questionnaire.questions.all())
    known = {q.pk for q in questions}
    errors, cleaned = {}, {}
    unknown = [key for key in answers if _as_int(key) not in known]
    if unknown:
        errors["__all__"] = _("Some answers are for questions this survey does not ask.")
    answers = {_as_int(key): value for key, value in answers.items()}
    for question in questions:
        value = answers.get(question.pk)
        value = value.strip() if isinstance(value, str) else value
        if value in (None, ""):
            if question.required:
                errors[field_name(question)] = _("Please answer this question.")
            continue
        if question.kind == QuestionKind.TEXT:
            if len(str(value)) > TEXT_ANSWER_MAX_LENGTH:
                errors[field_name(question)] = _("At most %(limit)d characters.") % {"limit": TEXT_ANSWER_MAX_LENGTH}
            cleaned[question] = str(value)
            continue
        low, high = QUESTION_SCALES[question.kind]
        number = _as_int(value)
        if number is None or not low <= number <= high:
            errors[field_name(question)] = _("Choose a whole number from %(low)d to %(high)d.") % {
                "low": low,
                "high": high,
            }
            continue
        cleaned[question] = number
    if errors:
        raise ValidationError(errors)
    return cleaned


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def answering_state(survey: Survey, user: User, now: datetime | None = None) -> str:
    """Where `user` stands with `survey`: "outsider", "answered", "not_open", "closed" or "open"."""
    participant = SurveyParticipant.objects.filter(survey=survey, user_id=getattr(user, "pk", None)).first()
    now = now or timezone.now()
    if participant is None:
        return "outsider"
    if participant.responded_at is not None:
        return "answered"
    if now < survey.opens_at:
        return "not_open"
    if now >= survey.closes_at:
        return "closed"
    return "open"


@transaction.atomic
def submit_survey_response(*, survey: Survey, user: User, answers: dict[int, int | str]) -> SurveyResponse:
    """Record `user`'s answers, keyed by question id. PermissionDenied for someone not asked;
    ValidationError for a survey not open, a second response (checked by a conditional UPDATE of the
    participant row, so it holds when two arrive at once), a required answer missing or a number off
    the scale (keys question_<id>). An anonymous response holds no link to the person: only the
    participant row records that they answered, and the response only the day."""
    state = answering_state(survey, user)
    if state == "outsider":
        raise PermissionDenied(_("You are not asked to answer this survey."))
    if state == "answered":
        raise ValidationError(_("You have answered this survey already. Thank you!"), code="answered")
    if state == "not_open":
        raise ValidationError(_("This survey is not open yet."), code="not_open")
    if state == "closed":
        raise ValidationError(_("This survey is closed."), code="closed")
    cleaned = _clean_answers(survey, answers)
    now = timezone.now()
    marked = SurveyParticipant.objects.filter(survey=survey, user=user, responded_at__isnull=True).update(
        responded_at=survey.opens_at if survey.anonymous else now
    )
    if not marked:
        raise ValidationError(_("You have answered this survey already. Thank you!"), code="answered")
    response = SurveyResponse.objects.create(
        survey=survey,
        respondent=None if survey.anonymous else user,
        submitted_at=None if survey.anonymous else now,
    )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            response=response,
            question=question,
            number=value if isinstance(value, int) else None,
            text=value if isinstance(value, str) else "",
        )
        for question, value in cleaned.items()
    )
    return response


def remind_survey_participants(*, now: datetime | None = None) -> int:
    """Remind once those who have not answered a survey that is open and closes within
    REMIND_DAYS_BEFORE_CLOSING days (notification "survey.reminder"). One transaction per survey;
    running it again sends nothing. Returns the number of people reminded."""
    now = now or timezone.now()
    due = Survey.objects.open(now).filter(
        closes_at__lte=now + timedelta(days=REMIND_DAYS_BEFORE_CLOSING),
        participants__responded_at__isnull=True,
        participants__reminded_at__isnull=True,
    )
    reminded = 0
    for survey in due.distinct().order_by("pk"):
        with transaction.atomic():
            waiting = list(
                SurveyParticipant.objects.select_for_update(skip_locked=True)
                .filter(survey=survey, responded_at__isnull=True, reminded_at__isnull=True)
                .select_related("user")
            )
            notify(
                [p.user for p in waiting],
                "survey.reminder",
                context={"survey": survey},
                dedupe_key=f"survey:{survey.pk}",
                target=survey,
            )
            reminded += SurveyParticipant.objects.filter(pk__in=[p.pk for p in waiting]).update(reminded_at=now)
    return reminded


# Results


def _nps(counts: dict[int, int]) -> int | None:
    """Net promoter score: % answering 9–10 minus % answering 0–6."""
    total = sum(counts.values())
    if not total:
        return None
    promoters = sum(n for point, n in counts.items() if point >= 9)
    detractors = sum(n for point, n in counts.items() if point <= 6)
    return round(100 * (promoters - detractors) / total)


def _mean(counts: dict[int, int]) -> float | None:
    total = sum(counts.values())
    return round(sum(point * n for point, n in counts.items()) / total, 2) if total else None


def survey_results(survey: Survey) -> dict:
    """The results of one survey, ready for consortium/surveys/results.html:
    {"survey", "participants", "responses", "response_rate" (0–100, or None without participants),
     "questions": [{"question", "answered", "mean", "nps" (recommendation only), "groups" (detractors,
     passives, promoters, recommendation only), "points": [{"value", "count", "percent", "width"}],
     "texts": [{"text", "by"}]}]}.
    `by` is the respondent's name in a named survey and always None in an anonymous one. Five queries."""
    questions = list(survey.questionnaire.questions.all())
    participants = survey.participants.count()
    responses = survey.responses.count()
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, number, n in (
        SurveyAnswer.objects.filter(response__survey=survey, number__isnull=False)
        .order_by()
        .values("question", "number")
        .annotate(n=Count("pk"))
        .values_list("question", "number", "n")
    ):
        counts[question_id][number] = n
    texts = defaultdict(list)
    rows = SurveyAnswer.objects.filter(response__survey=survey).exclude(text="")
    if survey.anonymous:
        # Random keys: the order says nothing about who answered when.
        for question_id, text in rows.order_by("pk").values_list("question", "text"):
            texts[question_id].append({"text": text, "by": None})
    else:
        for answer in rows.select_related("response__respondent").order_by("response__submitted_at", "response"):
            respondent = answer.response.respondent
            texts[answer.question_id].append({"text": answer.text, "by": str(respondent) if respondent else None})
    return {
        "survey": survey,
        "participants": participants,
        "responses": responses,
        "response_rate": round(100 * responses / participants) if participants else None,
        "questions": [_question_results(q, counts.get(q.pk, {}), texts.get(q.pk, [])) for q in questions],
    }


def _question_results(question: Question, counts: dict[int, int], texts: list) -> dict:
    result = {"question": question, "texts": texts, "answered": len(texts), "points": [], "mean": None}
    if question.scale is None:
        return result
    answered = sum(counts.values())
    most = max(counts.values(), default=0)
    result["answered"] = answered
    result["mean"] = _mean(counts)
    result["points"] = [
        {
            "value": point,
            "count": counts.get(point, 0),
            "percent": round(100 * counts.get(point, 0) / answered) if answered else 0,
            "width": round(BAR_WIDTH * counts.get(point, 0) / most) if most else 0,
        }
        for point in question.scale
    ]
    if question.kind == QuestionKind.RECOMMEND:
        result["nps"] = _nps(counts)
        result["groups"] = {
            "detractors": sum(n for p, n in counts.items() if p <= 6),
            "passives": sum(n for p, n in counts.items() if 7 <= p <= 8),
            "promoters": sum(n for p, n in counts.items() if p >= 9),
        }
    return result


def questionnaire_comparison(questionnaire: Questionnaire, events_or_surveys: Iterable) -> dict:
    """The same questionnaire across editions, for consortium/surveys/comparison.html. Takes surveys,
    or events (each resolved to its survey of this questionnaire; events without one are skipped),
    in the order given:
    {"questionnaire", "surveys": [survey…], "rows": [{"question", "cells": [{"survey", "mean",
     "width"}…]}] (numeric questions), "nps": [{"survey", "nps", "width"}…] (with a recommendation
    question), "responses": [{"survey", "responses", "participants"}…]}. A fixed number of queries."""
    surveys = _resolve_surveys(questionnaire, list(events_or_surveys))
    questions = [q for q in questionnaire.questions.all() if q.scale is not None]
    counts: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for survey_id, question_id, number, n in (
        SurveyAnswer.objects.filter(response__survey__in=surveys, number__isnull=False)
        .order_by()
        .values("response__survey", "question", "number")
        .annotate(n=Count("pk"))
        .values_list("response__survey", "question", "number", "n")
    ):
        counts[(survey_id, question_id)][number] = n
    sizes = {
        row["pk"]: row
        for row in Survey.objects.filter(pk__in=[s.pk for s in surveys])
        .annotate(
            n_responses=Count("responses", distinct=True),
            n_participants=Count("participants", distinct=True),
        )
        .values("pk", "n_responses", "n_participants")
    }
    rows = []
    for question in questions:
        low, high = QUESTION_SCALES[question.kind]
        cells = []
        for survey in surveys:
            mean = _mean(counts.get((survey.pk, question.pk), {}))
            width = round(BAR_WIDTH * (mean - low) / (high - low)) if mean is not None else 0
            cells.append({"survey": survey, "mean": mean, "width": width})
        rows.append({"question": question, "cells": cells})
    nps = []
    recommend = [q for q in questions if q.kind == QuestionKind.RECOMMEND]
    if recommend:
        for survey in surveys:
            score = _nps(counts.get((survey.pk, recommend[0].pk), {}))
            # -100…100 drawn from the middle.
            nps.append(
                {"survey": survey, "nps": score, "width": round(BAR_WIDTH / 2 * abs(score) / 100) if score else 0}
            )
    return {
        "questionnaire": questionnaire,
        "surveys": surveys,
        "rows": rows,
        "nps": nps,
        "responses": [
            {
                "survey": survey,
                "responses": sizes[survey.pk]["n_responses"],
                "participants": sizes[survey.pk]["n_participants"],
            }
            for survey in surveys
        ],
    }


def _resolve_surveys(questionnaire: Questionnaire, items: list) -> list[Survey]:
    """The questionnaire's surveys of `items` (surveys or events), in the order given; one query for the events."""
    from django.contrib.contenttypes.models import ContentType

    events = [item for item in items if not isinstance(item, Survey)]
    by_event = {}
    if events:
        keys = {(ContentType.objects.get_for_model(item).pk, item.pk) for item in events}  # content types are cached
        query = Q()
        for event_type, event_id in keys:
            query |= Q(event_type_id=event_type, event_id=event_id)
        by_event = {
            (survey.event_type_id, survey.event_id): survey
            for survey in Survey.objects.filter(query, questionnaire=questionnaire)
        }
    surveys = []
    for item in items:
        if isinstance(item, Survey):
            survey = item if item.questionnaire_id == questionnaire.pk else None
        else:
            survey = by_event.get((ContentType.objects.get_for_model(item).pk, item.pk))
        if survey is not None:
            surveys.append(survey)
    return surveys
