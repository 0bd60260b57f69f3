"""The summer-school pages in a real browser under the Content-Security-Policy (no console errors),
with screenshots to look at: catalogue, edition page, applying, the student's page, the review list."""

import pytest

from consortium.models import Role
from tests.consortium.test_browser import sign_in
from tests.factories import CompanyRelationshipFactory, InstitutionFactory, UserFactory

from .factories import PDF, EditionFactory

pytestmark = pytest.mark.browser


def test_a_student_applies_and_an_organiser_reviews(page, screenshot, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    uam = InstitutionFactory(name="Universidad Autónoma de Madrid", short_name="UAM", slug="uam", country="ES")
    ucsc = InstitutionFactory(name="Università Cattolica", short_name="UCSC", slug="ucsc", country="IT")
    organiser = UserFactory(
        roles=[Role.ACADEMIC], institution=ucsc, full_name="Marco Rossi", email="marco@ucsc.example"
    )
    UserFactory(roles=[Role.STUDENT], institution=ucsc, full_name="Giulia Bianchi", email="giulia@ucsc.example")
    edition = EditionFactory(
        host=uam, title="Madrid Venture Lab", slug="madrid-lab", capacity=30, quotas={uam: 10, ucsc: 10},
        organisers=[organiser], on_site_days=4, description="Ten days of **venture building**.",
        fee="No fee for students of member institutions.", funding="Erasmus+ BIP grants cover travel.",
    )  # fmt: skip
    edition.co_organisers.set([ucsc])
    company = CompanyRelationshipFactory(institution=uam).company
    edition.challenges.create(company=company, title="Zero-waste packaging", mentor=organiser)
    EditionFactory(host=ucsc, title="Milano Design Ventures", city="Milano", language="it")

    page.goto("/summer-schools/")
    page.get_by_role("heading", name="Entrepreneurship summer schools").wait_for()
    screenshot("catalogue")
    sign_in(page, "giulia@ucsc.example")
    page.goto("/summer-schools/madrid-lab/")
    assert page.locator("strong", has_text="venture building").count() == 1
    screenshot("edition")
    page.get_by_role("link", name="Apply").click()
    page.get_by_label("Motivation letter").fill("I want to turn packaging waste into a business.")
    cv = tmp_path / "cv.pdf"
    cv.write_bytes(PDF)
    page.get_by_label("CV (PDF, at most 5 MB)").set_input_files(str(cv))
    page.locator("select[name=languages_0_language]").select_option("en")
    page.locator("select[name=languages_0_level]").select_option("C1")
    page.get_by_label("Field of study").select_option("04")
    page.get_by_label("Zero-waste packaging").check()
    screenshot("apply")
    page.get_by_role("button", name="Send my application").click()
    page.get_by_text("Your application is in.").wait_for()
    screenshot("application")

    page.context.clear_cookies()
    sign_in(page, "marco@ucsc.example")
    page.goto("/summer-schools/madrid-lab/")
    page.get_by_text("This edition does not qualify yet:").wait_for()
    screenshot("edition-organiser")
    page.get_by_role("link", name="Review your institution's applicants").click()
    page.get_by_role("link", name="Review", exact=True).click()
    page.get_by_label("Motivation (×2)").fill("5")
    page.get_by_label("Team fit (×1)").fill("3")
    screenshot("review")
    page.get_by_role("button", name="Save the review").click()
    page.get_by_text("Review saved.").wait_for()
    assert "4.33" in page.inner_text("main")
    page.get_by_role("button", name="Accept").click()
    page.get_by_text("Accepted: a seat is offered").wait_for()
    screenshot("applicants")
