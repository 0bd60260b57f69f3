"""Matching tried as a new user would, in a real browser: a student in Paris looking for a fintech
mentor makes a profile, is recommended an entrepreneur linked to the Madrid institution, asks for an
introduction, is accepted, and both then see each other's e-mail address."""

import pytest

from consortium.models import Role
from matching import services
from matching.models import Intent, Introduction, IntroductionStatus
from tests.conftest import ARTIFACTS
from tests.consortium.test_browser import sign_in
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.browser


def test_a_paris_student_meets_a_madrid_fintech_mentor(page, screenshot, another_browser):
    paris = InstitutionFactory(
        name="Paris School of Business", short_name="PSB", slug="psb", country="FR", city="Paris"
    )
    madrid = InstitutionFactory(name="Universidad Autónoma de Madrid", short_name="UAM", slug="uam", city="Madrid")
    student = UserFactory(
        roles=[Role.STUDENT], institution=paris, full_name="Camille Martin", email="camille@psb.example"
    )
    elena = UserFactory(
        roles=[Role.COMPANY_CONTACT],
        institution=madrid,
        full_name="Elena Navarro",
        email="elena@fintech-madrid.example",
    )
    services.save_profile(
        user=elena, headline="Founder of a Madrid fintech start-up", offers=[Intent.MENTOR, Intent.ADVICE],
        topics=["fintech", "payments"], languages=[("es", "C2"), ("en", "C1")], visibility="consortium",
    )  # fmt: skip
    services.save_offer(
        by=elena, kind="startup", title="Open banking for students", summary="A budgeting app on open banking.",
        sought="Students for a semester project.", seeks=[Intent.PROJECT_STUDENTS], topics=["fintech"],
    )  # fmt: skip

    # Camille makes her profile: she looks for a mentor in fintech and speaks some Spanish.
    sign_in(page, student.email)
    page.wait_for_url("**/")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Matching").click()
    screenshot("start")
    page.get_by_role("link", name="Create my profile").click()
    page.get_by_label("Headline").fill("Business student in Paris building a payments app")
    page.locator("fieldset", has_text="I look for").get_by_label("Mentor").check()
    page.locator("fieldset", has_text="I offer").get_by_label("Project students").check()
    page.get_by_label("Topics").fill("Fintech, payments")
    page.get_by_label("Add skills").fill("financial")
    page.locator("#skill-suggestions").get_by_text("No ESCO skill found").wait_for()
    page.locator("#id_languages_0_language").select_option("es")
    page.locator("#id_languages_0_level").select_option("B1")
    page.get_by_label("The whole consortium").check()
    screenshot("profile-form")
    page.get_by_role("button", name="Save my profile").click()
    assert "Your profile is saved." in page.inner_text(".messages")

    # Her recommendations: Elena first, with the reason in plain words; Elena's offer too.
    card = page.locator("article").filter(has=page.get_by_role("link", name="Elena Navarro"))
    reason = card.inner_text()
    assert "You look for a mentor in fintech and payments; Elena offers mentoring" in reason
    assert "speaks Spanish" in reason and "is at UAM" in reason
    assert "Open banking for students" in page.inner_text("main")
    assert elena.email not in page.content()
    screenshot("recommendations")

    card.get_by_role("link", name="Elena Navarro").click()
    assert elena.email not in page.content()
    screenshot("elena-profile")
    page.get_by_role("link", name="Ask for an introduction").click()
    page.get_by_label("Your message").fill(
        "Hello Elena, I am building a payments app for students. Could you mentor me?"
    )
    screenshot("ask")
    page.get_by_role("button", name="Send the request").click()
    assert "Your request is on its way." in page.inner_text(".messages")
    assert elena.email not in page.content()

    # Elena, in her own browser, accepts.
    elena_page = another_browser()
    sign_in(elena_page, elena.email)
    elena_page.wait_for_url("**/")
    elena_page.goto("/matching/")
    assert "1 person is waiting for your answer." in elena_page.inner_text("main")
    elena_page.get_by_role("link", name="Answer now").click()
    elena_page.get_by_role("link", name="Camille Martin").click()
    assert student.email not in elena_page.content()
    elena_page.screenshot(path=str(ARTIFACTS / "matching-walkthrough-elena-request.png"), full_page=True)
    elena_page.get_by_role("button", name="Accept").click()
    assert student.email in elena_page.inner_text("#contact")
    elena_page.get_by_label("Message").fill("Happy to help, Camille! Let us talk next week.")
    elena_page.get_by_role("button", name="Send").click()
    elena_page.screenshot(path=str(ARTIFACTS / "matching-walkthrough-elena-accepted.png"), full_page=True)

    # Camille sees Elena's e-mail address and her message.
    introduction = Introduction.objects.get()
    assert introduction.status == IntroductionStatus.ACCEPTED
    page.goto(introduction.get_absolute_url())
    assert elena.email in page.inner_text("#contact")
    assert "Happy to help, Camille!" in page.inner_text("main")
    screenshot("accepted")

    # The other pages she passes: her introductions, the offers, and posting one of her own.
    page.get_by_role("link", name="Matching").first.click()
    page.get_by_role("link", name="Introductions").click()
    assert "Accepted" in page.inner_text("main")
    screenshot("introductions")
    page.get_by_role("link", name="Cooperation offers").click()
    page.get_by_role("link", name="Open banking for students").click()
    screenshot("offer")
    page.go_back()
    page.get_by_role("link", name="Post an offer").click()
    page.get_by_label("Title").fill("Student payments app")
    page.get_by_label("Shown until").fill("2020-01-01")
    page.get_by_role("button", name="Save").click()
    assert "The expiry date is in the past." in page.inner_text("main")
    screenshot("offer-form-error")
