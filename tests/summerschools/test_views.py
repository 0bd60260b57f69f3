"""Summer-school pages: catalogue, edition page, calendar, applying, the student's page, the organisers' review."""

import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from consortium.models import SeatStatus
from consortium.services import seats as seat_service
from summerschools.models import Application, ApplicationStatus, FollowUp
from summerschools.services import selection
from tests.factories import InstitutionFactory

from .factories import ApplicationFactory, EditionFactory, pdf


def test_the_catalogue_lists_published_editions_to_everyone(client, edition, host, django_assert_max_num_queries):
    for n in range(4):
        EditionFactory(host=host, title=f"School {n}").co_organisers.set([host])
    EditionFactory(host=host, title="Secret draft", status="draft")
    with django_assert_max_num_queries(6):
        response = client.get("/summer-schools/")
    assert response.status_code == 200
    assert "Madrid Venture Lab" in response.text and "School 3" in response.text
    assert "Secret draft" not in response.text


def test_a_draft_is_404_to_the_public_and_shown_to_its_organisers(client, host, cast):
    EditionFactory(host=host, slug="draft-lab", status="draft", organisers=[cast["host_organiser"]])
    assert client.get("/summer-schools/draft-lab/").status_code == 404
    client.force_login(cast["student"])
    assert client.get("/summer-schools/draft-lab/").status_code == 404
    client.force_login(cast["host_organiser"])
    assert client.get("/summer-schools/draft-lab/").status_code == 200


def test_the_edition_page_carries_education_event_json_ld(client, edition):
    response = client.get("/summer-schools/madrid-lab/")
    assert response.status_code == 200
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "EducationEvent" and data["name"] == "Madrid Venture Lab"
    assert data["startDate"] == edition.starts_on.isoformat() and data["endDate"] == edition.ends_on.isoformat()
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert data["maximumAttendeeCapacity"] == 10
    assert [o["name"] for o in data["organizer"]] == [i.name for i in edition.institutions()]
    assert "Erasmus+ Blended" not in response.text  # the BIP check is for organisers


def test_organisers_see_why_the_edition_is_not_a_bip(client, edition, cast):
    client.force_login(cast["host_organiser"])
    response = client.get("/summer-schools/madrid-lab/")
    assert "Erasmus+ Blended Intensive Programme (BIP)" in response.text
    assert "The institutions must come from at least 3 countries; there are 2." in response.text


