"""Applying on the platform with a CV checked by content, and following applications through their statuses."""

import datetime
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from consortium.models import Notification, Role
from jobs import services
from jobs.models import Application, ApplicationStatus, ApplyMethod, Audience, JobStatus
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def cv(content=PDF, name="Ana Garcia CV.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def job(home, people):
    return JobFactory(institution=home, posted_by=people["officer"], title="Data intern")


def make_application(job, applicant, **fields) -> Application:
    application = Application(job=job, applicant=applicant, message="Hello, I would like to join.", **fields)
    application.cv.save("cv.pdf", ContentFile(PDF), save=False)
    application.save()
    return application


@pytest.fixture
def application(job, people):
    return make_application(job, people["student"])


def post_application(client, job, **data):
    return client.post(reverse("jobs:apply", args=[job.pk]), {"message": "I know SQL and Python.", "cv": cv()} | data)


# Applying


def test_a_student_applies_and_the_poster_is_told(client, people, job, media, django_capture_on_commit_callbacks):
    client.force_login(people["student"])
    with django_capture_on_commit_callbacks(execute=True):
        response = post_application(client, job)
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    application = Application.objects.get()
    assert (application.job, application.applicant, application.status) == (
        job,
        people["student"],
        ApplicationStatus.SUBMITTED,
    )
    assert application.message == "I know SQL and Python."
    # Stored under a random name, never the student's own file name.
    [path] = stored_files(media)
    assert path.read_bytes() == PDF and "Garcia" not in str(path)
    assert application.cv.name.startswith(f"applications/{job.pk}/")
    notification = Notification.objects.get(kind="job.application_received")
    assert notification.recipient == people["officer"]
    assert notification.title == "New application to “Data intern”"
    assert people["student"].full_name in notification.body
    assert notification.url == reverse("jobs:application", args=[application.pk])
    assert [message.to for message in mail.outbox] == [[people["officer"].email]]
    assert mail.outbox[0].subject == "New application to “Data intern”"


def test_without_a_poster_the_institutions_officers_are_told(client, people, home, make_user):
    job = JobFactory(institution=home, posted_by=None)
    colleague = make_user(Role.CAREER_OFFICER)
    client.force_login(people["student"])
    post_application(client, job)
    recipients = set(Notification.objects.filter(kind="job.application_received").values_list("recipient", flat=True))
    assert recipients == {people["officer"].pk, colleague.pk}


def test_the_job_page_shows_the_form_to_a_student(client, people, job):
    client.force_login(people["student"])
    page = client.get(job.get_absolute_url()).content.decode()
    assert f'action="{reverse("jobs:apply", args=[job.pk])}"' in page and 'enctype="multipart/form-data"' in page
    assert "applications open soon" not in page


def test_the_job_page_asks_the_anonymous_to_sign_in(client, job):
    page = client.get(job.get_absolute_url()).content.decode()
    assert f"{reverse('account_login')}?next=/jobs/{job.pk}/" in page
    assert reverse("jobs:apply", args=[job.pk]) not in page
    response = client.post(reverse("jobs:apply", args=[job.pk]), {"message": "Hi", "cv": cv()})
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not Application.objects.exists()


def test_the_job_page_shows_the_status_once_applied(client, people, job, application):
    application.status = ApplicationStatus.SHORTLISTED
    application.save()
    client.force_login(people["student"])
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Shortlisted" in page and application.get_absolute_url() in page
    assert reverse("jobs:apply", args=[job.pk]) not in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(PNG, "This is not a PDF file. Upload a PDF.", id="png renamed .pdf"),
        pytest.param(EXE, "This is not a PDF file. Upload a PDF.", id="exe renamed .pdf"),
        pytest.param(b"<html><body>CV</body></html>", "This is not a PDF file. Upload a PDF.", id="html"),
        pytest.param(
            PDF + b"0" * (5 * 1024 * 1024 + 1 - len(PDF)), "The file is too large: at most 5 MB.", id="5 MB+1"
        ),
    ],
)
def test_a_cv_that_is_not_an_acceptable_pdf_is_refused_and_nothing_is_written(
    client, people, job, media, content, message
):
    client.force_login(people["student"])
    response = post_application(client, job, cv=cv(content))
    assert response.status_code == 200
    assert response.context["form"].errors == {"cv": [message]}
    assert message in response.content.decode()
    assert not Application.objects.exists() and stored_files(media) == []
    assert not Notification.objects.exists()


