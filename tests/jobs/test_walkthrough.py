"""The job board tried as a new student would, in a real browser: find an internship in Italy for
an English speaker, save the search, get the alert when a partner's system posts a matching offer,
apply with a CV; then the partner's officer moves the application along."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from consortium import services as core
from consortium.models import Notification, Role, UserLanguage
from jobs.models import Application, ApplicationStatus, JobLanguage
from jobs.tasks import send_daily_alerts
from tests.consortium.test_browser import sign_in
from tests.factories import CompanyFactory, UserFactory
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def offer(institution, company, title, country, *languages, kind="internship"):
    job = JobFactory(institution=institution, company=company, title=title, country=country, kind=kind)
    for code, level in languages:
        JobLanguage.objects.create(job=job, language=code, level=level)
    return job


def test_a_student_finds_saves_is_alerted_applies_and_an_officer_moves_the_application(
    page, screenshot, home, other, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    student = UserFactory(roles=[Role.STUDENT], institution=home, full_name="Lucía García", email="lucia@up.example")
    UserLanguage.objects.create(user=student, language="en", level="C1")
    officer = UserFactory(roles=[Role.CAREER_OFFICER], institution=other, full_name="Marco Rossi")
    partner_admin = UserFactory(roles=[Role.PARTNER_ADMIN], institution=other)
    company = CompanyFactory(name="Moda Lombarda", slug="moda-lombarda", country="IT")
    offer(other, company, "Marketing intern", "IT", ("en", "B2"))
    offer(other, company, "Vertriebspraktikum", "IT", ("de", "B2"))
    offer(home, CompanyFactory(), "Becario de marketing", "ES", ("es", "C1"))
    offer(other, company, "Brand manager", "IT", ("en", "B2"), kind="graduate")

    # Three choices on the search page: Italy, internships, only languages I speak.
    sign_in(page, student.email)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Jobs", exact=True).click()
    page.get_by_label("Country").select_option("IT")
    page.wait_for_url(re.compile(r"country=IT"))
    page.get_by_label("Kind").select_option("internship")
    page.wait_for_url(re.compile(r"kind=internship"))
    page.get_by_label("Only jobs whose languages I speak").check()
    page.wait_for_url(re.compile(r"my_languages=on"))
    results = page.locator("#results")
    results.get_by_text("1 offer", exact=True).wait_for()
    assert "Marketing intern" in results.inner_text() and "Vertriebspraktikum" not in results.inner_text()
    screenshot("search")

    # Save the search as a daily alert, by e-mail too.
    page.get_by_role("button", name="Save this search").click()
    page.get_by_label("Name").fill("Marketing internships in Italy")
    page.get_by_label("How often").select_option("daily")
    page.get_by_label("Also send it to me by e-mail").check()
    screenshot("save-search")
    page.get_by_role("button", name="Save search").click()
    assert "Search saved." in page.inner_text(".messages")

    # The Italian partner's system posts a matching offer through the API.
    _key, raw = core.create_api_key(institution=other, name="SIS", scopes=["jobs:write"], by=partner_admin)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    posted = api.put(
        reverse("api:job-upsert", args=["UA-2026-7"]),
        {
            "company": "moda-lombarda",
            "title": "Digital marketing intern",
            "description": "Run our **social media** in English.",
            "kind": "internship",
            "country": "IT",
            "city": "Milano",
            "languages": [{"language": "en", "level": "B2"}],
            "fields_of_study": ["04"],
            "apply_method": "platform",
            "publish": True,
        },
        format="json",
    )
    assert posted.status_code == 201, posted.content

    # The daily alert goes out, by e-mail, with the new offer and nothing already known.
    mail.outbox.clear()
    send_daily_alerts()
    [alert] = [message for message in mail.outbox if message.to == [student.email]]
    assert "Digital marketing intern" in alert.body and "Marketing intern —" not in alert.body
    link = next(line.strip() for line in alert.body.splitlines() if "/jobs/" in line and "http" in line)

    # Apply with a CV from the e-mail's link.
    cv = tmp_path / "cv-lucia.pdf"
    cv.write_bytes(PDF)
    page.goto(urlparse(link).path)
    assert page.get_by_role("heading", level=1).inner_text() == "Digital marketing intern"
    page.get_by_label("Message to the employer").fill("I study marketing in Madrid and speak English at C1.")
    page.get_by_label("CV").set_input_files(str(cv))
    screenshot("apply")
    page.get_by_role("button", name="Send application").click()
    assert "Your application was sent." in page.inner_text(".messages")
    application = Application.objects.get(applicant=student)
    assert application.status == ApplicationStatus.SUBMITTED

    # The partner's officer opens it and shortlists it; the student is told.
    page.context.clear_cookies()
    sign_in(page, officer.email)
    page.wait_for_url("**/")
    page.goto(application.job.get_absolute_url())
    page.get_by_role("link", name="1 application").click()
    page.get_by_role("link", name="Lucía García").click()
    page.get_by_role("button", name="Shortlisted").click()
    screenshot("officer")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SHORTLISTED and application.status_changed_by == officer
    assert Notification.objects.filter(recipient=student, kind="job.application_status").exists()