def test_the_calendar_file_is_one_all_day_event(client, edition):
    response = client.get("/summer-schools/madrid-lab/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]) == "Madrid Venture Lab"
    assert event.decoded("dtstart") == edition.starts_on
    assert event.decoded("dtend") == edition.ends_on + datetime.timedelta(days=1)


def _form(**extra):
    return {"motivation": "I want to build a venture.", "cv": pdf(), "languages_0_language": "en",
            "languages_0_level": "C1", "field_of_study": "04"} | extra  # fmt: skip


def test_a_student_applies_through_the_form(client, edition, cast):
    client.force_login(cast["student"])
    assert client.get("/summer-schools/madrid-lab/apply/").status_code == 200
    response = client.post("/summer-schools/madrid-lab/apply/", _form())
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/summer-schools/applications/{application.pk}/"
    assert application.languages == [["en", "C1"]] and application.field_of_study == "04"
    again = client.get("/summer-schools/madrid-lab/apply/")
    assert again.status_code == 302 and again["Location"] == f"/summer-schools/applications/{application.pk}/"


def test_a_cv_that_is_not_a_pdf_is_named_next_to_the_field(client, edition, cast):
    client.force_login(cast["student"])
    response = client.post("/summer-schools/madrid-lab/apply/", _form(cv=pdf("cv.pdf", b"MZ\x90\x00 not a pdf")))
    assert response.status_code == 200
    assert response.context["form"].errors == {"cv": ["This is not a PDF file. Upload a PDF."]}
    assert not Application.objects.exists()


def test_applying_after_the_call_closes_shows_the_reason(client, edition, cast):
    edition.call_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    edition.call_opens_at = timezone.now() - datetime.timedelta(days=2)
    edition.save()
    client.force_login(cast["student"])
    response = client.post("/summer-schools/madrid-lab/apply/", _form())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The call for this summer school is closed."]


@pytest.mark.parametrize("role", ["colleague", "organiser"])
def test_staff_may_not_apply(client, edition, cast, role):
    client.force_login(cast[role])
    assert client.get("/summer-schools/madrid-lab/apply/").status_code == 403


def test_the_application_page_is_the_students_and_their_reviewers_only(client, edition, cast):
    application = ApplicationFactory(edition=edition, student=cast["student"])
    url = f"/summer-schools/applications/{application.pk}/"
    for outsider in ("classmate", "other_student", "other_organiser", "host_organiser", "colleague"):
        client.force_login(cast[outsider])
        assert client.get(url).status_code == 404, outsider
        assert client.get(url + "cv/").status_code == 404, outsider
    for insider in ("student", "organiser"):
        client.force_login(cast[insider])
        assert client.get(url).status_code == 200
        cv = client.get(url + "cv/")
        assert cv.status_code == 200 and b"".join(cv.streaming_content).startswith(b"%PDF")
    client.logout()
    assert client.get(url).status_code == 302


def test_the_student_confirms_and_fills_in_the_follow_up(client, edition, cast):
    application = ApplicationFactory(edition=edition, student=cast["student"])
    selection.accept_application(application=application, by=cast["organiser"])
    client.force_login(cast["student"])
    url = f"/summer-schools/applications/{application.pk}/"
    assert "Confirm my seat" in client.get(url).text
    assert client.post(url + "confirm/").status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONFIRMED and application.seat.status == SeatStatus.CONFIRMED
    bad = client.post(url, {"arrival": "2030-07-01T10:00", "dietary_needs": "Vegan", "emergency_contact": ""})
    assert bad.status_code == 200 and "emergency_contact" in bad.context["follow_up_form"].errors
    response = client.post(
        url, {"arrival": "2030-07-01T10:00", "dietary_needs": "Vegan", "emergency_contact": "Mum +34 600"}
    )
    assert response.status_code == 302
    assert FollowUp.objects.get(application=application).dietary_needs == "Vegan"


def test_organisers_see_their_own_institutions_applicants_with_scores(
    client, edition, cast, make_user, django_assert_max_num_queries
):
    mine = ApplicationFactory(edition=edition, student=cast["student"])
    for _n in range(4):
        ApplicationFactory(edition=edition, student=make_user("student"))
    theirs = ApplicationFactory(edition=edition, student=cast["other_student"])
    motivation, fit = edition.criteria.all()
    selection.review_application(application=mine, reviewer=cast["organiser"], scores={motivation: 5, fit: 2})
    client.force_login(cast["organiser"])
    with django_assert_max_num_queries(17):
        response = client.get("/summer-schools/madrid-lab/applications/")
    assert response.status_code == 200
    rows = response.context["applications"]
    assert len(rows) == 5 and theirs not in rows
    assert rows[0] == mine and rows[0].weighted_score == 4.0
    assert "Sara Student" in response.text and "Theo Other" not in response.text


@pytest.mark.parametrize("role", ["colleague", "student", "consortium_admin"])
def test_people_who_do_not_organise_get_404_on_the_review_list(client, edition, cast, role):
    client.force_login(cast[role])
    assert client.get("/summer-schools/madrid-lab/applications/").status_code == 404


def test_reviewing_and_deciding_through_the_pages(client, edition, cast, make_user):
    first, second, third = (ApplicationFactory(edition=edition, student=make_user("student")) for _n in range(3))
    client.force_login(cast["organiser"])
    motivation, fit = edition.criteria.all()
    response = client.post(
        f"/summer-schools/applications/{first.pk}/review/",
        {f"criterion_{motivation.pk}": 4, f"criterion_{fit.pk}": 4, "comment": "Strong"},
    )
    assert response.status_code == 302
    assert selection.weighted_scores([first]) == {first.pk: 4.0}
    assert client.post(f"/summer-schools/applications/{first.pk}/accept/").status_code == 302
    client.post(f"/summer-schools/applications/{second.pk}/accept/")
    # The quota is full: the list offers no Accept button any more, and a forged request is refused.
    listing = client.get("/summer-schools/madrid-lab/applications/").text
    assert "No seat left to offer" in listing and f"/applications/{third.pk}/accept/" not in listing
    response = client.post(f"/summer-schools/applications/{third.pk}/accept/", follow=True)
    assert "The 2 seats of Universidad de Prueba&#x27;s quota are taken." in response.text
    client.post(f"/summer-schools/applications/{third.pk}/waitlist/")
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "accepted", second.pk: "accepted", third.pk: "waitlisted"}