def test_a_cv_of_exactly_5_mb_is_accepted(client, people, job):
    client.force_login(people["student"])
    response = post_application(client, job, cv=cv(PDF + b"0" * (5 * 1024 * 1024 - len(PDF))))
    assert response.status_code == 302
    assert Application.objects.count() == 1


def test_a_missing_cv_or_message_names_the_field(client, people, job):
    client.force_login(people["student"])
    response = client.post(reverse("jobs:apply", args=[job.pk]), {"message": "x" * 3001})
    assert response.context["form"].errors == {
        "cv": ["This field is required."],
        "message": ["Ensure this value has at most 3000 characters (it has 3001)."],
    }
    assert not Application.objects.exists()


def test_the_service_refuses_a_long_message_by_name(people, job, media):
    with pytest.raises(ValidationError) as refused:
        services.apply_to_job(job=job, applicant=people["student"], message="x" * 3001, cv=cv())
    assert refused.value.message_dict == {"message": ["The message is too long: at most 3000 characters."]}
    assert stored_files(media) == []


def test_applying_twice_is_refused(client, people, job, media):
    client.force_login(people["student"])
    post_application(client, job)
    response = post_application(client, job)
    assert response.context["form"].non_field_errors() == ["You have already applied to this job."]
    assert Application.objects.count() == 1 and len(stored_files(media)) == 1
    # Opening the form again leads to the application.
    assert client.get(reverse("jobs:apply", args=[job.pk])).url == Application.objects.get().get_absolute_url()


def test_a_second_application_racing_the_first_is_refused_and_leaves_no_file(people, job, media, application):
    """The pre-check passed in both requests: the unique constraint decides, and the loser's file goes."""
    with (
        mock.patch("jobs.permissions.can_apply", return_value=True),
        mock.patch("django.db.models.query.QuerySet.exists", return_value=False),
        pytest.raises(ValidationError) as refused,
    ):
        services.apply_to_job(job=job, applicant=people["student"], message="Again", cv=cv())
    assert refused.value.messages == ["You have already applied to this job."]
    assert Application.objects.count() == 1
    assert [path.name for path in stored_files(media)] == [Path(application.cv.name).name]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": JobStatus.CLOSED}, "This job is no longer open for applications."),
        ({"status": JobStatus.EXPIRED}, "This job is no longer open for applications."),
        ({"deadline": datetime.date(2020, 1, 1)}, "The application deadline has passed."),
        (
            {"apply_method": ApplyMethod.URL, "apply_url": "https://jobs.example/apply"},
            "This job takes applications on the employer's site or by e-mail, not here.",
        ),
    ],
)
def test_a_job_that_takes_no_applications_here_refuses_them(client, people, job, media, change, message):
    for field, value in change.items():
        setattr(job, field, value)
    job.save()
    client.force_login(people["student"])
    response = client.post(reverse("jobs:apply", args=[job.pk]), {"message": "Hello", "cv": cv()})
    if job.status == JobStatus.PUBLISHED:
        assert response.context["form"].non_field_errors() == [message]
        page = client.get(job.get_absolute_url()).content.decode()
        assert reverse("jobs:apply", args=[job.pk]) not in page
        if job.apply_method == ApplyMethod.PLATFORM:
            assert escape(message) in page
    else:
        assert response.status_code == 404  # students no longer see a closed job at all
    with pytest.raises((ValidationError, PermissionDenied)):
        services.apply_to_job(job=job, applicant=people["student"], message="Hello", cv=cv())
    assert not Application.objects.exists() and stored_files(media) == []


def test_a_student_of_another_institution_who_cannot_see_the_job_gets_404(client, job, make_user, other):
    job.audience = Audience.OWN
    job.save()
    client.force_login(make_user(Role.STUDENT, institution=other))
    assert client.get(reverse("jobs:apply", args=[job.pk])).status_code == 404
    assert post_application(client, job).status_code == 404
    assert not Application.objects.exists()


