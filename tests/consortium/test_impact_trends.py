"""The impact pages' month-by-month figures: one value per month of the period, an empty month as 0,
the same before and after the night's rollup, on the page, in its line chart and in the CSV."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from consortium import charts, impact
from consortium.models import Role, SupportCategory, SupportRequest
from consortium.registry import IMPACT_SERIES
from jobs.impact import roll_up_job_activity
from jobs.models import Application
from matching.models import Introduction
from tests.factories import InstitutionFactory
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db

CONSORTIUM_URL = reverse("consortium:consortium-impact")
# The first quarter of 2025: January, an empty February, March.
QUARTER = {"period": "custom", "start": "2025-01-01", "end": "2025-03-31"}


def at(day: int, month: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2025, month, day, 12))


def apply(student, job, when):
    application = Application.objects.create(job=job, applicant=student, message="Hello", cv="applications/cv.pdf")
    Application.objects.filter(pk=application.pk).update(created_at=when)


@pytest.fixture
def third(db):
    """A third member: with fewer than two others, home's page would hide the consortium's figures."""
    return InstitutionFactory(country="DE")


@pytest.fixture
def quarter(home, other, make_user):
    """Home posts a job in January and one in March, other one in March and one in December 2024 (before
    the period); students apply in January and March; home asks for support in March, answered in
    April; a home student asks for an introduction late on the last day of March."""
    JobFactory(institution=home, country="ES", published_at=at(15, 1))
    job = JobFactory(institution=home, country="ES", published_at=at(3, 3))
    JobFactory(institution=other, country="IT", published_at=at(20, 3))
    JobFactory(institution=other, country="IT", published_at=at(20, 12) - datetime.timedelta(days=365))
    apply(make_user(Role.STUDENT), job, at(20, 1))
    apply(make_user(Role.STUDENT), job, at(10, 3))
    apply(make_user(Role.STUDENT, institution=other), job, at(11, 3))
    request = SupportRequest.objects.create(
        requesting_institution=home,
        target_country="IT",
        target_institution=other,
        category=SupportCategory.PERMITS,
        subject="Permits",
        question="Which permit?",
        first_response_due_at=at(8, 3),
        first_response_at=at(2, 4),
    )
    SupportRequest.objects.filter(pk=request.pk).update(created_at=at(5, 3))
    introduction = Introduction.objects.create(
        sender=make_user(Role.STUDENT), recipient=make_user(Role.STUDENT, institution=other), message="Hi",
        expires_at=at(1, 4),
    )  # fmt: skip
    Introduction.objects.filter(pk=introduction.pk).update(created_at=at(31, 3) + datetime.timedelta(hours=11))


def series(response) -> dict[str, dict[str, tuple[str, ...]]]:
    """{series: {month: (the institution's, the consortium's)}} from the tables under the line charts."""
    assert response.status_code == 200
    html = response.content.decode()
    found = {}
    for name, body in re.findall(r'data-series="([\w.]+)">(.*?)</details>', html, re.S):
        rows = re.findall(r'<tr data-month="([\d-]+)">(.*?)</tr>', body)
        found[name] = {month: tuple(re.findall(r'data-scope="\w+">([^<]*)<', cells)) for month, cells in rows}
    return found


def test_each_month_of_the_period_next_to_the_consortium(client, people, home, third, quarter):
    client.force_login(people["admin"])
    found = series(client.get(reverse("consortium:impact", args=[home.slug]), QUARTER))
    assert found["jobs.posted"] == {"2025-01": ("1", "1"), "2025-02": ("0", "0"), "2025-03": ("1", "2")}
    assert found["jobs.applications"] == {"2025-01": ("1", "1"), "2025-02": ("0", "0"), "2025-03": ("1", "2")}
    assert found["support.asked"] == {"2025-01": ("0", "0"), "2025-02": ("0", "0"), "2025-03": ("1", "1")}
    # Answered in April, after the period.
    assert found["support.answered"] == dict.fromkeys(("2025-01", "2025-02", "2025-03"), ("0", "0"))
    # Asked at 23:00 on the last day of March: still March.
    assert found["matching.introductions"]["2025-03"] == ("1", "1")
    assert set(found) >= {"training.registrations", "summerschools.applications"}


def test_with_one_other_member_an_institution_page_hides_the_consortiums_figures(client, people, home, quarter):
    """Consortium less home would be other's exact figure, month by month, counter by counter and in the CSV."""
    client.force_login(people["admin"])
    url = reverse("consortium:impact", args=[home.slug])
    response = client.get(url, QUARTER)
    assert series(response)["jobs.posted"] == {"2025-01": ("1", "—"), "2025-02": ("0", "—"), "2025-03": ("1", "—")}
    html = response.content.decode()
    assert re.search(r'data-counter="jobs.posted">.*?data-scope="consortium">—<', html)
    assert html.count("<polyline") == len(IMPACT_SERIES)  # the institution's lines only
    records = csv.DictReader(io.StringIO(client.get(url, {**QUARTER, "format": "csv"}).content.decode("utf-8-sig")))
    assert {r["value"] for r in records if r["scope"] == "consortium" and r["figure"].startswith("jobs.")} == {""}


