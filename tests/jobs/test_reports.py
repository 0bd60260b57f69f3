"""Reporting a suspicious job: once per reader, told to the posting institution's staff, resolved by them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from consortium.models import Notification, Role
from jobs.models import Audience, JobReport, JobStatus, ReportReason
from jobs.services.reports import report_job, resolve_report
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(home):
    return JobFactory(institution=home, title="Too good to be true")


def post_report(client, job, **data):
    return client.post(reverse("jobs:report", args=[job.pk]), {"reason": "scam", "details": "Asks for a fee."} | data)


def test_a_student_reports_a_job_and_its_institutions_posters_are_told(
    client, people, job, django_capture_on_commit_callbacks
):
    client.force_login(people["student"])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_report(client, job)
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    report = JobReport.objects.get()
    assert (report.job, report.reported_by, report.reason, report.details) == (
        job,
        people["student"],
        ReportReason.SCAM,
        "Asks for a fee.",
    )
    told = Notification.objects.filter(kind="job.reported")
    assert {n.recipient for n in told} == {people["officer"], people["admin"]}
    assert {n.title for n in told} == {"“Too good to be true” was reported"}
    assert "Asks for a fee." in told[0].body and told[0].url == reverse("jobs:reports")
    assert sorted(message.to[0] for message in mail.outbox) == sorted([people["officer"].email, people["admin"].email])


def test_a_second_report_by_the_same_person_gets_a_friendly_message(client, people, job):
    client.force_login(people["student"])
    post_report(client, job)
    response = post_report(client, job, reason="misleading")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You have already reported this job. Thank you: its institution is looking into it."
    ]
    assert JobReport.objects.count() == 1 and Notification.objects.filter(kind="job.reported").count() == 2


def test_another_institutions_reader_may_report_a_public_job(client, people, job, make_user, other):
    client.force_login(make_user(Role.STUDENT, institution=other))
    assert post_report(client, job).status_code == 302
    assert JobReport.objects.filter(job=job).count() == 1


def test_the_job_page_offers_the_report_link_to_readers_not_to_its_posters(client, people, job):
    link = reverse("jobs:report", args=[job.pk])
    client.force_login(people["student"])
    assert link in client.get(job.get_absolute_url()).content.decode()
    client.force_login(people["officer"])
    assert link not in client.get(job.get_absolute_url()).content.decode()


def test_posters_unseen_jobs_and_anonymous_visitors_cannot_report(client, people, job, make_user, other):
    client.force_login(people["officer"])
    assert post_report(client, job).status_code == 404
    own_only = JobFactory(institution=other, audience=Audience.OWN)
    client.force_login(people["student"])
    assert post_report(client, own_only).status_code == 404
    client.logout()
    assert post_report(client, job).status_code == 302 and "login" in post_report(client, job).url
    assert not JobReport.objects.exists()


def test_a_report_needs_a_known_reason(client, people, job):
    client.force_login(people["student"])
    response = post_report(client, job, reason="boring")
    assert "reason" in response.context["form"].errors
    with pytest.raises(ValidationError) as error:
        report_job(job=job, by=people["student"], reason="boring")
    assert error.value.message_dict == {"reason": ["Choose a reason from the list."]}
    assert not JobReport.objects.exists()


def test_the_service_refuses_the_anonymous_and_readers_who_cannot_see_the_job(people, other, job):
    draft = JobFactory(institution=other, status=JobStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        report_job(job=draft, by=people["student"], reason=ReportReason.SCAM)
    with pytest.raises(PermissionDenied):
        report_job(job=job, by=AnonymousUser(), reason=ReportReason.SCAM)


def test_staff_list_their_institutions_open_reports_only(
    client, people, job, other, make_user, django_assert_max_num_queries
):
    for _n in range(5):
        report_job(job=JobFactory(institution=job.institution), by=make_user(Role.STUDENT), reason="scam")
    report_job(job=job, by=people["student"], reason="misleading", details="Wrong city.")
    theirs = JobFactory(institution=other, title="Their offer")
    report_job(job=theirs, by=people["student"], reason="scam")
    done = report_job(job=JobFactory(institution=job.institution, title="Handled"), by=people["student"], reason="scam")
    resolve_report(report=done, by=people["officer"], resolution="Checked: fine.")
    client.force_login(people["admin"])
    client.get(reverse("jobs:reports"))  # the first request after signing in also saves the session
    with django_assert_max_num_queries(8):
        response = client.get(reverse("jobs:reports"))
    page = response.content.decode()
    assert len(response.context["page"].object_list) == 6
    assert "Too good to be true" in page and "Wrong city." in page
    assert "Their offer" not in page and "Handled" not in page
    client.force_login(people["other_officer"])
    assert [r.job for r in client.get(reverse("jobs:reports")).context["page"].object_list] == [theirs]


def test_students_academics_and_anonymous_visitors_have_no_reports_page(client, people, make_user):
    for person in (people["student"], make_user(Role.ACADEMIC)):
        client.force_login(person)
        assert client.get(reverse("jobs:reports")).status_code == 404
    client.logout()
    assert client.get(reverse("jobs:reports")).status_code == 302


def test_an_officer_resolves_a_report_and_closes_the_job(client, people, job):
    report = report_job(job=job, by=people["student"], reason="scam")
    client.force_login(people["officer"])
    url = reverse("jobs:resolve-report", args=[report.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"resolution": "Fake employer: offer removed.", "close": "on"})
    assert response.status_code == 302 and response.url == reverse("jobs:reports")
    report.refresh_from_db()
    job.refresh_from_db()
    assert (report.resolution, report.resolved_by, job.status) == (
        "Fake employer: offer removed.",
        people["officer"],
        JobStatus.CLOSED,
    )
    assert report.resolved_at is not None


def test_resolving_needs_a_note_and_keeps_the_job_open_unless_asked(client, people, job):
    report = report_job(job=job, by=people["student"], reason="expired")
    client.force_login(people["officer"])
    url = reverse("jobs:resolve-report", args=[report.pk])
    assert "resolution" in client.post(url, {"resolution": "  "}).context["form"].errors
    client.post(url, {"resolution": "Still open: the employer confirmed."})
    job.refresh_from_db()
    assert job.status == JobStatus.PUBLISHED


def test_resolving_twice_changes_nothing(people, job):
    report = report_job(job=job, by=people["student"], reason="scam")
    first = resolve_report(report=report, by=people["officer"], resolution="Checked.")
    again = resolve_report(report=report, by=people["admin"], resolution="Other note.", close=True)
    assert (again.resolution, again.resolved_by, again.resolved_at) == (
        "Checked.",
        people["officer"],
        first.resolved_at,
    )
    job.refresh_from_db()
    assert job.status == JobStatus.PUBLISHED


def test_others_cannot_resolve_a_report(client, people, job, make_user):
    report = report_job(job=job, by=people["student"], reason="scam")
    url = reverse("jobs:resolve-report", args=[report.pk])
    for person in (people["other_officer"], people["other_admin"], people["student"], make_user(Role.ACADEMIC)):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"resolution": "Hidden.", "close": "on"}).status_code == 404
    with pytest.raises(PermissionDenied):
        resolve_report(report=report, by=people["other_officer"], resolution="Hidden.")
    report.refresh_from_db()
    job.refresh_from_db()
    assert report.resolved_at is None and job.status == JobStatus.PUBLISHED
