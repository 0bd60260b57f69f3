"""The alumni directory: who may join, who sees it, who appears in it (only those who opted in)."""

import datetime

import pytest
from django.utils import timezone

from consortium.models import Role
from consortium.services.privacy import erase_account, export_personal_data
from summerschools.models import AlumniProfile
from summerschools.services import alumni
from tests.factories import InstitutionFactory

from .alumni_fixtures import past_edition, past_fixture, took_part  # noqa: F401 - past_fixture is a fixture
from .factories import ApplicationFactory, EditionFactory


def join(client, user, **data):
    client.force_login(user)
    return client.post("/summer-schools/alumni/join/", {"current_role": "Founder", **data})


def test_a_participant_of_an_ended_edition_joins(client, past, cast):
    response = join(client, cast["student"], organisation="Circular Co", country="PT", website="https://c.example")
    assert response.status_code == 302 and response.url == "/summer-schools/alumni/"
    profile = AlumniProfile.objects.get(user=cast["student"])
    assert (profile.current_role, profile.organisation, profile.country.code) == ("Founder", "Circular Co", "PT")
    assert client.get("/summer-schools/alumni/join/").url == "/summer-schools/alumni/profile/"


@pytest.mark.parametrize(
    "why",
    ["not_ended", "not_completed", "waitlisted", "never_applied"],
)
def test_who_may_not_join(client, host, cast, edition, why):
    student = cast["classmate"]
    if why == "not_ended":
        took_part(edition, student)
    elif why == "not_completed":
        took_part(past_edition(host), student, completed=False)
    elif why == "waitlisted":
        ApplicationFactory(edition=past_edition(host), student=student, status="waitlisted")
    response = join(client, student)
    assert response.status_code == 403
    assert not AlumniProfile.objects.exists()


def test_a_recorded_completion_lets_one_join(client, host, cast):
    took_part(past_edition(host), cast["classmate"], completed=True)
    assert join(client, cast["classmate"]).status_code == 302


def test_the_current_role_is_required_and_the_website_must_be_http(client, past, cast):
    response = join(client, cast["student"], current_role="", website="ftp://files.example")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "current_role": ["This field is required."],
        "website": ["Give a web address starting with http:// or https://."],
    }
    assert not AlumniProfile.objects.exists()


def test_joining_is_refused_by_the_service_too(cast, edition):
    with pytest.raises(Exception, match="not allowed"):
        alumni.join_alumni(user=cast["classmate"], current_role="x")


def test_the_directory_shows_members_only_with_their_editions(client, past, cast, host):
    second = past_edition(host, title="Porto Ventures", slug="porto", year=2024)
    took_part(second, cast["student"])
    join(client, cast["student"], organisation="Circular Co")
    # Took part but did not opt in: never listed.
    client.force_login(cast["host_organiser"])
    response = client.get("/summer-schools/alumni/")
    assert response.status_code == 200
    assert "Sara Student" in response.text and "Circular Co" in response.text
    assert "Lisbon Impact Lab" in response.text and "Porto Ventures" in response.text
    assert "Theo Other" not in response.text


def test_leaving_removes_the_member(client, past, cast):
    join(client, cast["student"])
    response = client.post("/summer-schools/alumni/leave/")
    assert response.status_code == 302
    assert not AlumniProfile.objects.exists()
    client.force_login(cast["host_organiser"])
    assert "Sara Student" not in client.get("/summer-schools/alumni/").text
    client.force_login(cast["student"])
    assert client.get("/summer-schools/alumni/profile/").status_code == 404


def test_editing_ones_profile(client, past, cast):
    join(client, cast["student"])
    response = client.post("/summer-schools/alumni/profile/", {"current_role": "CTO", "city": "Porto"})
    assert response.status_code == 302
    profile = AlumniProfile.objects.get(user=cast["student"])
    assert (profile.current_role, profile.city) == ("CTO", "Porto")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 200),
        ("host_organiser", 200),  # staff of an active member institution
        ("colleague", 200),
        ("consortium_admin", 200),
        ("other_student", 403),  # an alumnus who has not joined: told how to
        ("classmate", 403),
    ],
)
def test_who_sees_the_directory(client, past, cast, who, status):
    join(client, cast["student"])
    user = cast["student"] if who == "member" else cast[who]
    client.force_login(user)
    response = client.get("/summer-schools/alumni/")
    assert response.status_code == status
    if who == "other_student":
        assert "Join the alumni directory" in response.text and "Sara Student" not in response.text


def test_staff_of_an_inactive_institution_do_not_see_it(client, past, cast, make_user):
    former = make_user(Role.CAREER_OFFICER, institution=InstitutionFactory(is_active=False))
    client.force_login(former)
    assert client.get("/summer-schools/alumni/").status_code == 403


def test_the_anonymous_are_sent_to_log_in(client, past):
    response = client.get("/summer-schools/alumni/")
    assert response.status_code == 302 and "/login/" in response.url


