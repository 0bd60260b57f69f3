"""A request body over REQUEST_MAX_BYTES is refused before anything reads it: Django writes uploaded files
of any size to disk before a form can refuse them, and the CSRF check reads every POST's body."""

import pytest
from django.conf import settings as project_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from consortium import services as core
from consortium.services.support import ATTACHMENT_MAX_BYTES
from consortium.uploads import MB
from guides.services.resources import FILE_MAX_BYTES
from jobs.api import BulkJSONParser
from jobs.models import Application
from jobs.services.applications import CV_MAX_BYTES as JOB_CV_MAX_BYTES
from summerschools.services.selection import CV_MAX_BYTES as SUMMER_SCHOOL_CV_MAX_BYTES
from tests.consortium.test_api import assert_problem
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LIMIT = 64 * 1024


@pytest.fixture(autouse=True)
def small_limit(settings, tmp_path):
    settings.REQUEST_MAX_BYTES = LIMIT
    settings.MEDIA_ROOT = tmp_path / "media"


def apply(client, job, cv_bytes: int):
    cv = SimpleUploadedFile("cv.pdf", PDF + b"0" * (cv_bytes - len(PDF)), content_type="application/pdf")
    return client.post(reverse("jobs:apply", args=[job.pk]), {"message": "I know SQL.", "cv": cv})


def test_an_upload_over_the_limit_is_refused_with_a_page_that_says_so_and_nothing_is_saved(home, people):
    job = JobFactory(institution=home)
    # With CSRF enforced and no token: only a check made before the body is read can answer first.
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["student"])
    response = apply(client, job, LIMIT + 1)
    assert response.status_code == 413
    page = response.content.decode()
    assert "Upload too large" in page and "larger than 64.0\xa0KB" in page
    assert not Application.objects.exists()
    assert not (project_settings.MEDIA_ROOT).exists()


def test_the_page_gives_the_limit_in_megabytes(settings, home, people, client):
    settings.REQUEST_MAX_BYTES = 21 * MB
    job = JobFactory(institution=home)
    client.force_login(people["student"])
    response = client.post(
        reverse("jobs:apply", args=[job.pk]), b"", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(21 * MB + 1),
    )  # fmt: skip
    assert response.status_code == 413
    assert "larger than 21.0\xa0MB" in response.content.decode()


def test_an_upload_within_the_limit_goes_through(home, people, client):
    job = JobFactory(institution=home)
    client.force_login(people["student"])
    response = apply(client, job, LIMIT // 2)
    assert response.status_code == 302
    assert Application.objects.get().applicant == people["student"]


def test_a_visitor_who_is_not_signed_in_is_refused_too_in_their_language(client):
    response = client.post(
        reverse("account_login"), {"login": "a@example.org", "password": "x" * (LIMIT + 1)}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 413
    assert "Datei zu groß" in response.content.decode()


def test_the_api_answers_problem_details(home, people):
    _key, raw = core.create_api_key(institution=home, name="SIS", scopes=["jobs:write"], by=people["admin"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    response = client.post(reverse("api:job-list"), {"title": "x" * (LIMIT + 1)}, format="json")
    problem = assert_problem(response, 413)
    assert "larger than" in problem["detail"]


def test_the_default_limit_leaves_room_for_every_form_s_largest_file():
    # The default, not the test's: the limit must not refuse a file a form would accept.
    from consortium import settings as module

    largest = max(FILE_MAX_BYTES, ATTACHMENT_MAX_BYTES, JOB_CV_MAX_BYTES, SUMMER_SCHOOL_CV_MAX_BYTES)
    assert largest + MB // 2 <= module.REQUEST_MAX_BYTES
    assert BulkJSONParser.max_bytes <= module.REQUEST_MAX_BYTES
