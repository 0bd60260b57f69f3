"""A student's summer-school data in the export, and gone (with the CV file, the seat passed on) on erasure."""

import os

from consortium.models import SeatStatus
from consortium.services.privacy import erase_account, export_personal_data
from summerschools.models import Application, ApplicationStatus, Challenge, Review, Team
from summerschools.services import selection
from tests.factories import CompanyFactory

from .factories import ApplicationFactory


def test_export_and_erase_a_students_applications(edition, cast, make_user):
    application = ApplicationFactory(edition=edition, student=cast["student"], motivation="Build a startup.")
    selection.accept_application(application=application, by=cast["organiser"])
    selection.accept_application(
        application=ApplicationFactory(edition=edition, student=cast["classmate"]), by=cast["organiser"]
    )
    waiting = ApplicationFactory(edition=edition, student=make_user("student"))
    selection.waitlist_application(application=waiting, by=cast["organiser"])
    exported = export_personal_data(user=cast["student"])["summerschools"]["applications"]
    assert [(a["edition"], a["status"], a["motivation"]) for a in exported] == [
        ("Madrid Venture Lab", "accepted", "Build a startup.")
    ]
    path = Application.objects.get(pk=application.pk).cv.path
    assert os.path.exists(path)
    erase_account(user=cast["student"])
    assert not Application.objects.filter(student=cast["student"]).exists()
    assert not os.path.exists(path)
    application.seat.refresh_from_db()
    assert application.seat.status == SeatStatus.CANCELLED
    waiting.refresh_from_db()
    assert waiting.status == ApplicationStatus.ACCEPTED and waiting.seat.status == SeatStatus.OFFERED


def test_the_export_names_the_team_and_the_recorded_completion_but_not_reviewers_notes(edition, cast):
    challenge = Challenge.objects.create(edition=edition, company=CompanyFactory(), title="Zero waste")
    team = Team.objects.create(edition=edition, number=2, name="Los Circulares", challenge=challenge)
    application = ApplicationFactory(
        edition=edition, student=cast["student"], status=ApplicationStatus.CONFIRMED, team=team, completed=True
    )
    Review.objects.create(application=application, reviewer=cast["organiser"], comment="Shy in the interview")
    (row,) = export_personal_data(user=cast["student"])["summerschools"]["applications"]
    assert row["team"] == {"name": "Los Circulares", "challenge": "Zero waste"}
    assert row["completed"] is True
    assert "Shy in the interview" not in str(row)