def test_filters_and_search(client, past, cast, host, make_user, other):
    join(client, cast["student"], organisation="Circular Co", country="PT")
    join(client, cast["other_student"], current_role="Analyst", organisation="Big Bank", country="IT")
    older = past_edition(host, title="Old school", slug="old-school", year=2023)
    veteran = make_user(Role.STUDENT, full_name="Vera Veteran", institution=other)
    took_part(older, veteran)
    join(client, veteran, current_role="Designer")
    client.force_login(cast["host_organiser"])

    def names(query):
        response = client.get("/summer-schools/alumni/", query)
        assert response.status_code == 200
        return sorted(p.user.full_name for p in response.context["page"])

    assert names({}) == ["Sara Student", "Theo Other", "Vera Veteran"]
    assert names({"edition": "old-school"}) == ["Vera Veteran"]
    assert names({"year": "2023"}) == ["Vera Veteran"]
    assert names({"country": "IT"}) == ["Theo Other"]
    assert names({"institution": other.slug}) == ["Theo Other", "Vera Veteran"]
    assert names({"q": "circular"}) == ["Sara Student"]
    assert names({"q": "analyst"}) == ["Theo Other"]
    assert names({"q": "vera"}) == ["Vera Veteran"]


def test_the_directory_takes_the_same_queries_whatever_its_size(
    client, past, cast, make_user, django_assert_max_num_queries
):
    for n in range(30):
        student = make_user(Role.STUDENT, full_name=f"Student {n:02}")
        took_part(past, student)
        AlumniProfile.objects.create(user=student, current_role="Founder")
    client.force_login(cast["host_organiser"])
    with django_assert_max_num_queries(14):
        response = client.get("/summer-schools/alumni/")
    assert response.status_code == 200 and len(response.context["page"]) == 24


def test_the_application_page_invites_a_past_participant(client, past, cast):
    application = past.applications.get(student=cast["student"])
    client.force_login(cast["student"])
    response = client.get(application.get_absolute_url())
    assert "Join the alumni directory" in response.text
    join(client, cast["student"])
    response = client.get(application.get_absolute_url())
    assert "Join the alumni directory" not in response.text and "You are in the alumni directory." in response.text


def test_no_invitation_before_the_school_ends(client, edition, cast):
    application = took_part(edition, cast["student"])
    client.force_login(cast["student"])
    assert "alumni directory" not in client.get(application.get_absolute_url()).text


def test_export_and_erase_the_alumni_profile(client, past, cast):
    join(client, cast["student"], organisation="Circular Co", country="PT")
    exported = export_personal_data(user=cast["student"])["summerschools"]
    assert exported["alumni_profile"] == {
        "current_role": "Founder",
        "organisation": "Circular Co",
        "city": "",
        "country": "PT",
        "website": "",
    }
    erase_account(user=cast["student"])
    assert not AlumniProfile.objects.exists()


def test_an_edition_slug_cannot_shadow_the_alumni_pages():
    from summerschools.services.selection import RESERVED_SLUGS

    assert {"alumni", "ventures"} <= RESERVED_SLUGS


def test_a_future_edition_is_not_an_alumni_edition(cast, host):
    upcoming = EditionFactory(host=host, starts_on=timezone.localdate() + datetime.timedelta(days=3))
    took_part(upcoming, cast["student"])
    assert not AlumniProfile.objects.exists()
    assert "Lisbon" not in str(list(alumni.directory()))


def test_participants_are_invited_once_when_the_school_ends(host, cast, mailoutbox, django_capture_on_commit_callbacks):
    from consortium.models import Notification
    from summerschools.tasks import invite_alumni

    school = past_edition(
        host,
        title="Just Ended Lab",
        starts_on=timezone.localdate() - datetime.timedelta(days=10),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    application = took_part(school, cast["student"])
    took_part(school, cast["classmate"], completed=False)
    took_part(school, cast["other_student"])
    AlumniProfile.objects.create(user=cast["other_student"], current_role="Already in")
    took_part(past_edition(host, slug="long-ago"), cast["classmate"])  # ended three weeks ago: not again
    with django_capture_on_commit_callbacks(execute=True):
        assert invite_alumni.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert invite_alumni.delay().get() == 0
    notification = Notification.objects.get()
    assert notification.recipient == cast["student"]
    assert notification.title == "Stay in touch after “Just Ended Lab”"
    assert notification.url == application.get_absolute_url()
    assert "Join the alumni directory" in notification.body
    assert mailoutbox == []  # an invitation: students get e-mail only if they asked for it


def test_a_participant_joins_from_the_schools_last_day_as_the_certificate_comes(client, host, cast):
    last_day = past_edition(host, ends_on=timezone.localdate())
    application = took_part(last_day, cast["classmate"], completed=True)
    assert join(client, cast["classmate"]).status_code == 302
    assert client.get(f"/summer-schools/certificates/{application.pk}/").status_code == 200
    assert list(alumni.participants(last_day)) == [cast["classmate"]]
