"""Two people try the platform in a real browser."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from consortium.models import LiaisonNomination, Role
from tests.factories import PASSWORD, LiaisonNominationFactory, UserFactory

pytestmark = pytest.mark.browser


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    # Until the form is answered the browser is still on the sign-in page, which a caller's
    # wait_for_url("**/") would match at once.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def sign_in_with_totp(page, user):
    """Sign in a person whose role needs a second factor, and wait until the code has been taken."""
    sign_in(page, user.email)
    page.wait_for_url("**/2fa/authenticate/")
    if time.time() % 30 > 25:  # a code typed at a window's end may reach the server in the next one
        time.sleep(30 - time.time() % 30)
    page.get_by_label("Code").fill(format_hotp_value(hotp_value(user.totp_secret, int(time.time()) // 30)))
    page.get_by_role("button", name="Sign In").click()
    # Not wait_for_url("**/"): the code's own page matches that too, and the test would go on signed out.
    page.wait_for_url(lambda url: "/2fa/authenticate/" not in url)


def test_student_signs_in_and_sees_the_home_page(page, screenshot, home):
    UserFactory(roles=[Role.STUDENT], institution=home, full_name="Lucía García", email="lucia@up.example")
    sign_in(page, "lucia@up.example")
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Find your job or internship")
    assert "Welcome back, Lucía." in page.inner_text("main")
    assert page.get_by_role("link", name="Jobs", exact=True).is_visible()
    screenshot("home")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Toggle navigation").click()
    page.wait_for_selector("#main-nav.show")
    assert page.get_by_role("link", name="Country guides").is_visible()
    screenshot("home-phone")


def test_partner_admin_nominates_a_new_liaison_and_sees_the_history(page, screenshot, home):
    admin = UserFactory(
        roles=[Role.PARTNER_ADMIN], institution=home, full_name="Carmen López", email="carmen@up.example"
    )
    first = UserFactory(roles=[Role.CAREER_OFFICER], institution=home, full_name="Javier Martín")
    UserFactory(roles=[Role.CAREER_OFFICER], institution=home, full_name="Elena Navarro")
    LiaisonNominationFactory(institution=home, officer=first)

    sign_in_with_totp(page, admin)
    page.get_by_role("link", name="My institution").click()
    page.get_by_role("link", name="Liaison officer", exact=True).click()
    page.get_by_label("New liaison officer").select_option(label="Elena Navarro")
    page.get_by_role("button", name="Nominate").click()

    assert "Elena Navarro is now the liaison officer." in page.inner_text(".messages")
    rows = page.locator("#liaison-history tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().startswith("Elena Navarro")
    assert "current" in rows.nth(0).inner_text()
    assert rows.nth(1).inner_text().startswith("Javier Martín")
    screenshot("liaison-history")
    assert LiaisonNomination.objects.active().get(institution=home).officer.full_name == "Elena Navarro"


def test_api_docs_render_offline_under_the_content_security_policy(page, screenshot):
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Career Consortium API" in page.inner_text(".swagger-ui .info .title")
    screenshot("api-docs")
