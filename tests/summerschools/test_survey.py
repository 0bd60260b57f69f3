"""The evaluation survey of a summer school: organisers open it from the last day for the confirmed
participants of every institution, the participants answer, organisers read the results beside
earlier editions'."""

import datetime
import html

import pytest
from django.utils import timezone

from consortium.models import Notification, Survey, SurveyParticipant
from consortium.services import surveys as survey_service
from summerschools.models import ApplicationStatus
from summerschools.services import organise

from .factories import ApplicationFactory, EditionFactory


@pytest.fixture
def ended(edition, cast):
    today = timezone.localdate()
    edition.starts_on, edition.ends_on = today - datetime.timedelta(days=9), today
    edition.save(update_fields=["starts_on", "ends_on"])
    for who in ["student", "other_student"]:
        ApplicationFactory(edition=edition, student=cast[who], status=ApplicationStatus.CONFIRMED)
    ApplicationFactory(edition=edition, student=cast["classmate"], status=ApplicationStatus.REJECTED)
    return edition


def _answers(survey, likert=4, recommend=9):
    return {
        q.pk: {"likert": likert, "recommend": recommend, "text": "More mentoring."}[q.kind]
        for q in survey.questionnaire.questions.all()
    }


def test_an_organiser_opens_the_survey_and_the_confirmed_participants_are_invited(client, ended, cast):
    client.force_login(cast["other_organiser"])
    response = client.post("/summer-schools/madrid-lab/survey/", follow=True)
    assert "The evaluation survey is open; the participants have been invited." in response.text
    survey = organise.edition_survey(ended)
    assert survey.anonymous is True and survey.title == "Madrid Venture Lab"
    asked = set(SurveyParticipant.objects.filter(survey=survey).values_list("user__full_name", flat=True))
    assert asked == {"Sara Student", "Theo Other"}
    invited = Notification.objects.filter(kind="survey.invitation").values_list("recipient__full_name", flat=True)
    assert set(invited) == {"Sara Student", "Theo Other"}
    again = client.post("/summer-schools/madrid-lab/survey/", follow=True)
    assert "The evaluation survey is already open." in again.text
    assert Survey.objects.count() == 1


def test_a_named_survey_when_ticked(client, ended, cast):
    client.force_login(cast["host_organiser"])
    client.post("/summer-schools/madrid-lab/survey/", {"named": "1"})
    assert organise.edition_survey(ended).anonymous is False


def test_the_survey_waits_for_the_last_day(client, edition, cast):
    ApplicationFactory(edition=edition, student=cast["student"], status=ApplicationStatus.CONFIRMED)
    client.force_login(cast["host_organiser"])
    response = client.post("/summer-schools/madrid-lab/survey/", follow=True)
    assert "The evaluation survey opens on the school's last day at the earliest." in html.unescape(response.text)
    assert not Survey.objects.exists()


def test_a_survey_needs_participants(client, host, cast):
    today = timezone.localdate()
    EditionFactory(host=host, slug="empty", starts_on=today, ends_on=today, organisers=[cast["host_organiser"]])
    client.force_login(cast["host_organiser"])
    response = client.post("/summer-schools/empty/survey/", follow=True)
    assert "There are no confirmed participants to ask." in response.text


@pytest.mark.parametrize("who", ["colleague", "student", "other_student"])
def test_others_cannot_open_the_survey_or_read_results(client, ended, cast, who):
    client.force_login(cast[who])
    assert client.post("/summer-schools/madrid-lab/survey/").status_code == 404
    assert not Survey.objects.exists()
    organise.open_survey(edition=ended, by=cast["host_organiser"])
    assert client.get("/summer-schools/madrid-lab/survey/results/").status_code == 404


def test_participants_answer_and_organisers_see_results_beside_earlier_editions(
    client, ended, host, cast, django_assert_max_num_queries
):
    # Last year's edition had a survey of the same questionnaire; an edition in between had none.
    last_year = EditionFactory(
        host=host,
        title="Madrid Lab 2025",
        starts_on=ended.starts_on - datetime.timedelta(days=365),
        organisers=[cast["host_organiser"]],
    )
    EditionFactory(host=host, title="No survey", starts_on=ended.starts_on - datetime.timedelta(days=100))
    ApplicationFactory(edition=last_year, student=cast["classmate"], status=ApplicationStatus.CONFIRMED)
    ends = last_year.ends_on
    last_year.starts_on = last_year.ends_on = timezone.localdate()
    last_year.save(update_fields=["starts_on", "ends_on"])
    old = organise.open_survey(edition=last_year, by=cast["host_organiser"])
    last_year.starts_on, last_year.ends_on = ends - datetime.timedelta(days=9), ends
    last_year.save(update_fields=["starts_on", "ends_on"])
    survey_service.submit_survey_response(
        survey=old, user=cast["classmate"], answers=_answers(old, likert=2, recommend=5)
    )

    client.force_login(cast["host_organiser"])
    client.post("/summer-schools/madrid-lab/survey/")
    survey = organise.edition_survey(ended)
    client.force_login(cast["student"])
    answer_page = client.get(f"/surveys/{survey.pk}/")
    assert answer_page.status_code == 200
    survey_service.submit_survey_response(survey=survey, user=cast["student"], answers=_answers(survey))

    client.force_login(cast["host_organiser"])
    with django_assert_max_num_queries(30):
        page = client.get("/summer-schools/madrid-lab/survey/results/")
    assert page.status_code == 200
    assert "1 of 2 participants answered (50%)." in page.text
    assert "Madrid Lab 2025" in page.text and "No survey" not in page.text
    assert "More mentoring." in page.text
