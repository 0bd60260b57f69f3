"""Evaluation surveys: questionnaires across editions, answering once in the window, anonymity,
reminders, results and the comparison of editions."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.template.loader import render_to_string
from django.urls import reverse

from consortium import tasks
from consortium.models import Notification, Survey, SurveyAnswer, SurveyParticipant, SurveyResponse
from consortium.services.surveys import (
    add_survey_participants,
    create_survey,
    ensure_questionnaire,
    questionnaire_comparison,
    remind_survey_participants,
    submit_survey_response,
    survey_results,
)
from tests.factories import InstitutionFactory, officer

OPENS = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(days=14)
DURING = OPENS + timedelta(days=1)
QUESTIONS = [
    ("likert", "The week met its goals."),
    ("likert", "I can use what I learnt in my advice."),
    ("recommend", "How likely are you to recommend the week to a colleague?"),
    ("text", "What should the next week do differently?"),
]


@pytest.fixture
def questionnaire(db):
    return ensure_questionnaire(key="training-week", title="Training week evaluation", questions=QUESTIONS)


@pytest.fixture
def event(db):
    """Any model instance can carry a survey; an institution stands in for a training week."""
    return InstitutionFactory(name="Madrid training week")


@pytest.fixture
def asked(home, other):
    return [officer(institution=home), officer(institution=home), officer(institution=other)]


def _survey(questionnaire, event, participants, *, anonymous=True, **kwargs):
    with time_machine.travel(OPENS - timedelta(days=2), tick=False):
        return create_survey(
            questionnaire=questionnaire,
            event=event,
            title=kwargs.pop("title", "Madrid, March 2026"),
            opens_at=kwargs.pop("opens_at", OPENS),
            closes_at=kwargs.pop("closes_at", CLOSES),
            anonymous=anonymous,
            participants=participants,
            by=None,
        )


@pytest.fixture
def survey(questionnaire, event, asked):
    return _survey(questionnaire, event, asked)


def _ids(questionnaire):
    return [q.pk for q in questionnaire.questions.order_by("position")]


def _answer(survey, user, likert=(4, 5), recommend=9, text="More company visits.", at=DURING):
    a, b, r, t = _ids(survey.questionnaire)
    answers = {a: likert[0], b: likert[1], r: recommend}
    if text:
        answers[t] = text
    with time_machine.travel(at, tick=False):
        return submit_survey_response(survey=survey, user=user, answers=answers)


# Questionnaires and surveys


def test_ensuring_a_questionnaire_twice_keeps_its_questions(questionnaire):
    ids = _ids(questionnaire)
    again = ensure_questionnaire(
        key="training-week", title="Other title", questions=[*QUESTIONS, ("likert", "The host was well prepared.")]
    )
    assert again.pk == questionnaire.pk and again.title == "Training week evaluation"
    assert _ids(again)[:4] == ids
    assert [(q.position, q.kind, q.required) for q in again.questions.all()][-2:] == [
        (4, "text", False),
        (5, "likert", True),
    ]


def test_creating_a_survey_invites_its_participants(questionnaire, event, asked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        survey = _survey(questionnaire, event, asked)
    assert set(survey.participants.values_list("user", flat=True)) == {p.pk for p in asked}
    invitations = Notification.objects.filter(kind="survey.invitation")
    assert invitations.count() == 3
    assert invitations.first().url == reverse("consortium:survey-answer", args=[survey.pk])
    assert len(mail.outbox) == 3
    message = mail.outbox[0]
    assert "Your opinion on “Madrid, March 2026”" in message.subject
    assert "Your answers are anonymous" in message.body


def test_adding_participants_skips_those_already_asked(survey, asked, home):
    newcomer = officer(institution=home)
    assert add_survey_participants(survey=survey, users=[asked[0], newcomer]) == 1
    assert Notification.objects.filter(kind="survey.invitation", recipient=asked[0]).count() == 1
    assert Notification.objects.filter(kind="survey.invitation", recipient=newcomer).count() == 1


def test_a_window_that_closes_before_it_opens_is_refused(questionnaire, event):
    with pytest.raises(ValidationError) as error:
        _survey(questionnaire, event, [], closes_at=OPENS, title=" ")
    assert error.value.message_dict == {
        "title": ["Give the survey a title."],
        "closes_at": ["The survey must close after it opens."],
    }
    assert not Survey.objects.exists()


def test_one_survey_per_questionnaire_and_event(survey, questionnaire, event):
    with pytest.raises(ValidationError) as error:
        _survey(questionnaire, event, [])
    assert error.value.message_dict == {"questionnaire": ["This event has a survey with this questionnaire already."]}


# Answering


def test_a_participant_answers_once(survey, asked):
    response = _answer(survey, asked[0])
    assert response.answers.count() == 4
    participant = SurveyParticipant.objects.get(survey=survey, user=asked[0])
    assert participant.responded_at is not None
    with pytest.raises(ValidationError) as error:
        _answer(survey, asked[0])
    assert error.value.messages == ["You have answered this survey already. Thank you!"]
    assert SurveyResponse.objects.count() == 1


def test_an_anonymous_response_holds_no_link_to_the_person(survey, asked):
    response = _answer(survey, asked[0], at=OPENS + timedelta(days=1, hours=5, minutes=17))
    _answer(survey, asked[1], at=OPENS + timedelta(days=3, hours=2))
    response.refresh_from_db()
    assert response.respondent is None
    # No time on either side: a time or a day on both rows would pair them up.
    assert response.submitted_at is None
    assert set(SurveyParticipant.objects.filter(survey=survey).values_list("responded_at", flat=True)) == {OPENS, None}
    fields = {f.name for f in SurveyResponse._meta.get_fields()}
    assert fields == {"id", "survey", "respondent", "submitted_at", "answers"}
    assert isinstance(response.pk, type(SurveyAnswer.objects.first().pk))
    assert not isinstance(response.pk, int)


def test_a_named_response_records_the_person(questionnaire, event, asked):
    named = _survey(questionnaire, event, asked, anonymous=False)
    response = _answer(named, asked[1])
    assert response.respondent == asked[1]
    assert response.submitted_at == DURING


@pytest.mark.parametrize(
    ("at", "message"),
    [(OPENS - timedelta(minutes=1), "This survey is not open yet."), (CLOSES, "This survey is closed.")],
)
def test_answers_outside_the_window_are_refused(survey, asked, at, message):
    with pytest.raises(ValidationError) as error:
        _answer(survey, asked[0], at=at)
    assert error.value.messages == [message]
    assert not SurveyResponse.objects.exists()
    assert SurveyParticipant.objects.get(survey=survey, user=asked[0]).responded_at is None


def test_someone_not_asked_is_refused(survey, home):
    with pytest.raises(PermissionDenied):
        _answer(survey, officer(institution=home))


def test_missing_and_out_of_range_answers_are_refused_and_nothing_is_saved(survey, asked):
    a, b, r, t = _ids(survey.questionnaire)
    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as error:
        submit_survey_response(survey=survey, user=asked[0], answers={a: 6, r: "eleven", t: ""})
    assert error.value.message_dict == {
        f"question_{a}": ["Choose a whole number from 1 to 5."],
        f"question_{b}": ["Please answer this question."],
        f"question_{r}": ["Choose a whole number from 0 to 10."],
    }
    assert not SurveyResponse.objects.exists() and not SurveyAnswer.objects.exists()
    assert SurveyParticipant.objects.get(survey=survey, user=asked[0]).responded_at is None
    # The optional text may be left out; 0 is a fine recommendation.
    assert _answer(survey, asked[0], recommend=0, text="").answers.count() == 3


def test_an_answer_to_another_questionnaire_is_refused(survey, asked):
    a, b, r, _t = _ids(survey.questionnaire)
    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as error:
        submit_survey_response(survey=survey, user=asked[0], answers={a: 1, b: 1, r: 1, 999_999: 3})
    assert error.value.message_dict == {"__all__": ["Some answers are for questions this survey does not ask."]}
    assert not SurveyResponse.objects.exists()


# Reminders


def test_one_reminder_to_those_who_have_not_answered(survey, asked, django_capture_on_commit_callbacks):
    _answer(survey, asked[0])
    with time_machine.travel(CLOSES - timedelta(days=4), tick=False):
        assert remind_survey_participants() == 0
    with time_machine.travel(CLOSES - timedelta(days=2), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_survey_participants.delay().get() == 2
        assert tasks.remind_survey_participants.delay().get() == 0
    reminded = Notification.objects.filter(kind="survey.reminder")
    assert set(reminded.values_list("recipient", flat=True)) == {asked[1].pk, asked[2].pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([asked[1].email, asked[2].email])
    assert "This is the only reminder you will get." in mail.outbox[0].body


def test_no_reminder_once_the_survey_closed(survey):
    with time_machine.travel(CLOSES + timedelta(hours=1), tick=False):
        assert remind_survey_participants() == 0


# Results


def test_results_count_each_point_the_mean_the_nps_and_the_rate(survey, asked, django_assert_max_num_queries):
    _answer(survey, asked[0], likert=(5, 4), recommend=10, text="More visits.")
    _answer(survey, asked[1], likert=(3, 4), recommend=6, text="")
    with django_assert_max_num_queries(5):
        results = survey_results(survey)
    assert (results["participants"], results["responses"], results["response_rate"]) == (3, 2, 67)
    first, second, recommend, text = results["questions"]
    assert first["mean"] == 4.0 and first["answered"] == 2
    assert [(p["value"], p["count"], p["percent"]) for p in first["points"]] == [
        (1, 0, 0),
        (2, 0, 0),
        (3, 1, 50),
        (4, 0, 0),
        (5, 1, 50),
    ]
    assert [p["width"] for p in second["points"]] == [0, 0, 0, 240, 0]
    assert recommend["nps"] == 0 and recommend["groups"] == {"detractors": 1, "passives": 0, "promoters": 1}
    assert recommend["mean"] == 8.0
    assert text["texts"] == [{"text": "More visits.", "by": None}]


def test_named_results_say_who_wrote_a_text(questionnaire, event, asked):
    named = _survey(questionnaire, event, asked, anonymous=False)
    _answer(named, asked[0], text="Longer lunch.")
    assert survey_results(named)["questions"][3]["texts"] == [{"text": "Longer lunch.", "by": str(asked[0])}]


def test_the_results_partial_draws_bars_and_lists_the_numbers(survey, asked):
    _answer(survey, asked[0], likert=(5, 4), recommend=10, text="<b>More</b> visits.")
    html = render_to_string("consortium/surveys/results.html", {"results": survey_results(survey)})
    assert '<rect x="32" y="3" width="240" height="16"' in html
    assert "1 of 3 participants answered (33%)." in html
    assert "Net promoter score 100" in html
    assert "&lt;b&gt;More&lt;/b&gt; visits." in html
    assert "style=" not in html and "<script" not in html
    assert str(asked[0]) not in html


def test_editions_compare_question_by_question(questionnaire, asked, home, other):
    first = _survey(questionnaire, InstitutionFactory(), asked, title="Madrid 2025")
    second = _survey(questionnaire, InstitutionFactory(), asked[:2], title="Milan 2026")
    _answer(first, asked[0], likert=(5, 5), recommend=10)
    _answer(first, asked[1], likert=(3, 5), recommend=5)
    _answer(second, asked[0], likert=(4, 2), recommend=9)
    comparison = questionnaire_comparison(questionnaire, [first.event, second])
    assert [s.title for s in comparison["surveys"]] == ["Madrid 2025", "Milan 2026"]
    assert [[c["mean"] for c in row["cells"]] for row in comparison["rows"]] == [[4.0, 4.0], [5.0, 2.0], [7.5, 9.0]]
    assert [item["nps"] for item in comparison["nps"]] == [0, 100]
    assert [(r["responses"], r["participants"]) for r in comparison["responses"]] == [(2, 3), (1, 2)]
    html = render_to_string("consortium/surveys/comparison.html", {"comparison": comparison})
    assert "Madrid 2025" in html and "Milan 2026" in html and "style=" not in html


# The answer page


def test_a_participant_answers_in_the_browser(client, survey, asked, django_assert_max_num_queries):
    client.force_login(asked[0])
    a, b, r, t = _ids(survey.questionnaire)
    url = reverse("consortium:survey-answer", args=[survey.pk])
    with time_machine.travel(DURING, tick=False):
        with django_assert_max_num_queries(12):
            page = client.get(url)
        assert page.status_code == 200 and b"Send my answers" in page.content
        response = client.post(url, {f"question_{a}": "4", f"question_{b}": "5", f"question_{r}": "8"})
        assert response.status_code == 302 and response.url == url
        thanks = client.get(url)
    assert b'data-state="answered"' in thanks.content
    assert SurveyResponse.objects.get().answers.count() == 3


def test_a_missing_answer_is_shown_next_to_its_question(client, survey, asked):
    client.force_login(asked[0])
    a, b, r, _t = _ids(survey.questionnaire)
    with time_machine.travel(DURING, tick=False):
        page = client.post(reverse("consortium:survey-answer", args=[survey.pk]), {f"question_{a}": "4"})
    assert page.status_code == 200
    assert page.content.count(b"This field is required.") == 2
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(("at", "state"), [(OPENS - timedelta(days=1), b"not-open"), (CLOSES, b"closed")])
def test_the_page_says_when_the_survey_is_not_open(client, survey, asked, at, state):
    client.force_login(asked[0])
    a, b, r, t = _ids(survey.questionnaire)
    url = reverse("consortium:survey-answer", args=[survey.pk])
    with time_machine.travel(at, tick=False):
        page = client.get(url)
        # A complete, valid set of answers: only the window can refuse it.
        posted = client.post(url, {f"question_{a}": "4", f"question_{b}": "5", f"question_{r}": "8"})
    assert f'data-state="{state.decode()}"'.encode() in page.content
    assert b'<form method="post" action="/surveys' not in page.content
    assert posted.status_code == 200 and not SurveyResponse.objects.exists()


@pytest.mark.parametrize("role", ["student", "officer", "admin", "other_admin", "consortium_admin"])
def test_anyone_not_asked_gets_404(client, survey, people, role):
    client.force_login(people[role])
    assert client.get(reverse("consortium:survey-answer", args=[survey.pk])).status_code == 404


def test_the_anonymous_are_sent_to_sign_in(client, survey):
    response = client.get(reverse("consortium:survey-answer", args=[survey.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# Concurrency (PostgreSQL)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_store_one_response(home):
    assert connection.vendor == "postgresql"
    questionnaire = ensure_questionnaire(key="race", title="Race", questions=[("likert", "Good?")])
    person = officer(institution=home)
    now = datetime.now(UTC)
    survey = create_survey(
        questionnaire=questionnaire,
        event=home,
        title="Race",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        anonymous=True,
        participants=[person],
        by=None,
    )
    question = questionnaire.questions.get()
    barrier, outcomes = threading.Barrier(8), []

    def submit():
        try:
            barrier.wait()
            submit_survey_response(survey=survey, user=person, answers={question.pk: 4})
            outcomes.append("stored")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["You have answered this survey already. Thank you!"] * 7 + ["stored"]
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


@pytest.mark.browser
def test_the_form_and_the_results_in_a_browser(page, screenshot, questionnaire, settings, home):
    """The answer form, then the results partial on a test-only page (tests/consortium/survey_urls.py)."""
    settings.ROOT_URLCONF = "tests.consortium.survey_urls"
    now = datetime.now(UTC)
    people = [officer(institution=home) for _ in range(6)]
    survey = create_survey(
        questionnaire=questionnaire,
        event=home,
        title="Madrid, March 2026",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=6),
        anonymous=True,
        participants=people,
        by=None,
    )
    a, b, r, t = _ids(questionnaire)
    for n, person in enumerate(people[1:]):
        submit_survey_response(
            survey=survey, user=person, answers={a: 5 - n % 3, b: 3 + n % 2, r: 6 + n, t: f"Idea number {n}."}
        )
    page.goto("/accounts/login/")
    page.fill("input[name=login]", people[0].email)
    page.fill("input[name=password]", "a-long-test-password-1")
    page.click("button[type=submit]")
    page.goto(f"/surveys/{survey.pk}/")
    page.click(f"label[for=id_question_{a}_3]")
    page.click("text=Send my answers")
    assert page.locator(".invalid-feedback").count() == 2
    screenshot("form-errors")
    page.click(f"label[for=id_question_{b}_4]")
    page.click(f"label[for=id_question_{r}_9]")
    page.fill(f"textarea[name=question_{t}]", "Visit more companies.")
    screenshot("form")
    page.click("text=Send my answers")
    page.wait_for_selector("[data-state=answered]")
    screenshot("thanks")
    page.goto(f"/test-survey-results/{survey.pk}/")
    page.wait_for_selector(".survey-results")
    assert "6 of 6 participants answered (100%)." in page.inner_text(".survey-results")
    screenshot("results")


def test_named_answers_are_exported_and_lose_their_author_on_erasure(questionnaire, event, asked):
    from consortium.services.privacy import erase_account, export_personal_data

    named = _survey(questionnaire, event, asked, anonymous=False)
    _answer(named, asked[0], text="Ask Dolores in the office.")
    _answer(survey_anonymous := _survey(questionnaire, InstitutionFactory(), asked), asked[0], text="Anonymous idea.")
    exported = export_personal_data(user=asked[0])["surveys"]
    assert len(exported["surveys_asked"]) == 2
    assert sorted(a["text"] for a in exported["named_answers"] if a["text"]) == ["Ask Dolores in the office."]
    erase_account(user=asked[0])
    response = SurveyResponse.objects.get(survey=named)
    assert response.respondent is None and response.answers.count() == 4
    assert survey_results(named)["responses"] == 1 and survey_results(survey_anonymous)["responses"] == 1
