"""Job alerts of saved searches: what they send, how often, to whom, and by which channel."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consortium.models import ConsentRecord, Notification, Role
from jobs.models import AlertFrequency, AlertSentJob, Audience, JobLanguage, JobStatus, SavedSearch
from jobs.services import alerts
from jobs.tasks import send_daily_alerts, send_weekly_alerts
from tests.factories import CompanyFactory
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2031, 3, 3, 6, tzinfo=datetime.UTC)


@pytest.fixture
def student(people):
    return people["student"]


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://careers.example.org"
    return settings.SITE_URL


def make_alert(user, query="country=IT", frequency=AlertFrequency.DAILY, **kwargs):
    return alerts.save_search(user=user, name="Italy", query=query, frequency=frequency, **kwargs)


def run(frequency=AlertFrequency.DAILY, now=MONDAY, capture=None):
    if capture is None:
        return alerts.send_alerts(frequency=frequency, now=now)
    with capture(execute=True):
        return alerts.send_alerts(frequency=frequency, now=now)


def sent_titles(saved):
    return set(AlertSentJob.objects.filter(saved_search=saved).values_list("job__title", flat=True))


def test_an_alert_sends_the_newest_ten_jobs_at_most_two_per_company(student, home):
    saved = make_alert(student)
    now = timezone.now()
    jobs = []
    for c in range(6):
        company = CompanyFactory()
        for n in range(3):
            published = now + datetime.timedelta(minutes=c * 3 + n)
            jobs.append(JobFactory(institution=home, company=company, title=f"Job {c}-{n}", published_at=published))
    assert run() == 1
    # Per company the two newest; of those, the ten newest overall (companies 5..1).
    expected = {f"Job {c}-{n}" for c in range(1, 6) for n in (1, 2)}
    assert sent_titles(saved) == expected
    notice = Notification.objects.get(recipient=student, kind="job.alert")
    assert notice.title == "10 new offers for “Italy”"
    listed = [line.split(" — ")[0].lstrip("• ") for line in notice.body.splitlines() if line.startswith("•")]
    assert listed == [f"Job {c}-{n}" for c in range(5, 0, -1) for n in (2, 1)]
    saved.refresh_from_db()
    assert saved.last_sent_at == MONDAY


def test_a_job_once_sent_is_never_sent_again_and_nothing_new_sends_nothing(student, home):
    saved = make_alert(student)
    company = CompanyFactory()
    first = [JobFactory(institution=home, company=company) for _ in range(3)]
    assert run() == 1
    assert len(sent_titles(saved)) == 2
    assert run(now=MONDAY + datetime.timedelta(days=1)) == 1  # the third, held back by the company cap
    assert sent_titles(saved) == {job.title for job in first}
    assert run(now=MONDAY + datetime.timedelta(days=2)) == 0
    assert Notification.objects.filter(kind="job.alert").count() == 2


def test_an_alert_sends_once_per_day_even_when_run_again(student, home):
    saved = make_alert(student)
    JobFactory(institution=home, title="Morning job")
    assert run() == 1
    JobFactory(institution=home, title="Noon job")
    assert run(now=MONDAY + datetime.timedelta(hours=6)) == 0
    assert sent_titles(saved) == {"Morning job"}  # the noon job waits for tomorrow, not lost
    assert run(now=MONDAY + datetime.timedelta(days=1)) == 1
    assert sent_titles(saved) == {"Morning job", "Noon job"}


def test_a_weekly_alert_sends_once_per_iso_week(student, home):
    saved = make_alert(student, frequency=AlertFrequency.WEEKLY)
    make_alert(student, query="country=ES")  # a daily alert is not run by the weekly schedule
    JobFactory(institution=home, title="First")
    assert run(AlertFrequency.WEEKLY) == 1
    JobFactory(institution=home, title="Second")
    assert run(AlertFrequency.WEEKLY, now=MONDAY + datetime.timedelta(days=6, hours=17)) == 0
    assert run(AlertFrequency.WEEKLY, now=MONDAY + datetime.timedelta(days=7)) == 1
    assert sent_titles(saved) == {"First", "Second"}
    assert Notification.objects.get(dedupe_key=f"alert:{saved.pk}:2031-W10")


def test_alerts_send_only_matching_jobs_the_owner_may_see_published_after_the_alert(student, home, other):
    JobFactory(institution=home, title="Older", published_at=timezone.now() - datetime.timedelta(days=1))
    saved = make_alert(student)
    JobFactory(institution=home, title="Match")
    JobFactory(institution=home, title="Spain", country="ES")
    JobFactory(institution=other, title="Their campus job", audience=Audience.OWN)
    JobFactory(institution=home, title="Draft", status=JobStatus.DRAFT)
    JobFactory(institution=other, title="Partners only", audience=Audience.PARTNERS)
    assert run() == 1
    assert sent_titles(saved) == {"Match"}


def test_free_text_and_language_filters_apply_as_on_the_search_page(student, home):
    saved = make_alert(student, query="q=marketing&language=it&sort=relevance")
    for title, description, languages in [
        ("Marketing with Italian", "Campaigns.", ["it"]),
        ("Marketing in English", "Campaigns.", ["en"]),
        ("Engineer with Italian", "Build bridges.", ["it", "en"]),
    ]:
        job = JobFactory(institution=home, title=title, description=description)
        for code in languages:
            JobLanguage.objects.create(job=job, language=code, level="B2")
    assert run() == 1
    assert sent_titles(saved) == {"Marketing with Italian"}


def test_switched_off_alerts_and_invalid_searches_send_nothing(student, home):
    off = make_alert(student, is_active=False)
    broken = make_alert(student)
    SavedSearch.objects.filter(pk=broken.pk).update(query="country=ZZ")  # e.g. a choice since removed
    JobFactory(institution=home)
    assert run() == 0
    assert not AlertSentJob.objects.filter(saved_search__in=[off, broken]).exists()


def test_students_without_consent_get_the_alert_in_the_platform_only(
    student, home, mailoutbox, django_capture_on_commit_callbacks
):
    make_alert(student)
    JobFactory(institution=home)
    assert run(capture=django_capture_on_commit_callbacks) == 1
    assert Notification.objects.get(recipient=student, kind="job.alert").in_inbox
    assert mailoutbox == []


def test_with_consent_the_email_lists_the_jobs_with_absolute_links(
    student, home, site, mailoutbox, django_capture_on_commit_callbacks
):
    saved = make_alert(student, email=True)
    job = JobFactory(institution=home, title="Brand manager", city="Torino")
    assert run(capture=django_capture_on_commit_callbacks) == 1
    [message] = mailoutbox
    assert message.to == [student.email]
    assert message.subject
    assert "Brand manager — " + job.company.name + ", Torino (Italy)" in message.body
    assert f"{site}/jobs/{job.pk}/" in message.body
    assert f"{site}/jobs/searches/" in message.body
    assert f"{site}/jobs/?country=IT" in message.body  # the search itself, to open it
    assert "List-Unsubscribe" in message.extra_headers
    assert sent_titles(saved) == {"Brand manager"}


def test_the_html_email_links_each_job(student, home, site, mailoutbox, django_capture_on_commit_callbacks):
    make_alert(student, email=True)
    job = JobFactory(institution=home, title="Brand manager")
    run(capture=django_capture_on_commit_callbacks)
    [message] = mailoutbox
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'<a href="{site}/jobs/{job.pk}/"' in html


def test_the_query_count_of_an_alert_run_does_not_grow_with_the_jobs(
    student, home, make_user, django_assert_max_num_queries
):
    for _ in range(3):
        make_alert(make_user(Role.STUDENT))
    company = CompanyFactory()
    for _ in range(2):
        JobFactory(institution=home, company=company)
    for _ in range(30):
        JobFactory(institution=home)
    with django_assert_max_num_queries(3 * 12 + 3):
        assert run() == 3
    assert AlertSentJob.objects.count() == 30


def test_each_task_sends_once_and_a_second_run_sends_nothing(student, home):
    make_alert(student)
    make_alert(student, query="country=IT&kind=internship", frequency=AlertFrequency.WEEKLY)
    JobFactory(institution=home)
    assert send_daily_alerts() == 1
    assert send_daily_alerts() == 0
    assert send_weekly_alerts() == 1
    assert send_weekly_alerts() == 0
    assert Notification.objects.filter(kind="job.alert").count() == 2


# Saving searches through the service


def test_saving_a_search_drops_the_page_and_can_record_email_consent(student):
    saved = alerts.save_search(user=student, name=" Milan ", query="q=sales&page=3&country=IT", email=True)
    assert (saved.name, saved.query, saved.frequency, saved.is_active) == (
        "Milan",
        "q=sales&country=IT",
        "weekly",
        True,
    )
    consent = ConsentRecord.objects.get(user=student, kind="job.alert")
    assert (consent.channel, consent.granted, consent.source) == ("email", True, "opt_in_form")
    assert alerts.alert_email_on(student)
    alerts.save_search(user=student, name="Again", query="", email=True)
    assert ConsentRecord.objects.filter(user=student).count() == 1  # already given: nothing to record


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "  "}, "name", "Give the search a name."),
        ({"frequency": "hourly"}, "frequency", "Choose daily or weekly."),
        ({"query": "country=ZZ"}, "query", None),
        ({"query": "q=" + "x" * 2100}, "query", "This search is too long to save."),
    ],
)
def test_bad_searches_name_the_field_and_save_nothing(student, change, field, message):
    with pytest.raises(ValidationError) as caught:
        alerts.save_search(**({"user": student, "name": "Mine", "query": "", "frequency": "daily"} | change))
    assert field in caught.value.error_dict
    if message:
        assert caught.value.error_dict[field][0].messages == [message]
    assert not SavedSearch.objects.exists()


def test_a_person_keeps_at_most_twenty_saved_searches(student):
    for n in range(alerts.MAX_SAVED_SEARCHES):
        alerts.save_search(user=student, name=f"Search {n}", query=f"q=word{n}")
    with pytest.raises(ValidationError, match="You can keep up to 20 saved searches"):
        alerts.save_search(user=student, name="One more", query="")
    assert SavedSearch.objects.count() == 20


def test_only_the_owner_changes_or_deletes_a_saved_search(people):
    saved = make_alert(people["student"])
    for outsider in (people["officer"], people["other_officer"], people["consortium_admin"]):
        with pytest.raises(PermissionDenied):
            alerts.update_saved_search(saved_search=saved, by=outsider, is_active=False)
        with pytest.raises(PermissionDenied):
            alerts.delete_saved_search(saved_search=saved, by=outsider)
    alerts.update_saved_search(saved_search=saved, by=people["student"], name="Renamed", frequency="weekly")
    saved.refresh_from_db()
    assert (saved.name, saved.frequency, saved.is_active) == ("Renamed", "weekly", True)
