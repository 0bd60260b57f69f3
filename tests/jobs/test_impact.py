"""The job board's impact figures read past days from a nightly rollup and today live: the same
figures either way, and the rollup is safe to run twice."""

import datetime

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from consortium.models import Role
from consortium.registry import IMPACT_BREAKDOWNS, IMPACT_COUNTERS
from jobs import tasks
from jobs.models import Application, JobActivityDay, JobViewDay
from tests.factories import InstitutionFactory
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def apply(student, job, *, age):
    application = Application.objects.create(job=job, applicant=student, message="Hi", cv="applications/cv.pdf")
    Application.objects.filter(pk=application.pk).update(created_at=timezone.now() - age)


def figures(institution_id):
    midnight = datetime.datetime.combine(timezone.now().date(), datetime.time.min, tzinfo=datetime.UTC)
    start, end = midnight - 30 * DAY, midnight + DAY
    counters = {
        name: IMPACT_COUNTERS[name].count(start, end, institution_id)
        for name in ("jobs.views", "jobs.applications", "jobs.applications_outbound", "jobs.applications_staying_on")
    }
    return {
        **counters,
        "views": IMPACT_BREAKDOWNS["jobs.views"].count(start, end, institution_id),
        "applications": IMPACT_BREAKDOWNS["jobs.applications"].count(start, end, institution_id),
        "mobility": IMPACT_BREAKDOWNS["jobs.mobility"].count(start, end, institution_id),
        "flows": sorted(IMPACT_BREAKDOWNS["jobs.mobility"].pairs(start, end)),
    }


def test_the_rollup_gives_the_same_figures_and_today_stays_live(make_user, home, other):
    german = InstitutionFactory(country="DE")
    job_es, job_it = JobFactory(institution=home, country="ES"), JobFactory(institution=other, country="IT")
    # A French student in Spain staying on; two others without a home country applying to Italy.
    students = [make_user(Role.STUDENT, home_country="FR"), make_user(Role.STUDENT), make_user(Role.STUDENT)]
    apply(students[0], job_es, age=3 * DAY)
    apply(students[1], job_it, age=2 * DAY)
    apply(students[2], job_it, age=datetime.timedelta(0))
    apply(make_user(Role.STUDENT, institution=german), job_es, age=DAY)
    today = timezone.now().date()
    JobViewDay.objects.create(job=job_es, day=today - 2 * DAY, count=4)
    JobViewDay.objects.create(job=job_it, day=today, count=3)
    live = {member: figures(member) for member in (home.pk, german.pk, None)}
    assert live[home.pk] | {"flows": None} == {
        "jobs.views": 4,
        "jobs.applications": 3,
        "jobs.applications_outbound": 2,
        "jobs.applications_staying_on": 1,
        "views": {"ES": 4},
        "applications": {"ES": 1, "IT": 2},
        "mobility": {"ES": 1, "IT": 2},
        "flows": None,
    }
    assert live[None]["flows"] == sorted([(home.pk, "ES", 1), (home.pk, "IT", 2), (german.pk, "ES", 1)])

    # Three days of applications, one of views and one of a student staying on; not today.
    assert tasks.roll_up_job_activity() == 5
    assert tasks.roll_up_job_activity() == 0
    assert not JobActivityDay.objects.filter(day=today).exists()
    assert {member: figures(member) for member in (home.pk, german.pk, None)} == live

    # Today's activity after the night's run still counts; a student who gave no home country, or their
    # institution's, applying at home is local: neither outbound nor staying on.
    apply(make_user(Role.STUDENT, home_country="BR"), job_es, age=datetime.timedelta(0))
    apply(make_user(Role.STUDENT, home_country="ES"), job_es, age=datetime.timedelta(0))
    apply(make_user(Role.STUDENT), job_es, age=datetime.timedelta(0))
    after = figures(home.pk)
    assert (after["jobs.applications"], after["jobs.applications_outbound"]) == (6, 2)
    assert after["jobs.applications_staying_on"] == 2


