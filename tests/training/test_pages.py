"""The training pages in a real browser under the Content-Security-Policy (no console errors), with
screenshots to look at: the catalogue, the curriculum, a host's forms and lists, and my training."""

import datetime

import pytest

from consortium.models import Role
from tests.consortium.test_browser import sign_in
from tests.factories import InstitutionFactory, UserFactory
from training import services
from training.models import TrainingPolicy

from .factories import ModuleFactory, SessionFactory, TrainingWeekFactory

pytestmark = pytest.mark.browser


def test_the_training_pages_render_without_console_errors(page, screenshot):
    uam = InstitutionFactory(name="Universidad Autónoma de Madrid", short_name="UAM", slug="uam", country="ES")
    ucsc = InstitutionFactory(name="Università Cattolica", short_name="UCSC", slug="ucsc", country="IT")
    host = UserFactory(roles=[Role.CAREER_OFFICER], institution=uam, full_name="Ana Ruiz")
    officer = UserFactory(roles=[Role.CAREER_OFFICER], institution=ucsc, full_name="Giulia Bianchi")
    TrainingPolicy.objects.create(institution=ucsc, approval_required=False)
    modules = [ModuleFactory(code=f"ECA-0{n}", title=f"Module {n}") for n in range(1, 5)]
    week = TrainingWeekFactory(host=uam, title="Careers in Spain", slug="madrid", contact=host, capacity=1)
    for offset, module in enumerate(modules[:3]):
        SessionFactory(week=week, day=week.starts_on + datetime.timedelta(days=offset), module=module)
    TrainingWeekFactory(host=ucsc, title="Fashion and design in Milan", language="it", city="Milano")
    TrainingWeekFactory(host=uam, title="Spring draft", status="draft")
    services.register_for_week(week=week, person=officer)
    services.register_for_week(week=week, person=UserFactory(roles=[Role.ACADEMIC], institution=ucsc))

    page.goto("/training/")
    page.get_by_role("heading", name="Upcoming weeks").wait_for()
    screenshot("catalogue")
    filters = page.get_by_role("form", name="Filter training weeks")
    filters.get_by_label("Language").select_option("it")
    filters.get_by_role("button", name="Filter").click()
    assert "Fashion and design" in page.inner_text("main") and "Careers in Spain" not in page.inner_text("main")
    page.goto("/training/curriculum/")
    assert "ECA-04" in page.inner_text("main")
    screenshot("curriculum")

    sign_in(page, host.email)
    page.wait_for_url("**/")
    page.goto("/training/")
    page.get_by_role("heading", name="Your drafts").wait_for()
    assert "Spring draft" in page.inner_text("main")
    screenshot("catalogue-drafts")
    page.goto("/training/new/")
    page.get_by_label("Title").fill("Winter week")
    page.get_by_role("button", name="Save").click()
    assert page.locator(".invalid-feedback").count() > 0  # required fields named
    screenshot("week-form")
    page.goto("/training/madrid/participants/")
    assert "Giulia Bianchi" in page.inner_text("main")
    screenshot("participants")
    page.goto("/training/madrid/sessions/new/")
    page.get_by_label("Day").fill((week.ends_on + datetime.timedelta(days=3)).isoformat())
    page.get_by_label("Starts").fill("09:00")
    page.get_by_label("Ends").fill("10:00")
    page.get_by_label("Title").fill("Too late")
    page.get_by_role("button", name="Save").click()
    assert "The day must be within the week" in page.inner_text("main")
    screenshot("session-form")
    page.context.clear_cookies()

    sign_in(page, officer.email)
    page.wait_for_url("**/")
    page.goto("/training/my/")
    assert "0 of 4 modules covered" in page.inner_text("main")
    screenshot("my-training")
    page.goto("/training/madrid/")
    page.get_by_role("link", name="Your registration: Confirmed").click()
    screenshot("registration")
