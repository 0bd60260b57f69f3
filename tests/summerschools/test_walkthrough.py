"""A summer school tried as new users would, in a real browser under the Content-Security-Policy:
the Madrid organiser creates the school through the forms, adds challenges and publishes it; a
student in Milan applies, the Milan organiser accepts her within the quota, she confirms and fills
the follow-up form, the organiser forms the teams in one click and shares them, she meets her mixed
team, and after the school she downloads her certificate, anyone can check it, and she joins the alumni."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from consortium.models import Notification, Role
from consortium.services import seats as seat_service
from summerschools.models import Application, ApplicationStatus, Edition
from tests.consortium.test_browser import sign_in
from tests.factories import CompanyRelationshipFactory, InstitutionFactory, UserFactory

from .factories import PDF, ApplicationFactory

pytestmark = pytest.mark.browser

PARTNERS = [
    ("Universidad Autónoma de Madrid", "UAM", "ES"),
    ("Université de Lille", "ULille", "FR"),
    ("Universität Leipzig", "ULeipzig", "DE"),
    ("Uniwersytet Warszawski", "UW", "PL"),
]
FIELDS = ["03", "06", "07", "09"]


def confirmed_participant(edition, student, field_of_study, challenge):
    """A participant who went through selection already: a confirmed seat against their quota."""
    seat = seat_service.request_seat(
        plan=edition.seat_plan, holder=student, institution=student.institution, offer=True, waitlist=False
    )
    seat_service.confirm_seat(seat=seat)
    application = ApplicationFactory(
        edition=edition, student=student, seat=seat, field_of_study=field_of_study, status=ApplicationStatus.CONFIRMED
    )
    application.preferred_challenges.set([challenge])
    return application


def switch_to(page, user):
    page.context.clear_cookies()
    sign_in(page, user.email)
    page.wait_for_url("**/")


def message(page) -> str:
    return page.inner_text(".messages")


def test_a_summer_school_from_the_call_to_the_alumni(page, screenshot, tmp_path):
    ucsc = InstitutionFactory(name="Università Cattolica", short_name="UCSC", slug="ucsc", country="IT", city="Milano")
    partners = [InstitutionFactory(name=n, short_name=s, slug=s.lower(), country=c) for n, s, c in PARTNERS]
    uam = partners[0]
    host_organiser = UserFactory(roles=[Role.ACADEMIC], institution=uam, full_name="Ana Ruiz")
    organiser = UserFactory(roles=[Role.CAREER_OFFICER], institution=ucsc, full_name="Marco Rossi")
    giulia = UserFactory(
        roles=[Role.STUDENT], institution=ucsc, full_name="Giulia Bianchi", email="giulia@ucsc.example"
    )
    food = CompanyRelationshipFactory(institution=uam, company__name="Iberia Foods").company
    CompanyRelationshipFactory(institution=uam, company__name="Tramvia")
    UserFactory(roles=[Role.COMPANY_CONTACT], institution=None, company=food, full_name="Carla Mentor")

    # The Madrid organiser creates the school; a last day before the first is refused.
    sign_in(page, host_organiser.email)
    page.wait_for_url("**/")
    page.goto("/summer-schools/")
    page.get_by_role("link", name="My summer schools").click()
    page.get_by_role("link", name="New summer school").click()
    starts = timezone.localdate() + datetime.timedelta(days=60)
    page.get_by_label("Title").fill("Madrid Venture Lab")
    page.get_by_label("Address").fill("madrid-lab")
    page.get_by_label("Theme").fill("Circular economy ventures")
    page.get_by_label("Year").fill(str(starts.year))
    page.get_by_label("First day").fill(starts.isoformat())
    page.get_by_label("Last day").fill((starts - datetime.timedelta(days=3)).isoformat())
    page.get_by_label("Place").select_option(label="Blended (on site and online)")
    page.get_by_label("Days on site").fill("8")
    page.get_by_label("City").fill("Madrid")
    page.get_by_label("ECTS credits").fill("4")
    page.get_by_label("Learning outcomes").fill("Validate a business idea with customers\nPitch to investors")
    page.get_by_label("Call opens").fill(timezone.now().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Call closes").fill((timezone.now() + datetime.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("input[name=capacity]").fill("30")
    for institution in [ucsc, *partners[1:]]:
        page.get_by_label(institution.name, exact=True).check()
    for institution in partners:
        page.get_by_label(f"Quota for {institution.name}").fill("6")
    page.get_by_label("Quota for Università Cattolica").fill("2")
    page.locator("input[name=criterion_name_0]").fill("Motivation")
    page.locator("input[name=criterion_weight_0]").fill("2")
    page.locator("input[name=criterion_name_1]").fill("Team fit")
    page.locator("input[name=criterion_weight_1]").fill("1")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The last day cannot be before the first day.").wait_for()
    page.get_by_label("Last day").fill((starts + datetime.timedelta(days=9)).isoformat())
    page.get_by_role("button", name="Save").click()
    assert "Summer school saved." in message(page)
    assert "This edition meets the BIP conditions." in page.inner_text("main")
    # Colleagues become organisers once their institution co-organises: Marco reviews the Milan applicants.
    page.get_by_label("Marco Rossi (Università Cattolica)").check()
    page.get_by_role("button", name="Save").click()
    assert "Summer school saved." in message(page)
    screenshot("edition")
    for company, title, mentor in [
        ("Iberia Foods", "Zero food waste", "Carla Mentor (Iberia Foods)"),
        ("Tramvia", "Last-mile mobility", "---------"),
    ]:
        page.get_by_role("link", name="Add a challenge").click()
        page.get_by_label("Company").select_option(label=company)
        page.get_by_label("Title").fill(title)
        page.get_by_label("Mentor").select_option(label=mentor)
        page.get_by_role("button", name="Save").click()
        assert "Challenge saved." in message(page)
    page.get_by_role("button", name="Publish").click()
    assert "The summer school is published and its call is announced." in message(page)
    edition = Edition.objects.get(slug="madrid-lab")
    assert set(edition.organisers.all()) == {host_organiser, organiser}
    food, mobility = edition.challenges.order_by("pk")

    # Fifteen participants from four other institutions in four countries went through selection
    # already, and one from Milan; another Milan student waits for a decision.
    for n in range(15):
        student = UserFactory(roles=[Role.STUDENT], institution=partners[n % 4], full_name=f"Student {n:02}")
        confirmed_participant(edition, student, FIELDS[n % 4], [food, mobility][n % 2])
    luca = UserFactory(roles=[Role.STUDENT], institution=ucsc, full_name="Luca Verdi")
    confirmed_participant(edition, luca, "04", food)
    sofia = UserFactory(roles=[Role.STUDENT], institution=ucsc, full_name="Sofia Neri")
    ApplicationFactory(edition=edition, student=sofia)
    cv = tmp_path / "giulia-cv.pdf"
    cv.write_bytes(PDF)

    # Giulia finds the school in the catalogue and applies.
    switch_to(page, giulia)
    page.goto("/summer-schools/")
    page.get_by_role("link", name="Madrid Venture Lab").click()
    assert "Zero food waste" in page.inner_text("main")
    page.get_by_role("link", name="Apply", exact=True).click()
    page.get_by_label("Motivation letter").fill("I run a food-rescue club in Milan and want to make it a company.")
    page.get_by_label("CV (PDF, at most 5 MB)").set_input_files(cv)
    page.get_by_label("Language 1").select_option(label="Italian")
    page.get_by_label("Level 1").select_option("C2")
    page.get_by_label("Language 2").select_option(label="English")
    page.get_by_label("Level 2").select_option("C1")
    page.get_by_label("Field of study").select_option(label="Business, administration and law")
    page.get_by_label("Zero food waste (Iberia Foods)").check()
    screenshot("apply")
    page.get_by_role("button", name="Send my application").click()
    assert "Your application is in." in message(page)
    assert "Status: Submitted" in page.inner_text("main")
    application = Application.objects.get(student=giulia)

    # The Milan organiser scores her against the weighted criteria and accepts her within the quota.
    switch_to(page, organiser)
    page.goto(edition.get_absolute_url())
    page.get_by_role("link", name="Review your institution's applicants").click()
    assert "Quota 2 · seats offered or confirmed 1 · waiting 0 · 16 of 30 seats taken in all" in page.inner_text("main")
    row = page.locator("tr", has_text="Giulia Bianchi")
    assert page.request.get(row.get_by_role("link", name="CV").get_attribute("href")).body().startswith(b"%PDF")
    row.get_by_role("link", name="Review").click()
    assert "food-rescue club in Milan" in page.inner_text("main")
    page.get_by_label("Motivation (×2)").fill("5")
    page.get_by_label("Team fit (×1)").fill("4")
    page.get_by_role("button", name="Save the review").click()
    assert "Review saved." in message(page)
    assert "4.67" in page.locator("tr", has_text="Giulia Bianchi").inner_text()
    page.locator("tr", has_text="Giulia Bianchi").get_by_role("button", name="Accept").click()
    assert "Accepted: a seat is offered to the student" in message(page)
    assert "Quota 2 · seats offered or confirmed 2 · waiting 0 · 17 of 30 seats taken in all" in page.inner_text("main")
    screenshot("applicants")
    # The quota is full: Sofia cannot be accepted too (the service's refusal is tested over HTTP).
    sofia = page.locator("tr", has_text="Sofia Neri")
    assert "No seat left to offer" in sofia.inner_text() and sofia.get_by_role("button", name="Accept").count() == 0
    assert "Submitted" in sofia.inner_text()

    # Giulia confirms her seat and tells the host when she arrives.
    switch_to(page, giulia)
    page.goto(application.get_absolute_url())
    assert "Status: Accepted, seat offered" in page.inner_text("main")
    page.get_by_role("button", name="Confirm my seat").click()
    assert "Your seat is confirmed. Please fill in the follow-up form." in message(page)
    arrival = datetime.datetime.combine(edition.starts_on - datetime.timedelta(days=1), datetime.time(18, 30))
    page.get_by_label("Arrival").fill(arrival.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Dietary needs").fill("Vegetarian")
    page.get_by_label("Emergency contact").fill("Paola Bianchi, +39 02 1234 5678")
    screenshot("follow-up")
    page.get_by_role("button", name="Save").click()
    assert "Thank you: the organisers have your details." in message(page)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONFIRMED and application.follow_up.dietary_needs == "Vegetarian"

    # The organiser forms the teams in one click, names Giulia's and shares them.
    switch_to(page, organiser)
    page.goto(edition.get_absolute_url())
    page.get_by_role("link", name="Teams", exact=True).click()
    page.get_by_role("button", name="Form the teams").click()
    assert "4 teams formed." in message(page)
    assert "Every team mixes at least 3 institutions and 2 countries" in page.inner_text("main")
    team = Application.objects.get(pk=application.pk).team
    card = page.locator("section.card", has=page.get_by_role("heading", name=str(team)))
    card.get_by_label("Name").fill("Navigli Makers")
    card.get_by_role("button", name="Save").click()
    assert "Navigli Makers saved." in message(page)
    page.get_by_role("button", name="Share the teams with the participants").click()
    assert "The teams are shared" in message(page)
    screenshot("teams")

    # Giulia meets her team: members from at least three institutions, a challenge and its mentor.
    switch_to(page, giulia)
    page.goto(application.get_absolute_url())
    page.get_by_role("link", name="Your team: Navigli Makers").click()
    page.get_by_role("heading", name="Navigli Makers").wait_for()
    institutions = set(page.locator("tbody tr td:nth-child(2)").all_inner_texts())
    assert "Università Cattolica" in institutions and len(institutions) >= 3
    assert "Giulia Bianchi" in page.inner_text("main") and "Set by" in page.inner_text("main")
    screenshot("team-space")

    # The school ends; the organiser records that Giulia completed it.
    today = timezone.localdate()
    edition.starts_on, edition.ends_on = today - datetime.timedelta(days=10), today - datetime.timedelta(days=1)
    edition.save(update_fields=["starts_on", "ends_on"])
    switch_to(page, organiser)
    page.goto(edition.get_absolute_url())
    page.get_by_role("link", name="Participants").click()
    page.locator("tr", has_text="Giulia Bianchi").get_by_role("button", name="Completed").click()
    assert "Completion recorded for Giulia Bianchi." in message(page)
    page.get_by_role("button", name="Open the survey and invite the participants").click()
    assert "The evaluation survey is open; the participants have been invited." in message(page)
    screenshot("participants")
    page.get_by_role("link", name="See the results").click()
    assert "0 of 17 participants answered" in page.inner_text("main")

    # Giulia downloads her certificate and joins the alumni directory.
    switch_to(page, giulia)
    page.goto(application.get_absolute_url())
    page.get_by_role("link", name="Your certificate").click()
    text = page.inner_text("main")
    assert "Giulia Bianchi" in text and "ECTS credits: 4.0" in text and "Team: Navigli Makers" in text
    assert "Pitch to investors" in text
    screenshot("certificate")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    path = tmp_path / "certificate.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    check = page.locator("a[href*='/certificates/verify/']").get_attribute("href")
    page.goto(application.get_absolute_url())
    page.get_by_role("link", name="Join the alumni directory").click()
    page.get_by_label("Current role").fill("Founder, a food-rescue start-up")
    page.get_by_label("City").fill("Milano")
    page.get_by_label("Country").select_option("IT")
    page.get_by_role("button", name="Join").click()
    page.wait_for_url("**/summer-schools/alumni/")
    assert "Welcome to the alumni directory." in message(page)
    card = page.locator("article", has=page.get_by_role("heading", name="Giulia Bianchi"))
    assert "Founder, a food-rescue start-up" in card.inner_text() and "Madrid Venture Lab" in card.inner_text()
    screenshot("alumni")

    # Anyone can check the certificate.
    page.context.clear_cookies()
    page.goto(check)
    assert "This is a valid certificate of the Career Consortium." in page.inner_text("main")

    # Every step told her, in the notifications and by e-mail.
    titles = [
        "Your application to “Madrid Venture Lab” is in",
        "A seat at “Madrid Venture Lab” is offered to you",
        "Your seat at “Madrid Venture Lab” is confirmed",
        "You are in Navigli Makers at “Madrid Venture Lab”",
        "Your certificate of “Madrid Venture Lab” is ready",
        "Your opinion on “Madrid Venture Lab”",
    ]
    assert list(Notification.objects.filter(recipient=giulia).order_by("pk").values_list("title", flat=True)) == titles
    assert [m.subject for m in mail.outbox if m.to == [giulia.email]] == titles
