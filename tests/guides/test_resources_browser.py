"""An officer shares a resource in a real browser; a student of another member finds it, filters the
library, downloads it and searches guides and resources together."""

import re

import pytest

from consortium.models import Role
from guides.models import ResourceDownload
from tests.consortium.test_browser import sign_in
from tests.factories import UserFactory
from tests.guides.factories import ResourceFactory, pdf_bytes, publish_edition, section_texts

pytestmark = pytest.mark.browser


def test_an_officer_shares_a_file_and_a_student_finds_filters_and_downloads_it(
    page, screenshot, home, other, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = UserFactory(roles=[Role.CAREER_OFFICER], institution=other, full_name="Marco Rossi")
    student = UserFactory(roles=[Role.STUDENT], institution=home, full_name="Lucía García")
    ResourceFactory(owner=other, title="CV clinic facilitator slides", audience="staff", kind="workshop_slides")
    ResourceFactory(owner=home, title="Guía de prácticas en España", language="es", countries=["ES"], tags=["cv"])
    ResourceFactory(owner=home, title="Recording: the Madrid job market", kind="recording", countries=["ES"])
    publish_edition(
        "IT",
        "it",
        content=section_texts(interviews="Il **colloquio** di lavoro: puntualità e una lettera di presentazione."),
    )
    fake = tmp_path / "lettera.pdf"
    fake.write_bytes(b"<html><script>alert(1)</script></html>")
    real = tmp_path / "Lettera di presentazione.pdf"
    real.write_bytes(pdf_bytes("Come scrivere una lettera di presentazione"))

    main = page.locator("main")
    # The officer shares a file that is not what its name says, with a javascript: link too.
    sign_in(page, officer.email)
    page.wait_for_url("**/")
    page.goto("/guides/resources/")
    page.get_by_role("link", name="Share a resource").click()
    main.get_by_label("Title").fill("Come scrivere una lettera di presentazione")
    main.get_by_label("Kind").select_option("application_guide")
    main.get_by_label("Description").fill("Struttura e tono della **lettera** per aziende italiane.")
    main.get_by_label("Link").fill("javascript:alert(1)")
    main.get_by_label("File").set_input_files(str(fake))
    main.get_by_label("Language").select_option("it")
    main.get_by_label("Countries").select_option(["IT", "ES"])
    main.get_by_label("Tags").fill("lettera, cover letter")
    page.get_by_role("button", name="Share", exact=True).click()
    page.get_by_text("The link must be a web address starting with http:// or https://.").wait_for()
    screenshot("form-errors")

    # Corrected: no link, the real PDF.
    main.get_by_label("Link").fill("")
    main.get_by_label("File").set_input_files(str(fake))
    page.get_by_role("button", name="Share", exact=True).click()
    page.get_by_text("This is not an allowed kind of file.").wait_for()
    main.get_by_label("File").set_input_files(str(real))
    page.get_by_role("button", name="Share", exact=True).click()
    page.get_by_text("Resource shared.").wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == "Come scrivere una lettera di presentazione"
    resource_url = page.url
    page.context.clear_cookies()

    # A student in Madrid filters the library: Italy, then application guides.
    sign_in(page, student.email)
    page.wait_for_url("**/")
    page.goto("/guides/resources/")
    results = page.locator("#results")
    assert "CV clinic facilitator slides" not in results.inner_text()
    assert main.get_by_label("Audience").count() == 0
    main.get_by_label("Country").select_option("IT")
    page.wait_for_url(re.compile(r"country=IT"))
    results.get_by_text("1 resource", exact=True).wait_for()
    assert "Come scrivere una lettera di presentazione" in results.inner_text()
    main.get_by_label("Country").select_option("ES")
    page.wait_for_url(re.compile(r"country=ES"))
    results.get_by_text("3 resources", exact=True).wait_for()
    assert re.search(r"Application guide \(2\)", main.get_by_label("Kind").inner_text())
    screenshot("list")

    # Its page, and the download counted for Madrid.
    page.goto(resource_url)
    screenshot("detail-student")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"Download \(PDF")).click()
    assert download.value.suggested_filename == "Lettera di presentazione.pdf"
    assert list(ResourceDownload.objects.values_list("institution_id", "count")) == [(home.pk, 1)]

    # One search over guides and resources, each in its own language.
    page.goto("/guides/search/")
    main.get_by_label("Search").fill("presentazione")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q=presentazione"))
    found = page.locator("#search-results")
    found.get_by_text("2 results").wait_for()
    assert "Interviews" in found.inner_text() and "Come scrivere una lettera di presentazione" in found.inner_text()
    screenshot("search")
    page.context.clear_cookies()

    # The officer sees the downloads per institution.
    sign_in(page, officer.email)
    page.wait_for_url("**/")
    page.goto(resource_url)
    counts = page.get_by_role("table").inner_text()
    assert home.name in counts and "1" in counts
    screenshot("detail-staff")