def test_another_institutions_organiser_cannot_review_or_decide(client, edition, cast):
    application = ApplicationFactory(edition=edition, student=cast["student"])
    client.force_login(cast["other_organiser"])
    assert client.get(f"/summer-schools/applications/{application.pk}/review/").status_code == 404
    assert client.post(f"/summer-schools/applications/{application.pk}/accept/").status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_reviewer_who_declared_a_conflict_can_no_longer_decide_or_read_the_cv(client, edition, cast, make_user):
    application = ApplicationFactory(edition=edition, student=cast["student"])
    colleague = make_user("academic", full_name="Colin Colleague")
    edition.organisers.add(colleague)
    selection.review_application(application=application, reviewer=cast["organiser"], conflict_of_interest=True)
    client.force_login(cast["organiser"])
    url = f"/summer-schools/applications/{application.pk}/"
    for path in ("", "cv/", "review/"):
        assert client.get(url + path).status_code == 404, path
    for decision in ("accept", "waitlist", "reject"):
        assert client.post(url + decision + "/").status_code == 404, decision
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    page = client.get("/summer-schools/madrid-lab/applications/")
    assert "You declared a conflict of interest" in page.text
    assert url + "cv/" not in page.text and url + "accept/" not in page.text
    client.force_login(colleague)
    assert client.post(url + "accept/").status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED


def test_the_edition_page_says_which_institutions_students_may_apply(client, edition, cast, host):
    client.force_login(cast["student"])
    page = client.get("/summer-schools/madrid-lab/")
    assert "Students of Universidad Autónoma de Madrid, Universidad de Prueba, Università Altra." in page.text
    assert "/summer-schools/madrid-lab/apply/" in page.text


def test_students_of_a_partner_that_does_not_organise_cannot_apply(client, edition, make_user):
    outsider = make_user("student", institution=InstitutionFactory(name="Hogeschool Elders"))
    client.force_login(outsider)
    page = client.get("/summer-schools/madrid-lab/")
    reason = "Only students of the organising institutions may apply"
    assert reason in page.text and "/summer-schools/madrid-lab/apply/" not in page.text
    refused = client.post("/summer-schools/madrid-lab/apply/", _form(), follow=True)
    assert refused.redirect_chain == [("/summer-schools/madrid-lab/", 302)] and reason in refused.text
    with pytest.raises(ValidationError, match=reason):
        selection.apply(edition=edition, student=outsider, motivation="Me!", cv=pdf(), languages=[["en", "C1"]],
                        field_of_study="04")  # fmt: skip
    assert not Application.objects.exists()


def test_students_of_an_institution_without_seats_cannot_apply(client, edition, home, other, cast):
    # Every seat reserved by quotas, home's being 0: home's students could never be given one.
    seat_service.update_seat_plan(plan=edition.seat_plan, capacity=2, quotas={home.pk: 0, other.pk: 2})
    client.force_login(cast["student"])
    page = client.get("/summer-schools/madrid-lab/")
    reason = "Universidad de Prueba has no seats at this summer school, so its students cannot apply."
    assert reason in page.text and "Students of Università Altra." in page.text
    refused = client.post("/summer-schools/madrid-lab/apply/", _form(), follow=True)
    assert reason in refused.text and not Application.objects.exists()
    client.force_login(cast["other_student"])
    assert client.post("/summer-schools/madrid-lab/apply/", _form()).status_code == 302


def test_a_challenge_id_beyond_the_databases_integers_is_an_invalid_choice(client, edition, cast):
    client.force_login(cast["student"])
    response = client.post("/summer-schools/madrid-lab/apply/", _form(preferred_challenges=[str(2**70)]))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "preferred_challenges": [f"Select a valid choice. {2**70} is not one of the available choices."]
    }
    assert not Application.objects.exists()
