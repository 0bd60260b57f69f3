"""The job board's share of "download my data" and "erase my account"."""

import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from consortium.models import Notification, Role
from consortium.registry import PRIVACY_PROVIDERS
from jobs import services
from jobs.models import Application, JobReport, ReportReason, SavedJob, SavedSearch
from tests.consortium.test_privacy import rows_mentioning
from tests.factories import PASSWORD
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
NAME, EMAIL = "Ximena Oyelaran", "ximena.o@up.example"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def busy_student(make_user, home, people, django_capture_on_commit_callbacks):
    """A student with a trace in every part of the job board."""
    student = make_user(Role.STUDENT, full_name=NAME, email=EMAIL)
    job = JobFactory(institution=home, posted_by=people["officer"], title="Data intern")
    with django_capture_on_commit_callbacks(execute=True):
        application = services.apply_to_job(
            job=job,
            applicant=student,
            message=f"Dear team, I am {NAME} ({EMAIL}) and I would love to join.",
            cv=ContentFile(PDF, name="cv.pdf"),
        )
        services.change_application_status(application=application, status="shortlisted", by=people["officer"])
    SavedJob.objects.create(user=student, job=job)
    SavedSearch.objects.create(user=student, name=f"{NAME}'s search", query="q=data&country=IT", frequency="daily")
    JobReport.objects.create(
        job=JobFactory(institution=home, title="Too good to be true"),
        reported_by=student,
        reason=ReportReason.SCAM,
        details=f"They asked {NAME} for a fee.",
    )
    return student


def test_the_job_board_has_a_provider():
    assert "jobs" in PRIVACY_PROVIDERS


def test_download_my_job_board_data(client, busy_student):
    client.force_login(busy_student)
    data = json.loads(client.get(reverse("consortium:privacy-export")).content)["jobs"]
    [application] = data["applications"]
    assert (application["job__title"], application["status"]) == ("Data intern", "shortlisted")
    assert NAME in application["message"] and application["created_at"]
    assert [saved["job__title"] for saved in data["saved_jobs"]] == ["Data intern"]
    [search] = data["saved_searches"]
    assert (search["name"], search["query"], search["frequency"]) == (f"{NAME}'s search", "q=data&country=IT", "daily")
    [report] = data["reports"]
    assert (report["job__title"], report["reason"]) == ("Too good to be true", "scam")


def test_erasing_an_account_removes_applications_and_cvs_and_keeps_reports_anonymous(
    client, busy_student, media, people, django_capture_on_commit_callbacks
):
    [cv_path] = [path for path in media.rglob("*") if path.is_file()]
    mentions = rows_mentioning(EMAIL, NAME)
    assert any("Application.message" in m for m in mentions), "the fixture left no application to erase"
    assert any("Notification.body" in m for m in mentions), "the poster was told who applied"
    client.force_login(busy_student)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("consortium:privacy"), {"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    assert rows_mentioning(EMAIL, NAME) == []
    assert not cv_path.exists()
    assert not Application.objects.exists()
    assert not SavedJob.objects.filter(user=busy_student).exists()
    assert not SavedSearch.objects.filter(user=busy_student).exists()
    report = JobReport.objects.get()
    assert (report.reported_by, report.details, report.reason) == (None, "", ReportReason.SCAM)
    # The poster keeps their notification, without the person in it.
    assert Notification.objects.filter(recipient=people["officer"], kind="job.application_received").exists()
