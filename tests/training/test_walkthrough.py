"""A training week tried as new users would, in a real browser: an officer in London registers for
the Madrid week, their partner admin approves, the host checks them in on two days from a phone,
the officer downloads the certificate and fills the survey, and the host sees the results chart."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from consortium.models import Role, SurveyResponse
from tests.consortium.test_browser import sign_in, sign_in_with_totp
from tests.factories import InstitutionFactory, UserFactory
from training.models import Attendance, Registration

from .factories import ModuleFactory, SessionFactory, TrainingWeekFactory

pytestmark = pytest.mark.browser


def sign_out(page):
    page.context.clear_cookies()


def test_registration_approval_check_in_certificate_and_survey(page, screenshot, tmp_path):
    uam = InstitutionFactory(name="Universidad Autónoma de Madrid", short_name="UAM", slug="uam", country="ES")
    regents = InstitutionFactory(name="Regent's University London", short_name="Regent's", slug="regents",
                                 country="GB", city="London")  # fmt: skip
    officer = UserFactory(roles=[Role.CAREER_OFFICER], institution=regents, full_name="Oliver Brown")
    admin = UserFactory(roles=[Role.PARTNER_ADMIN], institution=regents, full_name="Priya Shah")
    host = UserFactory(roles=[Role.CAREER_OFFICER], institution=uam, full_name="Ana Ruiz")
    # The week's days are Madrid's: near midnight UTC, Madrid is already on the next day.
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo("Europe/Madrid"))
    week = TrainingWeekFactory(
        host=uam, title="Careers in Spain: a week in Madrid", slug="madrid-week", contact=host,
        time_zone="Europe/Madrid", starts_on=today - datetime.timedelta(days=1), ends_on=today,
        registration_closes_at=timezone.now() + datetime.timedelta(hours=2), quotas={regents: 3},
    )  # fmt: skip
    labour, mobility = ModuleFactory(code="ECA-01", title="Labour markets"), ModuleFactory(code="ECA-02")
    first = SessionFactory(week=week, day=week.starts_on, title="The Madrid labour market", module=labour)
    second = SessionFactory(week=week, day=week.ends_on, title="Mobility in Spain", module=mobility)

    # The officer finds the week in the public catalogue and registers.
    sign_in(page, officer.email)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Training", exact=True).click()
    page.get_by_role("link", name="Careers in Spain: a week in Madrid").click()
    assert page.locator('script[type="application/ld+json"]').count() == 1
    screenshot("week")
    page.get_by_role("link", name="Register").click()
    page.get_by_label("What you hope to learn").fill("How graduates find work in Madrid.")
    page.get_by_role("button", name="Register").click()
    assert "Your partner admin will approve your registration." in page.inner_text(".messages")
    assert page.locator("[data-state=registration]").inner_text() == "Awaiting approval"
    registration = Registration.objects.get(person=officer)
    sign_out(page)

    # The partner admin in London approves it from the training pages.
    sign_in_with_totp(page, admin)
    page.goto("/training/")
    page.get_by_role("link", name="Registrations to approve").click()
    assert "Oliver Brown" in page.inner_text("main")
    screenshot("approvals")
    page.get_by_role("button", name="Approve").click()
    assert "Registration approved." in page.inner_text(".messages")
    registration.refresh_from_db()
    assert registration.seat.status == "confirmed"
    sign_out(page)

    # The host checks the officer in on both days, from a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, host.email)
    page.wait_for_url("**/")
    page.goto("/training/madrid-week/check-in/")
    for session in (first, second):
        page.get_by_role("link", name=session.title).click()
        toggle = page.get_by_role("button", name="Oliver Brown")
        assert toggle.get_attribute("aria-pressed") == "false"
        toggle.click()
        page.locator('button[aria-pressed="true"]').wait_for()
        screenshot(f"check-in-{session.pk}")
        page.get_by_role("link", name="Other sessions").click()
    assert Attendance.objects.filter(registration=registration).count() == 2
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/training/madrid-week/")
    page.get_by_role("button", name="Open the evaluation survey").click()
    assert "The evaluation survey is open" in page.inner_text(".messages")
    sign_out(page)

    # The officer downloads the certificate and evaluates the week.
    sign_in(page, officer.email)
    page.wait_for_url("**/")
    page.goto(registration.get_absolute_url())
    page.get_by_role("link", name="Certificate of attendance").click()
    assert "Days attended (2):" in page.inner_text("main") and "ECA-01 · Labour markets" in page.inner_text("main")
    screenshot("certificate")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    path = tmp_path / "certificate.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    page.goto(registration.get_absolute_url())
    page.get_by_role("link", name="Evaluate the week").click()
    for fieldset in page.locator("fieldset").all():
        fieldset.locator("label.survey-point").last.click()
    page.locator("textarea").fill("More company visits, please.")
    screenshot("survey")
    page.get_by_role("button", name="Send my answers").click()
    page.locator("[data-state=answered]").wait_for()
    assert SurveyResponse.objects.count() == 1
    sign_out(page)

    # The host sees the results chart.
    sign_in(page, host.email)
    page.wait_for_url("**/")
    page.goto("/training/madrid-week/")
    page.get_by_role("link", name="Survey results").click()
    assert "1 of 1 participants answered" in page.inner_text("main")
    assert page.locator(".survey-results svg").count() >= 1
    screenshot("results")
