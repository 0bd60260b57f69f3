"""A summer school's days are those of the place where it is held: it ends, keeps its follow-up form
open, invites its alumni and deletes the forms by its own calendar, the same for everyone whatever
their own time zone."""

import datetime
import zoneinfo

import pytest
import time_machine

from summerschools.models import Application, Edition, FollowUp
from summerschools.services import alumni, selection

from .alumni_fixtures import took_part
from .factories import EditionFactory

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
LAST_DAY = datetime.date(2027, 7, 16)
# Madrid keeps summer time (UTC+2) in July.
EVE_IN_MADRID = datetime.datetime(2027, 7, 15, 23, 30, tzinfo=MADRID)
LAST_DAY_IN_MADRID = datetime.datetime(2027, 7, 16, 0, 30, tzinfo=MADRID)
LAST_EVENING_IN_MADRID = datetime.datetime(2027, 7, 16, 23, 30, tzinfo=MADRID)
DAY_AFTER_IN_MADRID = datetime.datetime(2027, 7, 17, 0, 30, tzinfo=MADRID)


@pytest.fixture
def madrid(host, home, cast):
    with time_machine.travel(datetime.datetime(2027, 3, 1, 12, tzinfo=MADRID), tick=False):
        school = EditionFactory(
            host=host,
            slug="madrid-lab",
            time_zone="Europe/Madrid",
            starts_on=LAST_DAY - datetime.timedelta(days=9),
            ends_on=LAST_DAY,
            year=2027,
            quotas={home: 2},
            organisers=[cast["host_organiser"]],
        )
    school.co_organisers.set([home])
    return school


def test_the_last_day_begins_at_midnight_where_the_school_is_held(madrid):
    assert madrid.last_day_starts_at == datetime.datetime(2027, 7, 15, 22, 0, tzinfo=datetime.UTC)
    madrid.time_zone = "America/New_York"
    madrid.save(update_fields=["time_zone"])
    madrid.refresh_from_db()
    assert madrid.last_day_starts_at == datetime.datetime(2027, 7, 16, 4, 0, tzinfo=datetime.UTC)
    # Saving other fields from an older copy leaves the last day as it now is.
    older = Edition.objects.get(pk=madrid.pk)
    madrid.ends_on = LAST_DAY + datetime.timedelta(days=1)
    madrid.save(update_fields=["ends_on"])
    older.title = "Madrid Lab, renamed"
    older.save(update_fields=["title"])
    assert Edition.objects.get(pk=madrid.pk).last_day_starts_at == datetime.datetime(
        2027, 7, 17, 4, 0, tzinfo=datetime.UTC
    )


def test_the_school_ends_on_its_own_last_day_whatever_the_time_zone_of_who_asks(client, madrid, cast):
    student, organiser = cast["student"], cast["host_organiser"]
    # Already the last day in Tokyo while it is still the eve in Madrid, and the reverse in New York.
    student.time_zone, organiser.time_zone = "Asia/Tokyo", "America/New_York"
    student.save(update_fields=["time_zone"])
    organiser.save(update_fields=["time_zone"])
    application = took_part(madrid, student, completed=True)
    certificate = f"/summer-schools/certificates/{application.pk}/"

    with time_machine.travel(EVE_IN_MADRID, tick=False):
        assert not madrid.has_ended()
        assert not Application.objects.participated().exists()
        client.force_login(student)
        assert client.get(certificate).status_code == 404
        client.force_login(organiser)
        page = client.post(
            f"/summer-schools/madrid-lab/participants/{application.pk}/completion/", {"completed": "completed"}
        )
        assert "Completion can be recorded from the school&#x27;s last day on." in client.get(page.url).text

    with time_machine.travel(LAST_DAY_IN_MADRID, tick=False):
        assert madrid.has_ended()
        assert list(Application.objects.participated()) == [application]
        client.logout()  # an hour on, the organiser's staff session has gone idle
        client.force_login(organiser)
        page = client.post(
            f"/summer-schools/madrid-lab/participants/{application.pk}/completion/", {"completed": "completed"}
        )
        assert "Completion recorded for Sara Student." in client.get(page.url).text
        client.force_login(student)
        assert client.get(certificate).status_code == 200


def test_the_follow_up_form_stays_open_until_the_last_day_is_over_where_the_school_is(client, madrid, cast):
    student = cast["student"]
    student.time_zone = "Asia/Tokyo"  # already the next day there, both times
    student.save(update_fields=["time_zone"])
    application = took_part(madrid, student)

    with time_machine.travel(LAST_EVENING_IN_MADRID, tick=False):
        client.force_login(student)
        assert "Before you come" in client.get(application.get_absolute_url()).text
    with time_machine.travel(DAY_AFTER_IN_MADRID, tick=False):
        client.force_login(student)
        assert "Before you come" not in client.get(application.get_absolute_url()).text


def test_alumni_are_invited_once_the_last_day_is_over_where_the_school_is(madrid, cast):
    took_part(madrid, cast["student"])
    with time_machine.travel(LAST_EVENING_IN_MADRID, tick=False):
        assert alumni.invite_alumni() == 0
    with time_machine.travel(DAY_AFTER_IN_MADRID, tick=False):
        assert alumni.invite_alumni() == 1
    # A run missed for nearly a week still catches up; a week after the last day it no longer looks back.
    with time_machine.travel(DAY_AFTER_IN_MADRID + datetime.timedelta(days=6, hours=23), tick=False):
        took_part(madrid, cast["classmate"])
        assert alumni.invite_alumni() == 1
    with time_machine.travel(DAY_AFTER_IN_MADRID + datetime.timedelta(days=7), tick=False):
        took_part(madrid, cast["other_student"])
        assert alumni.invite_alumni() == 0


def test_follow_up_forms_are_deleted_thirty_days_after_the_last_day_where_the_school_is(madrid, cast):
    application = took_part(madrid, cast["student"])
    FollowUp.objects.create(
        application=application,
        arrival=LAST_DAY_IN_MADRID - datetime.timedelta(days=10),
        emergency_contact="Ana, +34 600",
    )
    thirty_days_on = LAST_DAY_IN_MADRID + datetime.timedelta(days=30)

    with time_machine.travel(thirty_days_on - datetime.timedelta(hours=1), tick=False):
        assert selection.delete_old_follow_ups() == 0
    with time_machine.travel(thirty_days_on, tick=False):
        assert selection.delete_old_follow_ups() == 1
    assert not FollowUp.objects.exists()