def test_the_rollup_gives_the_same_months(client, people, home, quarter):
    client.force_login(people["consortium_admin"])
    live = series(client.get(CONSORTIUM_URL, QUARTER))
    assert roll_up_job_activity() > 0
    assert series(client.get(CONSORTIUM_URL, QUARTER)) == live
    assert live["jobs.applications"] == {"2025-01": ("1",), "2025-02": ("0",), "2025-03": ("2",)}


def test_the_line_chart_draws_a_point_per_month_with_its_number(client, people, home, third, quarter):
    client.force_login(people["admin"])
    html = client.get(reverse("consortium:impact", args=[home.slug]), QUARTER).content.decode()
    chart = re.search(r'data-series="jobs.posted">(.*?)</svg>', html, re.S).group(1)
    assert chart.count("<polyline") == 2  # the institution and the consortium
    assert re.findall(r"<title>([^<]+)</title>", chart) == [
        "UP, Jan 25: 1", "UP, Feb 25: 0", "UP, Mar 25: 1",
        "Consortium, Jan 25: 1", "Consortium, Feb 25: 0", "Consortium, Mar 25: 2",
    ]  # fmt: skip
    assert "style=" not in chart and "<script" not in chart


def test_the_csv_has_a_row_per_series_scope_and_month(client, people, home, third, quarter):
    client.force_login(people["admin"])
    response = client.get(reverse("consortium:impact", args=[home.slug]), {**QUARTER, "format": "csv"})
    records = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    monthly = {(r["figure"], r["scope"], r["month"]): r["value"] for r in records if r["figure"].endswith(".monthly")}
    assert {k: v for k, v in monthly.items() if k[0] == "jobs.posted.monthly"} == {
        ("jobs.posted.monthly", "institution", "2025-01"): "1",
        ("jobs.posted.monthly", "consortium", "2025-01"): "1",
        ("jobs.posted.monthly", "institution", "2025-02"): "0",
        ("jobs.posted.monthly", "consortium", "2025-02"): "0",
        ("jobs.posted.monthly", "institution", "2025-03"): "1",
        ("jobs.posted.monthly", "consortium", "2025-03"): "2",
    }
    assert len(monthly) == len(IMPACT_SERIES) * 2 * 3
    assert all(r["month"] == "" for r in records if not r["figure"].endswith(".monthly"))


def test_the_months_of_a_period():
    months = impact.Period(datetime.date(2024, 11, 30), datetime.date(2025, 2, 1)).months()
    assert months == [datetime.date(2024, 11, 1), datetime.date(2024, 12, 1), datetime.date(2025, 1, 1),
                      datetime.date(2025, 2, 1)]  # fmt: skip
    assert impact.Period(datetime.date(2025, 3, 4), datetime.date(2025, 3, 9)).months() == [datetime.date(2025, 3, 1)]


def test_a_line_chart_of_one_month_or_of_nothing():
    single = charts.line_chart(["Mar 25"], [("Consortium", [4])])
    assert single["lines"][0]["points"][0]["x"] == charts.AXIS_WIDTH + charts.LINE_WIDTH / 2
    empty = charts.line_chart(["Mar 25", "Apr 25"], [("Consortium", [0, 0])])
    assert {p["y"] for p in empty["lines"][0]["points"]} == {empty["baseline"]}
    long = charts.line_chart([str(n) for n in range(36)], [("Consortium", [1] * 36)])
    assert len(long["ticks"]) == 12
