"""What an institution's impact page must not give away: another institution's figure worked out as the
consortium's less its own, or one event's (or one person's) survey score; and days that are UTC days
whatever the viewer's time zone."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from consortium import impact
from consortium.models import (
    Question,
    QuestionKind,
    Questionnaire,
    Role,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)
from jobs.models import Application
from summerschools.models import Edition
from tests.factories import InstitutionFactory
from tests.jobs.factories import JobFactory
from training.models import TrainingWeek

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def impact_url(institution):
    return reverse("consortium:impact", args=[institution.slug])


@pytest.fixture
def postings(home, other):
    """Home (Spain) posted two jobs in Spain and one in Italy; other and a third member one each in Italy
    and in Portugal; a fourth member alone one in Germany."""
    third, fourth = InstitutionFactory(country="DE"), InstitutionFactory(country="FR")
    posted = timezone.now() - 2 * DAY
    for member, country in [
        (home, "ES"), (home, "ES"), (home, "IT"), (other, "IT"), (third, "IT"), (other, "PT"), (third, "PT"),
        (fourth, "DE"),
    ]:  # fmt: skip
        JobFactory(institution=member, country=country, published_at=posted)


def test_a_country_shows_the_consortiums_count_only_where_two_others_contribute(client, people, home, postings):
    client.force_login(people["admin"])
    html = client.get(impact_url(home)).content.decode()
    posted = re.search(r'data-breakdown="jobs.posted">(.*?)</section>', html, re.S).group(1)
    cells = re.findall(
        r'<tr data-country="(\w\w)">.*?data-scope="institution">(\d+)<.*?data-scope="consortium">(.)<', posted
    )
    # Spain is home's alone, Germany the fourth member's alone (left out): neither consortium figure shows.
    assert cells == [("ES", "2", "—"), ("IT", "1", "3"), ("PT", "0", "2")]
    assert "fewer than two other institutions contribute" in html

    records = csv.DictReader(io.StringIO(client.get(impact_url(home), {"format": "csv"}).content.decode("utf-8-sig")))
    consortium = {
        r["country"]: r["value"]
        for r in records
        if r["figure"] == "jobs.posted.by_country" and r["scope"] == "consortium"
    }
    assert consortium == {"ES": "", "IT": "3", "PT": "2"}


def test_the_consortium_page_shows_every_country(client, people, postings):
    client.force_login(people["consortium_admin"])
    html = client.get(reverse("consortium:consortium-impact")).content.decode()
    posted = re.search(r'data-breakdown="jobs.posted">(.*?)</section>', html, re.S).group(1)
    assert re.findall(r'<tr data-country="(\w\w)">.*?data-scope="consortium">(\d+)<', posted) == [
        ("IT", "3"), ("ES", "2"), ("PT", "2"), ("DE", "1"),
    ]  # fmt: skip


def test_an_institutions_bars_are_its_own_countries_first(client, people, home, postings):
    client.force_login(people["admin"])
    html = client.get(impact_url(home)).content.decode()
    chart = re.search(r'data-breakdown="jobs.posted">.*?(<svg.*?</svg>)', html, re.S).group(1)
    assert re.findall(r'text-anchor="end"[^>]*>(\w\w)</text>', chart) == ["ES", "IT", "PT"]


# Surveys


def survey(event_type, event_id, *answers):
    questionnaire, _ = Questionnaire.objects.get_or_create(key="impact-test", title="Impact test")
    question, _ = Question.objects.get_or_create(
        questionnaire=questionnaire, position=1, kind=QuestionKind.LIKERT, text="Useful?"
    )
    now = timezone.now()
    held = Survey.objects.create(
        questionnaire=questionnaire,
        event_type=ContentType.objects.get_for_model(event_type),
        event_id=event_id,
        title="Evaluation",
        opens_at=now - 9 * DAY,
        closes_at=now - 2 * DAY,
    )
    for number in answers:
        SurveyAnswer.objects.create(
            response=SurveyResponse.objects.create(survey=held), question=question, number=number
        )


def surveys(client, url) -> dict[str, str]:
    html = client.get(url).content.decode()
    rows = re.findall(r'<tr data-survey="([\w.]+)">.*?data-figure="mean">([^<]*)<', html)
    return dict(rows)


def test_survey_means_need_five_responses_and_on_a_partners_page_two_events(client, people, home):
    survey(TrainingWeek, 1, 5, 5, 4, 4, 5, 4)  # one week, six responses
    survey(Edition, 1, 2, 2, 3)  # two editions, four responses so far
    survey(Edition, 2, 1)
    consortium_url = reverse("consortium:consortium-impact")
    client.force_login(people["consortium_admin"])
    assert surveys(client, consortium_url) == {"training.trainingweek.likert": "4.5"}
    client.force_login(people["admin"])
    assert surveys(client, impact_url(home)) == {}

    SurveyAnswer.objects.create(
        response=SurveyResponse.objects.create(survey=Survey.objects.get(event_id=2)),
        question=Question.objects.get(),
        number=2,
    )
    assert surveys(client, impact_url(home)) == {"summerschools.edition.likert": "2.0"}
    client.force_login(people["consortium_admin"])
    assert surveys(client, consortium_url) == {
        "training.trainingweek.likert": "4.5",
        "summerschools.edition.likert": "2.0",
    }


# Days


def test_days_are_utc_days_whatever_the_viewers_time_zone(make_user, home):
    """Late on 31 March in UTC is already April in Madrid: the figures of March still count it, as the
    nightly rollup's UTC days do."""
    job = JobFactory(institution=home, country="ES")
    application = Application.objects.create(job=job, applicant=make_user(Role.STUDENT), message="Hi", cv="a.pdf")
    late = datetime.datetime(2025, 3, 31, 23, 30, tzinfo=datetime.UTC)
    Application.objects.filter(pk=application.pk).update(created_at=late)
    march = impact.Period(datetime.date(2025, 3, 1), datetime.date(2025, 3, 31))
    with timezone.override("Europe/Madrid"):
        counters = {row["name"]: row["consortium"] for row in impact.headline(march, None)}
        months = {row["name"]: row["consortium"] for row in impact.trends(march, None)}
    assert counters["jobs.applications"] == 1
    assert months["jobs.applications"] == [1]