def test_a_student_of_another_institution_applies_to_a_consortium_wide_job(client, job, make_user, other):
    client.force_login(make_user(Role.STUDENT, institution=other))
    assert post_application(client, job).status_code == 302
    assert Application.objects.count() == 1


def test_the_jobs_own_staff_do_not_apply_to_it(client, people, job):
    client.force_login(people["officer"])
    assert post_application(client, job).status_code == 403
    assert reverse("jobs:apply", args=[job.pk]) not in client.get(job.get_absolute_url()).content.decode()
    assert not Application.objects.exists()


# Following applications


def test_my_applications_lists_each_with_its_status(client, people, home, django_assert_max_num_queries):
    statuses = [ApplicationStatus.SUBMITTED, ApplicationStatus.SEEN, ApplicationStatus.HIRED]
    for status in statuses:
        make_application(JobFactory(institution=home, title=f"Offer {status}"), people["student"], status=status)
    make_application(JobFactory(institution=home, title="Someone else's"), people["academic"])
    client.force_login(people["student"])
    with django_assert_max_num_queries(8):
        page = client.get(reverse("jobs:my-applications")).content.decode()
    assert all(f"Offer {status}" in page for status in statuses)
    assert "Submitted" in page and "Seen" in page and "Hired" in page
    assert "Someone else's" not in page
    for _ in range(10):
        make_application(JobFactory(institution=home), people["student"])
    with django_assert_max_num_queries(8):
        client.get(reverse("jobs:my-applications"))


