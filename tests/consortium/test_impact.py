"""The impact pages: who sees which institution's figures, the figures on a small hand-built
consortium, the period filter and the CSV."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consortium.models import Role, SupportBreach, SupportCategory, SupportRequest
from jobs.models import Application, JobViewDay
from tests.factories import InstitutionFactory, UserFactory
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db

CONSORTIUM_URL = reverse("consortium:consortium-impact")
DAY = datetime.timedelta(days=1)
BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"}


def impact_url(institution):
    return reverse("consortium:impact", args=[institution.slug])


def apply(student, job, *, age=2 * DAY):
    application = Application.objects.create(job=job, applicant=student, message="Hello", cv="applications/cv.pdf")
    Application.objects.filter(pk=application.pk).update(created_at=timezone.now() - age)


def support_request(*, sender, target, age, first_response=None, rating=None):
    created = timezone.now() - age
    request = SupportRequest.objects.create(
        requesting_institution=sender,
        target_country=target.country,
        target_institution=target,
        category=SupportCategory.PERMITS,
        subject="Work permits",
        question="Which permit?",
        first_response_due_at=created + 3 * DAY,
        first_response_at=created + first_response if first_response else None,
        rating=rating,
    )
    SupportRequest.objects.filter(pk=request.pk).update(created_at=created)
    return request


@pytest.fixture
def third(db):
    """A third member whose figures neither partner admin may see."""
    return InstitutionFactory(name="Hochschule Dritte", short_name="HD", slug="hd", country="DE")


@pytest.fixture
def activity(home, other, third, make_user):
    """Home is in Spain, other in Italy, third in Germany. Two days ago: home posted a job in Spain,
    other one in Italy, third one in Germany; students applied across them, a Mexican student at home
    staying on in Spain, German students at third applying at home in Germany (local, neither)."""
    job_es = JobFactory(institution=home, country="ES", published_at=timezone.now() - 2 * DAY)
    job_it = JobFactory(institution=other, country="IT", published_at=timezone.now() - 2 * DAY)
    job_de = JobFactory(institution=third, country="DE", published_at=timezone.now() - 2 * DAY)
    # Published before any period the tests ask for.
    JobFactory(institution=home, country="ES", published_at=timezone.now() - 800 * DAY)
    home_students = [make_user(Role.STUDENT) for _ in range(2)]
    apply(home_students[0], job_it)  # outbound to Italy
    apply(home_students[1], job_it)
    apply(make_user(Role.STUDENT, home_country="MX"), job_es)  # staying on in Spain
    third_student = make_user(Role.STUDENT, institution=third)  # no home country given
    apply(third_student, job_de)  # local
    apply(third_student, job_it)  # outbound
    apply(third_student, job_es)  # outbound
    apply(make_user(Role.STUDENT, institution=third, home_country="DE"), job_de)  # local
    apply(third_student, job_de.__class__.objects.filter(country="ES").exclude(pk=job_es.pk).get(), age=700 * DAY)
    yesterday = timezone.now().date() - DAY
    JobViewDay.objects.create(job=job_es, day=yesterday, count=5)
    JobViewDay.objects.create(job=job_it, day=yesterday, count=7)
    JobViewDay.objects.create(job=job_de, day=yesterday, count=11)
    # Home answered third's request in 4 hours (rated 4); other never answered home's, breaching.
    support_request(sender=third, target=home, age=3 * DAY, first_response=datetime.timedelta(hours=4), rating=4)
    late = support_request(sender=home, target=other, age=5 * DAY)
    SupportBreach.objects.create(request=late, institution=other, due_at=timezone.now() - 2 * DAY)
    return {"es": job_es, "it": job_it, "de": job_de}


def counters(response) -> dict[str, tuple[str, ...]]:
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r'<tr data-counter="([\w.]+)">(.*?)</tr>', html)
    return {name: tuple(re.findall(r'data-scope="\w+">([^<]*)<', cells)) for name, cells in rows}


def figures(response) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', response.content.decode()))


# Who sees what


def test_anonymous_is_sent_to_sign_in(client, home):
    for url in (impact_url(home), CONSORTIUM_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["student", "officer", "academic"])
def test_people_who_do_not_administer_the_institution_get_404(client, people, home, who):
    client.force_login(people[who])
    assert client.get(impact_url(home)).status_code == 404


@pytest.mark.parametrize("who", ["student", "officer", "admin"])
def test_only_consortium_admins_open_the_consortium_page(client, people, who):
    client.force_login(people[who])
    assert client.get(CONSORTIUM_URL).status_code == 403


def test_partner_admin_trying_another_institutions_page_gets_404(client, people, other, activity):
    client.force_login(people["admin"])
    assert client.get(impact_url(other)).status_code == 404
    assert client.get(impact_url(other), {"format": "csv"}).status_code == 404


def test_partner_admin_sees_their_institution_next_to_the_consortium(client, people, home, activity):
    client.force_login(people["admin"])
    figures_by_counter = counters(client.get(impact_url(home)))
    assert figures_by_counter["jobs.posted"] == ("1", "3")
    assert figures_by_counter["jobs.views"] == ("5", "23")
    assert figures_by_counter["jobs.applications"] == ("3", "7")
    assert figures_by_counter["jobs.applications_outbound"] == ("2", "4")
    assert figures_by_counter["jobs.applications_staying_on"] == ("1", "1")
    assert figures_by_counter["support.asked"] == ("1", "2")
    assert figures_by_counter["support.answered"] == ("1", "1")
    assert figures_by_counter["support.breaches"] == ("0", "1")
    assert figures_by_counter["training.registrations"] == ("0", "0")
    assert figures_by_counter["matching.introductions"] == ("0", "0")


def test_partner_admin_never_sees_another_institutions_detail(client, people, home, other, third, activity):
    client.force_login(people["admin"])
    response = client.get(impact_url(home))
    html = response.content.decode()
    for outsider in (other, third):
        assert outsider.name not in html
        assert f'data-institution="{outsider.slug}"' not in html
    # The matrix has their own row and the consortium's totals only.
    matrix = re.search(r'<table [^>]*data-matrix="jobs.mobility">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'data-institution="([\w-]+)"', matrix) == ["up", "consortium"]
    exported = client.get(impact_url(home), {"format": "csv"}).content.decode("utf-8-sig")
    assert other.name not in exported and third.name not in exported
    assert {row["scope"] for row in csv.DictReader(io.StringIO(exported))} == {"institution", "consortium"}
    assert {row["institution"] for row in csv.DictReader(io.StringIO(exported))} == {"", home.name}


def test_consortium_admin_sees_every_institution(client, people, home, other, third, activity):
    client.force_login(people["consortium_admin"])
    response = client.get(CONSORTIUM_URL)
    assert counters(response)["jobs.applications"] == ("7",)
    html = response.content.decode()
    matrix = re.search(r'<table [^>]*data-matrix="jobs.mobility">(.*?)</table>', html, re.S).group(1)
    rows = dict(re.findall(r'<tr data-institution="([\w-]+)">(.*?)</tr>', matrix))
    # Columns by the consortium's mobility: IT (3 outbound), ES (1 outbound, 1 staying on). The three
    # local applications in Germany are no mobility, so Germany has no column.
    assert re.findall(r'<th scope="col" class="text-end">(\w\w)</th>', matrix) == ["IT", "ES"]
    assert re.findall(r'<td class="text-end">(\d+)</td>', rows["hd"]) == ["1", "1"]
    assert re.findall(r'<td class="text-end">(\d+)</td>', rows["up"]) == ["2", "1"]
    assert re.findall(r'<td class="text-end">(\d+)</td>', rows["ua"]) == ["0", "0"]
    assert re.findall(r'<td class="text-end fw-semibold">(\d+)</td>', rows["consortium"]) == ["3", "2"]
    applications = re.search(r'data-breakdown="jobs.applications">(.*?)</section>', html, re.S).group(1)
    assert re.findall(r'<tr data-country="(\w\w)">.*?data-scope="consortium">(\d+)<', applications) == [
        ("IT", "3"),
        ("DE", "2"),
        ("ES", "2"),
    ]
    # And each member's own page.
    assert client.get(impact_url(third)).status_code == 200


def test_support_desk_figures_of_an_institution(client, people, home, activity):
    client.force_login(people["admin"])
    assert figures(client.get(impact_url(home))) == {
        "support-received": "1",
        "support-answered": "1",
        "support-first-response": "4 hours",
        "support-breached": "0",
        "support-satisfaction": "4.0 of 5 (1 rating)",
    }


def test_breakdowns_by_country(client, people, home, activity):
    client.force_login(people["admin"])
    html = client.get(impact_url(home)).content.decode()
    views = re.search(r'data-breakdown="jobs.views">(.*?)</section>', html, re.S).group(1)
    cells = re.findall(
        r'<tr data-country="(\w\w)">.*?data-scope="institution">(\d+)<.*?data-scope="consortium">(.)<', views
    )
    # Each country's views come from one institution: the consortium's cells are hidden, and the countries
    # home has no views in left out.
    assert cells == [("ES", "5", "—")]
    assert "<svg" in views


# The period


def test_a_custom_period_counts_only_its_days(client, people, home, activity):
    client.force_login(people["admin"])
    long_ago = timezone.localdate() - 801 * DAY
    response = client.get(
        impact_url(home), {"period": "custom", "start": long_ago.isoformat(), "end": (long_ago + 2 * DAY).isoformat()}
    )
    assert counters(response)["jobs.posted"] == ("1", "1")
    assert counters(response)["jobs.applications"] == ("0", "0")


def test_an_academic_year(client, people, home, activity):
    client.force_login(people["admin"])
    year = timezone.localdate().year - 5
    response = client.get(impact_url(home), {"period": "academic", "academic_year": year})
    assert counters(response)["jobs.posted"] == ("0", "0")
    assert f"1 September {year}" in response.content.decode() or f"Sept. 1, {year}" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"period": "custom", "start": "2026-05-02", "end": "2026-05-01"}, "start", "The period must start on or"),
        ({"period": "custom", "end": "2026-05-01"}, "start", "Enter a day."),
        ({"period": "custom", "start": "1066-10-14", "end": "2026-05-01"}, "start", "Choose a day between"),
        ({"period": "custom", "start": "yesterday", "end": "2026-05-01"}, "start", "Enter a valid date."),
        ({"period": "academic"}, "academic_year", "Choose the academic year."),
        ({"period": "academic", "academic_year": "1900"}, "academic_year", "Select a valid choice."),
        ({"period": "decade"}, "period", "Select a valid choice."),
    ],
)
def test_a_bad_period_is_refused_next_to_its_field(client, people, home, query, field, message):
    client.force_login(people["admin"])
    for asked in (query, {**query, "format": "csv"}):
        response = client.get(impact_url(home), asked)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        html = response.content.decode()
        assert re.search(rf'id="id_{field}-error">{re.escape(message)}', html), html[html.find("<form") :][:2000]
        assert 'data-counter="' not in html


# The CSV


def test_the_csv_has_one_header_row_and_iso_codes(client, people, home, activity):
    client.force_login(people["consortium_admin"])
    response = client.get(CONSORTIUM_URL, {"period": "custom", "start": "2000-01-01", "end": timezone.localdate()})
    assert response["Content-Type"] == "text/html; charset=utf-8"
    response = client.get(
        CONSORTIUM_URL, {"period": "custom", "start": "2000-01-01", "end": timezone.localdate(), "format": "csv"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="impact-consortium-2000-01-01-{timezone.localdate()}.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "figure", "scope", "institution", "institution_country", "country", "month", "period_start", "period_end",
        "value",
    ]  # fmt: skip
    assert all(len(row) == 9 for row in rows)
    assert all(row[6] == "2000-01-01" and row[7] == timezone.localdate().isoformat() for row in rows[1:])
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {"figure": "jobs.posted", "scope": "consortium", "value": "4"}.items() <= next(
        r for r in records if r["figure"] == "jobs.posted"
    ).items()
    flows = {
        (r["institution"], r["institution_country"], r["country"]): r["value"]
        for r in records
        if r["figure"] == "jobs.mobility.flow"
    }
    assert flows == {
        ("Hochschule Dritte", "DE", "IT"): "1",
        ("Hochschule Dritte", "DE", "ES"): "2",  # one of them 700 days ago
        ("Universidad de Prueba", "ES", "IT"): "2",
        ("Universidad de Prueba", "ES", "ES"): "1",  # staying on
    }
    by_country = {r["country"]: r["value"] for r in records if r["figure"] == "jobs.views.by_country"}
    assert by_country == {"DE": "11", "IT": "7", "ES": "5"}


# Counting views


def test_opening_a_job_counts_one_view_a_day_row(client, people, activity):
    job = activity["it"]
    client.force_login(people["student"])
    for _ in range(3):
        assert client.get(reverse("jobs:detail", args=[job.pk]), headers=BROWSER).status_code == 200
    client.get(reverse("jobs:detail", args=[job.pk]), headers={"user-agent": "Googlebot/2.1"})
    assert JobViewDay.objects.get(job=job, day=timezone.now().date()).count == 3


def test_the_posters_own_views_are_not_counted(client, home):
    poster = UserFactory(roles=[Role.CAREER_OFFICER], institution=home)
    job = JobFactory(institution=home, posted_by=poster)
    client.force_login(poster)
    client.get(reverse("jobs:detail", args=[job.pk]), headers=BROWSER)
    assert not JobViewDay.objects.filter(job=job).exists()


# Queries


def test_the_pages_cost_the_same_queries_whatever_the_data(client, people, home, activity, make_user):
    """One query per counter, series and breakdown, whatever the institutions, countries and months hold."""
    admins = {CONSORTIUM_URL: people["consortium_admin"], impact_url(home): people["admin"]}

    def queries(url):
        client.force_login(admins[url])
        client.get(url)  # warms the content-type cache
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    before = {url: queries(url) for url in admins}
    assert before[CONSORTIUM_URL] <= 47 and before[impact_url(home)] <= 82
    for index in range(5):
        member = InstitutionFactory(country=["FR", "PT", "PL", "NL", "BE"][index])
        job = JobFactory(institution=member, country=member.country.code)
        for student in (make_user(Role.STUDENT, institution=member, home_country="US"), make_user(Role.STUDENT)):
            apply(student, job, age=(40 + 35 * index) * DAY)
    assert {url: queries(url) for url in admins} == before
