"""The training pages: catalogue and week page (public), registering and approving, check-in,
certificates, calendars and the curriculum, each with who may and who may not."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from consortium.models import Role
from tests.factories import InstitutionFactory
from training import services
from training.models import Attendance, Module, Registration, Session, TrainingPolicy, TrainingWeek

from .factories import ModuleFactory, SessionFactory, TrainingWeekFactory


def signed_in(client, user):
    client.force_login(user)
    return client


# The catalogue and the week page


def test_the_catalogue_is_public_with_upcoming_weeks_and_filters(client, host, other, django_assert_max_num_queries):
    milan = InstitutionFactory(name="Università Cattolica", short_name="UCSC", slug="ucsc", country="IT")
    madrid = TrainingWeekFactory(host=host, title="Madrid week", language="es")
    TrainingWeekFactory(host=milan, title="Milan week", language="it", city="Milano")
    TrainingWeekFactory(host=host, title="Old week", starts_on=timezone.localdate() - datetime.timedelta(days=60))
    TrainingWeekFactory(host=host, title="Draft week", status="draft")
    for n in range(5):
        TrainingWeekFactory(host=milan, title=f"More {n}")
    with django_assert_max_num_queries(6):
        page = client.get(reverse("training:index"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Madrid week" in text and "Milan week" in text
    assert "Old week" not in text and "Draft week" not in text

    only_spain = client.get(reverse("training:index"), {"country": "ES"}).content.decode()
    assert "Madrid week" in only_spain and "Milan week" not in only_spain
    italian = client.get(reverse("training:index"), {"language": "it"}).content.decode()
    assert "Milan week" in italian and "Madrid week" not in italian
    month = str(madrid.starts_on.month)
    assert "Madrid week" in client.get(reverse("training:index"), {"month": month}).content.decode()
    past = client.get(reverse("training:index"), {"when": "past"}).content.decode()
    assert "Old week" in past and "Madrid week" not in past


def test_the_week_page_is_public_with_education_event_json_ld(client, host):
    week = TrainingWeekFactory(host=host, title="Madrid </script> week", capacity=30)
    SessionFactory(week=week, title="Labour market of Madrid", module=ModuleFactory(code="CA-01"))
    page = client.get(week.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert "Labour market of Madrid" in text and "CA-01" in text and "30 seats left" in text
    # The title's "</script>" is escaped: the element ends where it should, and nothing else opens or closes.
    assert text.count('<script type="application/ld+json">') == 1
    assert text.count("<script") == text.count("</script>")
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
    assert "Madrid \\u003C/script\\u003E week" in raw
    data = json.loads(raw)
    assert data["@type"] == "EducationEvent" and data["name"] == "Madrid </script> week"
    assert data["startDate"] == week.starts_on.isoformat() and data["endDate"] == week.ends_on.isoformat()
    assert data["organizer"]["name"] == host.name and data["inLanguage"] == "en"
    assert data["location"]["address"]["addressCountry"] == "ES"
    assert data["remainingAttendeeCapacity"] == 30
    assert "Sign in to register" in text


def test_a_draft_week_is_seen_by_its_host_only(client, host, organiser, staff):
    week = TrainingWeekFactory(host=host, status="draft")
    assert client.get(week.get_absolute_url()).status_code == 404
    assert signed_in(client, staff["officer"]).get(week.get_absolute_url()).status_code == 404
    assert signed_in(client, organiser).get(week.get_absolute_url()).status_code == 200
    assert signed_in(client, staff["consortium_admin"]).get(week.get_absolute_url()).status_code == 200


def test_the_week_page_shows_seats_left_and_the_waitlist(client, host, staff, home, no_approval):
    no_approval(home)
    week = TrainingWeekFactory(host=host, capacity=1)
    services.register_for_week(week=week, person=staff["officer"])
    services.register_for_week(week=week, person=staff["colleague"])
    text = client.get(week.get_absolute_url()).content.decode()
    assert "0 seats left" in text and "1 person on the waitlist" in text


# Creating and editing weeks


def week_form(**changes):
    today = timezone.localdate()
    data = {
        "title": "Madrid week", "slug": "madrid-2027", "starts_on": today + datetime.timedelta(days=30),
        "ends_on": today + datetime.timedelta(days=34), "place": "on_site", "venue": "Cantoblanco",
        "city": "Madrid", "time_zone": "Europe/Madrid", "language": "es", "description": "The **week**.",
        "registration_opens_at": "2026-01-01T09:00", "registration_closes_at": (today + datetime.timedelta(days=20))
        .strftime("%Y-%m-%dT%H:%M"), "waitlist": "on", "capacity": "30",
    }  # fmt: skip
    return {**data, **changes}


def test_an_organiser_creates_a_week_with_quotas(client, host, organiser, home, other):
    response = signed_in(client, organiser).post(
        reverse("training:create"), week_form(**{f"quota_{home.pk}": "6", f"quota_{other.pk}": "6"})
    )
    week = TrainingWeek.objects.get()
    assert response.status_code == 302 and response.url == week.get_absolute_url()
    assert week.host == host and week.status == "draft" and week.created_by == organiser
    assert week.description_html == "<p>The <strong>week</strong>.</p>"
    assert week.seat_plan.capacity == 30
    assert dict(week.seat_plan.quotas.values_list("institution", "seats")) == {home.pk: 6, other.pk: 6}


def test_a_quota_sum_above_capacity_shows_the_error_and_saves_nothing(client, host, organiser, home, other):
    response = signed_in(client, organiser).post(
        reverse("training:create"), week_form(capacity="10", **{f"quota_{home.pk}": "6", f"quota_{other.pk}": "6"})
    )
    assert response.status_code == 200
    assert "The quotas add up to 12 seats, more than the capacity of 10." in response.content.decode()
    assert not TrainingWeek.objects.exists()


def test_a_reserved_address_is_refused(client, host, organiser):
    response = signed_in(client, organiser).post(reverse("training:create"), week_form(slug="curriculum"))
    assert "This address is taken by a page of the site" in response.content.decode()
    assert not TrainingWeek.objects.exists()


def test_the_week_form_offers_time_zones_to_choose_from(client, host, organiser):
    week = TrainingWeekFactory(host=host, created_by=organiser)
    page = signed_in(client, organiser).get(reverse("training:edit", args=[week.slug]))
    assert '<option value="Europe/Madrid" selected>Europe/Madrid</option>' in page.text
    assert '<option value="America/New_York">America/New York</option>' in page.text


@pytest.mark.parametrize("role", ["officer", "admin", "student", "consortium_admin"])
def test_people_outside_the_host_do_not_edit_its_weeks(client, host, staff, role):
    week = TrainingWeekFactory(host=host)
    assert signed_in(client, staff[role]).get(reverse("training:edit", args=[week.slug])).status_code == 404
    assert signed_in(client, staff[role]).get(reverse("training:participants", args=[week.slug])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in_to_create_a_week(client):
    assert client.get(reverse("training:create")).status_code == 302


def test_a_session_outside_the_week_is_refused_with_the_field_named(client, host, organiser):
    week = TrainingWeekFactory(host=host)
    response = signed_in(client, organiser).post(
        reverse("training:session-create", args=[week.slug]),
        {
            "day": (week.ends_on + datetime.timedelta(days=2)).isoformat(),
            "starts_at": "09:00",
            "ends_at": "10:00",
            "title": "Too late",
        },  # fmt: skip
    )
    assert response.status_code == 200
    assert "The day must be within the week" in response.content.decode()
    assert not Session.objects.exists()


def test_publishing_needs_an_agenda(client, host, organiser):
    week = TrainingWeekFactory(host=host, status="draft")
    signed_in(client, organiser).post(reverse("training:change-status", args=[week.slug, "publish"]))
    week.refresh_from_db()
    assert week.status == "draft"
    SessionFactory(week=week)
    client.post(reverse("training:change-status", args=[week.slug, "publish"]))
    week.refresh_from_db()
    assert week.status == "published"


# Registering and approving


def test_an_officer_registers_and_their_partner_admin_approves(client, host, staff):
    week = TrainingWeekFactory(host=host)
    response = signed_in(client, staff["officer"]).post(
        reverse("training:register", args=[week.slug]), {"motivation": "SMEs"}
    )
    registration = Registration.objects.get()
    assert response.status_code == 302 and response.url == registration.get_absolute_url()
    assert registration.status == "pending"

    queue = signed_in(client, staff["admin"]).get(reverse("training:approvals"))
    assert staff["officer"].full_name in queue.content.decode()
    response = client.post(
        reverse("training:registration-act", args=[registration.pk, "approve"]), {"next": "approvals"}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.seat.status == "confirmed"


def test_registering_twice_in_the_browser_names_the_problem(client, host, staff):
    week = TrainingWeekFactory(host=host)
    signed_in(client, staff["officer"]).post(reverse("training:register", args=[week.slug]), {})
    response = client.post(reverse("training:register", args=[week.slug]), {})
    assert "You are already registered for this week." in response.content.decode()
    assert Registration.objects.count() == 1


def test_registering_after_the_window_shows_why(client, host, staff):
    week = TrainingWeekFactory(host=host, registration_closes_at=timezone.now() - datetime.timedelta(hours=1),
                               registration_opens_at=timezone.now() - datetime.timedelta(days=3))  # fmt: skip
    response = signed_in(client, staff["officer"]).post(reverse("training:register", args=[week.slug]), {})
    assert "Registration for this week has closed." in response.content.decode()
    assert not Registration.objects.exists()


def test_students_cannot_open_the_registration_form(client, host, staff):
    week = TrainingWeekFactory(host=host)
    assert signed_in(client, staff["student"]).get(reverse("training:register", args=[week.slug])).status_code == 403


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 200), ("admin", 200), ("colleague", 404), ("other_admin", 404), ("consortium_admin", 200)],
)
def test_who_sees_a_registration(client, host, staff, role, status):
    registration = services.register_for_week(week=TrainingWeekFactory(host=host), person=staff["officer"])
    assert signed_in(client, staff[role]).get(registration.get_absolute_url()).status_code == status


def test_the_host_sees_registrations_for_its_week(client, host, organiser, staff):
    registration = services.register_for_week(week=TrainingWeekFactory(host=host), person=staff["officer"])
    assert signed_in(client, organiser).get(registration.get_absolute_url()).status_code == 200


def test_another_institutions_admin_cannot_approve(client, host, staff):
    registration = services.register_for_week(week=TrainingWeekFactory(host=host), person=staff["officer"])
    response = signed_in(client, staff["other_admin"]).post(
        reverse("training:registration-act", args=[registration.pk, "approve"])
    )
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_the_approvals_page_is_for_partner_admins_and_keeps_the_setting(client, staff, home):
    assert signed_in(client, staff["officer"]).get(reverse("training:approvals")).status_code == 404
    signed_in(client, staff["admin"]).post(reverse("training:approvals"), {})
    assert TrainingPolicy.requires_approval(home) is False
    client.post(reverse("training:approvals"), {"approval_required": "on"})
    assert TrainingPolicy.requires_approval(home) is True


def test_the_approval_queue_lists_only_the_own_institution(client, host, staff, django_assert_max_num_queries):
    week = TrainingWeekFactory(host=host)
    services.register_for_week(week=week, person=staff["officer"])
    services.register_for_week(week=week, person=staff["colleague"])
    services.register_for_week(week=week, person=staff["other_officer"])
    signed_in(client, staff["admin"])
    with django_assert_max_num_queries(12):
        text = client.get(reverse("training:approvals")).content.decode()
    assert staff["officer"].full_name in text and staff["other_officer"].full_name not in text


def test_a_person_confirms_an_offer_and_cancels(client, host, staff, home, no_approval):
    no_approval(home)
    week = TrainingWeekFactory(host=host, capacity=1)
    held = services.register_for_week(week=week, person=staff["officer"])
    waiting = services.register_for_week(week=week, person=staff["colleague"])
    signed_in(client, staff["officer"]).post(reverse("training:registration-act", args=[held.pk, "cancel"]))
    page = signed_in(client, staff["colleague"]).get(waiting.get_absolute_url()).content.decode()
    assert "Confirm my seat" in page
    client.post(reverse("training:registration-act", args=[waiting.pk, "confirm"]))
    waiting.refresh_from_db()
    assert waiting.seat.status == "confirmed"


# Check-in


@pytest.fixture
def attended(host, staff, home, organiser, no_approval):
    no_approval(home)
    week = TrainingWeekFactory(host=host, starts_on=timezone.localdate() - datetime.timedelta(days=4),
                               registration_opens_at=timezone.now() - datetime.timedelta(days=30))  # fmt: skip
    registration = services.register_for_week(week=week, person=staff["officer"])
    modules = [ModuleFactory(code="CA-01", title="Labour markets"), ModuleFactory(code="CA-02", title="Mobility")]
    for offset, module in enumerate(modules):
        session = SessionFactory(week=week, day=week.starts_on + datetime.timedelta(days=offset), module=module)
        services.set_attendance(session=session, registration=registration, present=True, by=organiser)
    return registration


def test_the_host_checks_in_from_the_session_list(client, host, organiser, staff, home, no_approval):
    no_approval(home)
    week = TrainingWeekFactory(host=host)
    session = SessionFactory(week=week)
    registration = services.register_for_week(week=week, person=staff["officer"])
    url = reverse("training:checkin-session", args=[week.slug, session.pk])
    page = signed_in(client, organiser).get(url).content.decode()
    assert staff["officer"].full_name in page and 'aria-pressed="false"' in page
    toggle = reverse("training:checkin-toggle", args=[week.slug, session.pk, registration.pk])
    response = client.post(toggle, {"present": "1"})
    assert response.status_code == 302 and response.url == url
    assert Attendance.objects.filter(session=session, registration=registration).exists()
    fragment = client.post(toggle, {"present": "0"}, HTTP_HX_REQUEST="true")
    assert 'aria-pressed="false"' in fragment.content.decode() and "<html" not in fragment.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("role", ["officer", "admin", "other_admin"])
def test_only_the_host_checks_in(client, host, staff, role, attended):
    session = attended.week.sessions.first()
    signed_in(client, staff[role])
    assert client.get(reverse("training:checkin", args=[attended.week.slug])).status_code == 404
    toggle = reverse("training:checkin-toggle", args=[attended.week.slug, session.pk, attended.pk])
    assert client.post(toggle, {"present": "0"}).status_code == 404
    assert Attendance.objects.count() == 2


def test_the_session_list_for_check_in_has_a_fixed_number_of_queries(
    client, host, organiser, home, make_user, no_approval, django_assert_max_num_queries
):
    no_approval(home)
    week = TrainingWeekFactory(host=host)
    session = SessionFactory(week=week)
    for _n in range(8):
        services.register_for_week(week=week, person=make_user(Role.CAREER_OFFICER))
    signed_in(client, organiser)
    with django_assert_max_num_queries(12):
        client.get(reverse("training:checkin-session", args=[week.slug, session.pk]))


# Certificates


def test_the_certificate_names_the_days_and_modules(client, attended, staff):
    page = signed_in(client, staff["officer"]).get(reverse("training:certificate", args=[attended.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert staff["officer"].full_name in text and attended.week.title in text
    assert "Days attended (2):" in text and "CA-01 · Labour markets" in text and "CA-02 · Mobility" in text
    pdf = client.get(reverse("training:certificate-pdf", args=[attended.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_pdf_prints_names_in_any_script(client, attended, staff):
    staff["officer"].full_name = "Łukasz Żółć Ελένη"
    staff["officer"].save()
    pdf = signed_in(client, staff["officer"]).get(reverse("training:certificate-pdf", args=[attended.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_without_dejavu_the_pdf_falls_back_to_a_core_font_with_transliterated_names(
    client, attended, staff, monkeypatch
):
    from consortium import certificates

    monkeypatch.setattr(certificates, "FONT_DIRS", [])
    staff["officer"].full_name = "Łukasz Ελένη"
    staff["officer"].save()
    pdf = signed_in(client, staff["officer"]).get(reverse("training:certificate-pdf", args=[attended.pk]))
    assert pdf.content.startswith(b"%PDF") and b"Helvetica" in pdf.content
    assert certificates.plain("Łukasz Żółć José Ελένη") == "Lukasz Zólc José ?????"


def test_no_certificate_without_attendance(client, host, staff, home, no_approval):
    no_approval(home)
    registration = services.register_for_week(week=TrainingWeekFactory(host=host), person=staff["officer"])
    signed_in(client, staff["officer"])
    assert client.get(reverse("training:certificate", args=[registration.pk])).status_code == 404
    assert client.get(reverse("training:certificate-pdf", args=[registration.pk])).status_code == 404


@pytest.mark.parametrize("role", ["colleague", "admin", "other_admin"])
def test_others_do_not_get_someones_certificate(client, attended, staff, role):
    signed_in(client, staff[role])
    assert client.get(reverse("training:certificate-pdf", args=[attended.pk])).status_code == 404


# Calendars


def test_the_week_calendar_is_rfc_5545_with_an_organizer(client, host, organiser):
    week = TrainingWeekFactory(host=host, contact=organiser)
    session = SessionFactory(week=week, title="Opening", starts_at=datetime.time(9, 30), ends_at=datetime.time(11))
    response = client.get(reverse("training:week-calendar", args=[week.slug]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    assert cal["VERSION"] == "2.0" and cal["PRODID"] == "-//Career Consortium//Training weeks//EN"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {
        f"week-{week.pk}@training.career-consortium",
        f"session-{session.pk}@training.career-consortium",
    }
    opening = events[f"session-{session.pk}@training.career-consortium"]
    start = opening.decoded("DTSTART")
    assert start.tzinfo is not None and str(opening["DTSTART"].params["TZID"]) == "Europe/Madrid"
    assert (start.hour, start.minute) == (9, 30) and opening.decoded("DTEND").hour == 11
    assert "DTSTAMP" in opening and str(opening["SUMMARY"]).startswith("Opening")
    assert str(opening["ORGANIZER"]) == f"mailto:{organiser.email}"
    assert "Aula 3" in str(opening["LOCATION"])
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Madrid"]
    again = Calendar.from_ical(client.get(reverse("training:week-calendar", args=[week.slug])).content)
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(events)  # stable UIDs


def test_my_calendar_has_the_sessions_of_my_confirmed_weeks_only(client, host, staff, home, no_approval):
    no_approval(home)
    mine = TrainingWeekFactory(host=host)
    SessionFactory(week=mine, title="Mine 1")
    SessionFactory(week=mine, title="Mine 2")
    SessionFactory(week=TrainingWeekFactory(host=host), title="Not mine")
    services.register_for_week(week=mine, person=staff["officer"])
    cal = Calendar.from_ical(signed_in(client, staff["officer"]).get(reverse("training:my-calendar")).content)
    summaries = sorted(str(e["SUMMARY"]).split(" · ")[0] for e in cal.walk("VEVENT"))
    assert summaries == ["Mine 1", "Mine 2"]
    client.logout()
    assert client.get(reverse("training:my-calendar")).status_code == 302


# The curriculum and progress


def test_the_curriculum_is_public(client, db):
    ModuleFactory(code="CA-07", title="Advising on mobility", learning_outcomes="- Explain Erasmus+\n- Plan a stay")
    text = client.get(reverse("training:curriculum")).content.decode()
    assert "CA-07" in text and "Explain Erasmus+" in text and "New module" not in text


def test_a_consortium_admin_creates_and_edits_modules(client, staff):
    signed_in(client, staff["consortium_admin"])
    response = client.post(reverse("training:module-create"), {
        "code": "CA-09", "title": "Interviews", "learning_outcomes": "Coach a student", "materials": "[Guide](https://x.example)",
        "position": "9"})  # fmt: skip
    assert response.status_code == 302
    module = Module.objects.get()
    assert 'href="https://x.example"' in module.materials_html
    client.post(reverse("training:module-edit", args=[module.pk]), {
        "code": "CA-09", "title": "Job interviews", "learning_outcomes": "Coach", "position": "9"})  # fmt: skip
    module.refresh_from_db()
    assert module.title == "Job interviews"
    duplicate = client.post(reverse("training:module-create"), {
        "code": "CA-09", "title": "Again", "learning_outcomes": "x", "position": "1"})  # fmt: skip
    assert "Curriculum module with this Code already exists." in duplicate.content.decode()


@pytest.mark.parametrize("role", ["officer", "admin", "student"])
def test_others_do_not_edit_the_curriculum(client, staff, role):
    module = ModuleFactory()
    signed_in(client, staff[role])
    assert client.get(reverse("training:module-create")).status_code == 404
    assert client.post(reverse("training:module-edit", args=[module.pk]), {"code": "X"}).status_code == 404


def test_my_training_shows_progress_across_weeks(client, attended, staff):
    ModuleFactory(code="CA-03")
    ModuleFactory(code="CA-04")
    text = signed_in(client, staff["officer"]).get(reverse("training:mine")).content.decode()
    assert "2 of 4 modules covered" in text and attended.week.title in text


# The survey


def test_the_host_opens_the_survey_and_sees_results(client, attended, organiser, staff):
    week = attended.week
    week.ends_on = timezone.localdate()
    week.save()
    signed_in(client, organiser).post(reverse("training:survey-open", args=[week.slug]))
    survey = services.week_survey(week)
    assert survey is not None
    from consortium.services import surveys as survey_service

    questions = survey.questionnaire.questions.all()
    answers = {q.pk: 5 if q.kind == "likert" else 10 if q.kind == "recommend" else "" for q in questions}
    survey_service.submit_survey_response(survey=survey, user=staff["officer"], answers=answers)
    page = client.get(reverse("training:survey-results", args=[week.slug]))
    assert page.status_code == 200
    assert "1 of 1 participants answered" in page.content.decode() and "<svg" in page.content.decode()
    signed_in(client, staff["officer"])
    assert client.get(reverse("training:survey-results", args=[week.slug])).status_code == 404


def test_the_participants_and_my_training_pages_have_a_fixed_number_of_queries(
    client, host, organiser, home, make_user, no_approval, django_assert_max_num_queries
):
    no_approval(home)
    weeks = [TrainingWeekFactory(host=host, capacity=3) for _n in range(3)]
    person = make_user(Role.CAREER_OFFICER)
    for week in weeks:
        services.register_for_week(week=week, person=person)
        for _n in range(4):
            services.register_for_week(week=week, person=make_user(Role.CAREER_OFFICER))
    ModuleFactory.create_batch(5)
    signed_in(client, organiser)
    with django_assert_max_num_queries(13):
        page = client.get(reverse("training:participants", args=[weeks[0].slug]))
    assert page.content.decode().count("On the waitlist") == 2
    signed_in(client, person)
    with django_assert_max_num_queries(11):
        page = client.get(reverse("training:mine"))
    assert page.content.decode().count("Confirmed") == 3


def test_editing_a_week_changes_its_seats_and_never_writes_its_status(client, host, organiser, home):
    week = TrainingWeekFactory(host=host, slug="madrid-2027", capacity=30)
    response = signed_in(client, organiser).post(
        reverse("training:edit", args=[week.slug]), week_form(capacity="20", **{f"quota_{home.pk}": "5"})
    )
    assert response.status_code == 302
    week.refresh_from_db()
    assert week.status == "published" and week.title == "Madrid week" and week.seat_plan.capacity == 20
    assert list(week.seat_plan.quotas.values_list("seats", flat=True)) == [5]
    TrainingWeek.objects.filter(pk=week.pk).update(status="cancelled")  # committed while the form was open
    week.title = "Madrid week 2027"
    services.save_week(week=week, capacity=20, quotas={home: 5}, by=organiser)
    week.refresh_from_db()
    assert week.status == "cancelled" and week.title == "Madrid week 2027"


# Review fixes: drafts, second clicks, cancelled calendars, the survey comparison


def test_the_hosts_organisers_find_their_drafts_in_the_catalogue(client, host, organiser, staff):
    TrainingWeekFactory(host=host, title="Our draft week", status="draft")
    TrainingWeekFactory(host=InstitutionFactory(), title="Their draft week", status="draft")
    text = signed_in(client, organiser).get(reverse("training:index")).content.decode()
    assert "Your drafts" in text and "Our draft week" in text and "Their draft week" not in text
    for person in (staff["officer"], staff["admin"]):
        text = signed_in(client, person).get(reverse("training:index")).content.decode()
        assert "Your drafts" not in text and "Our draft week" not in text
    client.logout()
    assert "Our draft week" not in client.get(reverse("training:index")).content.decode()


def test_a_second_click_on_approve_says_the_registration_was_decided(client, host, staff):
    registration = services.register_for_week(week=TrainingWeekFactory(host=host), person=staff["officer"])
    url = reverse("training:registration-act", args=[registration.pk, "approve"])
    signed_in(client, staff["admin"]).post(url)
    again = client.post(url, follow=True)
    assert again.status_code == 200 and again.redirect_chain[-1][0] == registration.get_absolute_url()
    assert "no longer awaiting approval: it is approved" in again.content.decode()
    declined = client.post(reverse("training:registration-act", args=[registration.pk, "decline"]))
    assert declined.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "approved"
    # Those who could never decide it still get a 404, visible or not.
    for person in (staff["officer"], staff["other_admin"]):
        assert signed_in(client, person).post(url).status_code == 404


def test_a_cancelled_weeks_sessions_are_cancelled_in_the_calendars(client, host, organiser, staff, home, no_approval):
    no_approval(home)
    week = TrainingWeekFactory(host=host)
    SessionFactory(week=week, title="Opening")
    services.register_for_week(week=week, person=staff["officer"])
    live = Calendar.from_ical(client.get(reverse("training:week-calendar", args=[week.slug])).content)
    assert all("STATUS" not in event for event in live.walk("VEVENT"))
    services.cancel_week(week=week, by=organiser)
    cal = Calendar.from_ical(client.get(reverse("training:week-calendar", args=[week.slug])).content)
    events = cal.walk("VEVENT")
    assert len(events) == 2 and {str(event["STATUS"]) for event in events} == {"CANCELLED"}


def test_the_survey_comparison_shows_the_earlier_editions_that_had_a_survey(client, attended, host, organiser, staff):
    from consortium.services import surveys as survey_service

    week = attended.week
    questionnaire = survey_service.ensure_questionnaire(
        key=services.SURVEY_KEY, title="Training week evaluation", questions=services.SURVEY_QUESTIONS
    )
    now = timezone.now()
    for n in range(1, 7):  # six earlier editions with a survey, a year apart
        earlier = TrainingWeekFactory(
            host=host, title=f"Edition {n}", starts_on=week.starts_on - datetime.timedelta(days=365 * n)
        )
        survey_service.create_survey(
            questionnaire=questionnaire,
            event=earlier,
            title=earlier.title,
            opens_at=now,
            closes_at=now + datetime.timedelta(days=1),
            anonymous=True,
            participants=[staff["officer"]],
            by=None,
        )
    for n in range(6):  # more recent weeks without a survey, and drafts
        recent = week.starts_on - datetime.timedelta(days=n + 1)
        TrainingWeekFactory(host=host, title=f"No survey {n}", starts_on=recent, status=("draft", "published")[n % 2])
    signed_in(client, organiser).post(reverse("training:survey-open", args=[week.slug]))
    page = client.get(reverse("training:survey-results", args=[week.slug]))
    titles = [survey.title for survey in page.context["comparison"]["surveys"]]
    assert titles == ["Edition 5", "Edition 4", "Edition 3", "Edition 2", "Edition 1", week.title]