def test_my_applications_needs_sign_in(client):
    response = client.get(reverse("jobs:my-applications"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_the_user_menu_links_to_my_applications(client, people):
    client.force_login(people["student"])
    assert reverse("jobs:my-applications") in client.get(reverse("jobs:index")).content.decode()


def test_officers_see_the_applications_to_their_job(client, people, job, make_user, django_assert_max_num_queries):
    for n in range(3):
        make_application(job, make_user(Role.STUDENT, full_name=f"Applicant Number{n}"))
    client.force_login(people["officer"])
    assert "3 applications" in client.get(job.get_absolute_url()).content.decode()
    with django_assert_max_num_queries(9):
        page = client.get(reverse("jobs:applications", args=[job.pk])).content.decode()
    assert all(f"Applicant Number{n}" in page for n in range(3))
    for _n in range(10):
        make_application(job, make_user(Role.STUDENT))
    with django_assert_max_num_queries(9):
        client.get(reverse("jobs:applications", args=[job.pk]))


@pytest.mark.parametrize("who", ["student", "other_officer", "other_admin", "academic", "consortium_admin"])
def test_only_the_jobs_staff_list_its_applications(client, people, job, application, who):
    client.force_login(people[who])
    assert client.get(reverse("jobs:applications", args=[job.pk])).status_code == 404


def test_a_partner_admin_of_the_institution_sees_them_too(client, people, job, application):
    client.force_login(people["admin"])
    assert client.get(reverse("jobs:applications", args=[job.pk])).status_code == 200
    assert client.get(reverse("jobs:application", args=[application.pk])).status_code == 200


def test_opening_an_application_marks_it_seen_once_and_tells_the_student(
    client, people, application, django_capture_on_commit_callbacks
):
    client.force_login(people["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(application.get_absolute_url()).content.decode()
        client.get(application.get_absolute_url())
    assert "Hello, I would like to join." in page
    assert reverse("jobs:application-cv", args=[application.pk]) in page
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SEEN and application.status_changed_by == people["officer"]
    [notification] = Notification.objects.filter(recipient=people["student"])
    assert notification.title == "Your application to “Data intern”: Seen"
    assert [message.to for message in mail.outbox] == [[people["student"].email]]


def test_the_student_opening_their_own_application_does_not_mark_it_seen(client, people, application):
    client.force_login(people["student"])
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Submitted" in page and "Withdraw my application" in page
    assert reverse("jobs:application-status", args=[application.pk]) not in page
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_status_moves_tell_the_student_each_time(client, people, application, django_capture_on_commit_callbacks):
    client.force_login(people["officer"])
    url = reverse("jobs:application-status", args=[application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"status": "shortlisted"})
        client.post(url, {"status": "shortlisted"})  # the same status again changes and sends nothing
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SHORTLISTED
    titles = list(Notification.objects.filter(recipient=people["student"]).values_list("title", flat=True))
    assert titles == ["Your application to “Data intern”: Shortlisted"]
    assert len(mail.outbox) == 1 and "shortlist" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"status": "rejected"})
        client.post(url, {"status": "shortlisted"})
    assert Notification.objects.filter(recipient=people["student"]).count() == 3
    assert len(mail.outbox) == 3
    assert not Notification.objects.filter(recipient=people["officer"], kind="job.application_status").exists()


@pytest.mark.parametrize("status", ["submitted", "withdrawn", "promoted", ""])
def test_a_status_the_staff_may_not_set_is_refused(client, people, application, status):
    client.force_login(people["officer"])
    response = client.post(reverse("jobs:application-status", args=[application.pk]), {"status": status})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert "Choose one of: seen, shortlisted, rejected, hired." in client.get(response.url).content.decode()


@pytest.mark.parametrize("who", ["student", "academic"])
def test_the_applicant_and_colleagues_without_a_posting_role_cannot_move_it(client, people, application, who):
    client.force_login(people[who])
    response = client.post(reverse("jobs:application-status", args=[application.pk]), {"status": "hired"})
    assert response.status_code in (403, 404)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.change_application_status(application=application, status="hired", by=people[who])


def test_the_student_withdraws_and_the_poster_is_told(client, people, application):
    client.force_login(people["student"])
    url = reverse("jobs:application-withdraw", args=[application.pk])
    client.post(url)
    client.post(url)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert Notification.objects.filter(recipient=people["officer"], kind="job.application_withdrawn").count() == 1
    assert not Notification.objects.filter(recipient=people["student"]).exists()
    client.force_login(people["officer"])
    response = client.post(reverse("jobs:application-status", args=[application.pk]), {"status": "hired"}, follow=True)
    assert "The student has withdrawn this application." in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_only_the_applicant_withdraws(client, people, application):
    client.force_login(people["officer"])
    assert client.post(reverse("jobs:application-withdraw", args=[application.pk])).status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


# Who sees an application and its CV


@pytest.mark.parametrize("who", ["student", "officer", "admin"])
def test_the_applicant_and_the_jobs_staff_download_the_cv(client, people, application, who):
    client.force_login(people[who])
    response = client.get(reverse("jobs:application-cv", args=[application.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="cv-{application.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("who", ["other_officer", "other_admin", "academic", "consortium_admin", "another student"])
def test_everyone_else_gets_404_on_the_application_and_the_cv(client, people, application, make_user, who):
    client.force_login(make_user(Role.STUDENT) if who == "another student" else people[who])
    for name in ("jobs:application", "jobs:application-cv"):
        assert client.get(reverse(name, args=[application.pk])).status_code == 404
    assert (
        client.post(reverse("jobs:application-status", args=[application.pk]), {"status": "hired"}).status_code == 404
    )
    assert client.post(reverse("jobs:application-withdraw", args=[application.pk])).status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_the_anonymous_are_sent_to_sign_in(client, application):
    for name in ("jobs:application", "jobs:application-cv"):
        response = client.get(reverse(name, args=[application.pk]))
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_the_cv_is_not_served_from_a_public_media_url(client, people, application):
    client.force_login(people["officer"])
    assert client.get(f"/media/{application.cv.name}").status_code == 404


def test_a_cv_missing_from_storage_answers_404(client, people, application):
    application.cv.storage.delete(application.cv.name)
    client.force_login(people["officer"])
    assert client.get(reverse("jobs:application-cv", args=[application.pk])).status_code == 404


def test_applications_visible_to_mirrors_the_predicate(people, application, other):
    own = make_application(JobFactory(institution=other), people["student"])
    visible = Application.objects.visible_to
    assert set(visible(people["student"])) == {application, own}
    assert set(visible(people["officer"])) == {application}
    assert set(visible(people["other_officer"])) == {own}
    assert set(visible(people["consortium_admin"])) == set()
    assert not visible(AnonymousUser()).exists()