def test_a_period_within_a_rolled_up_day_reads_nothing_twice(make_user, home):
    job = JobFactory(institution=home, country="ES")
    apply(make_user(Role.STUDENT), job, age=2 * DAY)
    tasks.roll_up_job_activity()
    midnight = datetime.datetime.combine(timezone.now().date(), datetime.time.min, tzinfo=datetime.UTC)
    applications = IMPACT_COUNTERS["jobs.applications"]
    # An hour of a rolled-up day: the rollup holds whole days only, so nothing is counted for it.
    assert (
        applications.count(midnight - 2 * DAY + datetime.timedelta(hours=1), midnight - 2 * DAY + 2 * DAY / 24, None)
        == 0
    )
    assert applications.count(midnight - 3 * DAY, midnight, None) == 1


BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"}


def views_today(job):
    row = JobViewDay.objects.filter(job=job, day=timezone.now().date()).first()
    return row.count if row else 0


def test_anonymous_readers_of_a_job_without_a_poster_are_counted(client, home):
    """A job synced through the API (or whose poster was erased) has no poster: an anonymous reader, who
    has no id either, is still a reader."""
    job = JobFactory(institution=home, posted_by=None)
    assert client.get(reverse("jobs:detail", args=[job.pk]), headers=BROWSER).status_code == 200
    assert views_today(job) == 1


def test_head_requests_prefetches_and_nameless_agents_are_not_views(client, home):
    job = JobFactory(institution=home, posted_by=None)
    url = reverse("jobs:detail", args=[job.pk])
    client.head(url, headers=BROWSER)
    client.get(url, headers={**BROWSER, "sec-purpose": "prefetch"})
    client.get(url)
    assert views_today(job) == 0


def test_a_failing_view_counter_never_breaks_the_job_page(client, home, monkeypatch, caplog):
    job = JobFactory(institution=home, posted_by=None)
    monkeypatch.setattr(JobViewDay._meta, "db_table", "jobs_no_such_table")
    response = client.get(reverse("jobs:detail", args=[job.pk]), headers=BROWSER)
    assert response.status_code == 200
    assert job.title in response.content.decode()
    assert "Could not count" in caplog.text
    # The request's transaction goes on after the failed statement (PostgreSQL would refuse it otherwise).
    assert Application.objects.count() == 0


def test_the_rollup_never_takes_today_even_when_asked(make_user, home):
    job = JobFactory(institution=home, country="ES")
    apply(make_user(Role.STUDENT), job, age=datetime.timedelta(0))
    assert tasks.impact.roll_up_job_activity(until=timezone.now().date() + 5 * DAY) == 0
    assert not JobActivityDay.objects.exists()
    apply(make_user(Role.STUDENT), job, age=datetime.timedelta(0))
    assert figures(home.pk)["jobs.applications"] == 2


def test_a_first_rollup_over_several_months_writes_each_day(make_user, home):
    job = JobFactory(institution=home, country="ES")
    for age in (95, 60, 31, 2):
        apply(make_user(Role.STUDENT), job, age=age * DAY)
    assert tasks.roll_up_job_activity() == 4
    assert JobActivityDay.objects.aggregate(n=Sum("count"))["n"] == 4


def test_staying_on_is_read_from_the_rollup_for_past_days(make_user, home):
    """The rollup keeps the home countries of the night it ran: a profile changed later does not rewrite
    the past, and the figure is read from the rollup rather than from every application."""
    student = make_user(Role.STUDENT, home_country="FR")
    apply(student, JobFactory(institution=home, country="ES"), age=2 * DAY)
    tasks.roll_up_job_activity()
    assert JobActivityDay.objects.get(kind="stayed").count == 1
    student.home_country = ""
    student.save()
    assert figures(home.pk)["jobs.applications_staying_on"] == 1
