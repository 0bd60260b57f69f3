"""The country guides tried as new users would, in real browsers: the liaison officer in Paris edits the
French guide's visa section, a colleague approves it from her notifications, a student in Madrid reads
the new version without signing in, prints it and follows the link to jobs in France; the diff between
the two revisions shows the change."""

import pytest

from consortium.models import Notification, Role
from guides.models import GuideRevision
from tests.conftest import ARTIFACTS
from tests.consortium.test_browser import sign_in
from tests.factories import UserFactory
from tests.guides.factories import guide_people, publish_edition, section_texts
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.browser

OLD_VISAS = (
    "Les citoyens de l'UE travaillent librement.\n\n"
    "Les diplômés de master peuvent obtenir une carte de séjour de **12 mois** pour chercher un emploi."
)
NEW_VISAS = (
    "Les citoyens de l'UE travaillent librement.\n\n"
    "Les diplômés de master peuvent obtenir une carte de séjour de **12 mois** pour chercher un emploi "
    "ou créer une entreprise. Demande en ligne sur le portail [ANEF](https://administration-etrangers-en-france.interieur.gouv.fr)."
)


def test_a_liaison_edits_a_colleague_approves_and_a_student_reads_prints_and_finds_jobs(
    page, another_browser, screenshot
):
    people = guide_people()
    julien, ines = people["julien"], people["ines"]
    publish_edition("FR", "en")
    publish_edition("FR", "fr", content=section_texts(work_permits_and_visas=OLD_VISAS))
    job = JobFactory(institution=people["paris"], title="Stage en marketing digital", country="FR", city="Paris")
    UserFactory(roles=[Role.STUDENT], institution=people["madrid"], email="lucia@um.example")

    # Julien, the liaison officer in Paris, invites his colleague Inès as an editor.
    sign_in(page, julien.email)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Country guides").click()
    page.get_by_role("region", name="Guides you maintain").get_by_role("link", name="France").click()
    page.get_by_label("Invite an editor by e-mail address").fill(ines.email)
    page.get_by_role("button", name="Invite").click()
    assert "Inès Lefèvre can now edit the guide." in page.inner_text("main")
    screenshot("manage")

    # He changes the visa section of the French edition and submits the draft.
    page.get_by_role("region", name="French").get_by_role("button", name="Start a draft").click()
    page.get_by_role("link", name="Edit “Work permits and visas”").click()
    page.get_by_label("Text").fill(NEW_VISAS)
    screenshot("edit-section")
    page.get_by_role("button", name="Save in the draft").click()
    assert "“Work permits and visas” saved in your draft." in page.inner_text("main")
    page.get_by_label("What changed").fill("Carte recherche d'emploi : création d'entreprise et portail ANEF")
    page.get_by_role("button", name="Submit for review").click()
    assert "Draft submitted" in page.inner_text("main")
    # He may not approve his own draft.
    assert page.get_by_role("button", name="Approve and publish").count() == 0

    # Inès opens the draft from her notifications, reads the changes and approves them.
    colleague = another_browser()
    sign_in(colleague, ines.email)
    colleague.wait_for_url("**/")
    colleague.get_by_role("link", name="Notifications").click()
    assert "waits for your review" in colleague.inner_text("main")
    colleague.get_by_role("button", name="Open").first.click()
    colleague.wait_for_url("**/guides/fr/fr/draft/")
    assert "créer une entreprise." in " ".join(colleague.locator(".guide-diff-body ins").all_inner_texts())
    colleague.screenshot(path=str(ARTIFACTS / "guides-walkthrough-review.png"), full_page=True)
    colleague.get_by_role("button", name="Approve and publish").click()
    assert "Published as revision 2." in colleague.inner_text("main")
    assert GuideRevision.objects.filter(number=2, author=julien, approved_by=ines).exists()
    assert Notification.objects.filter(recipient=julien, kind="guides.draft_approved").exists()

    # Lucía, a student in Madrid, reads the new version without signing in.
    student = another_browser()
    student.goto("/guides/")
    student.get_by_role("link", name="France").first.click()
    student.wait_for_url("**/guides/fr/en/")
    student.get_by_role("link", name="Français").click()
    student.wait_for_url("**/guides/fr/fr/")
    assert student.locator("article").get_attribute("lang") == "fr"
    student.locator(".guide-toc a[href='#work-permits-and-visas']").click()
    visas = student.locator("#work-permits-and-visas")
    assert "ou créer une entreprise" in visas.inner_text()
    assert visas.get_by_role("link", name="ANEF").get_attribute("rel") == "noopener noreferrer nofollow"
    student.screenshot(path=str(ARTIFACTS / "guides-walkthrough-read.png"), full_page=True)

    # She prints it: the navigation and buttons go, the link addresses are printed.
    assert student.get_by_role("button", name="Print or save as PDF").is_visible()
    student.emulate_media(media="print")
    assert not student.locator("body > header").is_visible()
    assert student.get_by_role("heading", name="Working in France").is_visible()
    assert not student.get_by_role("link", name="Jobs in France").is_visible()
    assert student.locator("#toc-heading").is_visible()
    printed_url = student.evaluate(
        "getComputedStyle(document.querySelector('#work-permits-and-visas .guide-body a'), '::after').content"
    )
    assert "administration-etrangers-en-france" in printed_url
    student.screenshot(path=str(ARTIFACTS / "guides-walkthrough-print.png"), full_page=True)
    pdf = student.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    (ARTIFACTS / "guides-walkthrough.pdf").write_bytes(pdf)
    student.emulate_media(media="screen")

    # And follows the link to jobs in France.
    student.get_by_role("link", name="Jobs in France").click()
    student.wait_for_url("**/jobs/?country=FR")
    assert job.title in student.inner_text("main")
    student.screenshot(path=str(ARTIFACTS / "guides-walkthrough-jobs.png"), full_page=True)

    # Back in Paris, Julien compares the two revisions.
    page.goto("/guides/fr/fr/revisions/")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/revisions/compare/?old=1&new=2")
    section = page.get_by_role("region", name="Work permits and visas")
    assert "créer une entreprise." in " ".join(section.locator("ins").all_inner_texts())
    assert page.get_by_role("region", name="Interviews").locator("ins").count() == 0
    screenshot("compare")


def test_the_demo_guides_read_well(page, screenshot, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", "--quiet")
    page.goto("/guides/")
    assert page.get_by_role("link", name="Germany").is_visible()
    screenshot("index")
    page.get_by_role("link", name="Germany").click()
    page.wait_for_url("**/guides/de/en/")
    notice = page.locator("#work-permits-and-visas .guide-stale")
    assert "Nobody has reviewed this section for more than a year" in notice.inner_text()
    assert page.locator(".guide-stale").count() == 1
    screenshot("germany")
    page.get_by_role("link", name="Deutsch").click()
    page.wait_for_url("**/guides/de/de/")
    assert "Fachkräfte" in page.inner_text("article")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("germany-phone")
