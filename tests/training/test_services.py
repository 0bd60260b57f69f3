"""Registrations, seats and the waitlist, check-in, the survey: the services' rules."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consortium.models import Notification, Role, Seat, SeatPlan, Survey, SurveyParticipant
from consortium.services import seats as seat_service
from consortium.services import surveys as survey_service
from consortium.tasks import expire_seat_offers
from tests.factories import UserFactory
from training import services
from training.models import Attendance, Registration, Session, TrainingWeek
from training.privacy import erase_training_data, export_training_data

from .factories import SessionFactory, TrainingWeekFactory


def kinds(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


# Registering and approval


def test_registration_waits_for_the_partner_admins_approval(host, staff, home, django_capture_on_commit_callbacks):
    week = TrainingWeekFactory(host=host)
    registration = services.register_for_week(week=week, person=staff["officer"], motivation="Spanish SMEs")
    assert registration.status == "pending" and registration.seat is None
    assert registration.institution == home
    assert kinds(staff["admin"]) == ["training.approval_needed"]
    assert kinds(staff["other_admin"]) == []

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_registration(registration=registration, by=staff["admin"])
    registration.refresh_from_db()
    assert registration.status == "approved" and registration.seat.status == "confirmed"
    assert registration.decided_by == staff["admin"]
    assert kinds(staff["officer"]) == ["training.registration_status"]
    assert "is confirmed" in Notification.objects.get(recipient=staff["officer"]).title


def test_without_approval_the_registration_takes_a_seat_at_once(host, staff, home, no_approval):
    no_approval(home)
    week = TrainingWeekFactory(host=host)
    registration = services.register_for_week(week=week, person=staff["officer"])
    assert registration.status == "approved" and registration.seat.status == "confirmed"
    assert kinds(staff["admin"]) == []


def test_a_full_quota_puts_the_registration_on_the_waitlist_in_order(
    host, staff, home, no_approval, django_capture_on_commit_callbacks
):
    no_approval(home)
    week = TrainingWeekFactory(host=host, capacity=10, quotas={home: 1})
    first = services.register_for_week(week=week, person=staff["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        second = services.register_for_week(week=week, person=staff["colleague"])
    third = services.register_for_week(week=week, person=staff["academic"])
    assert [r.seat.status for r in (first, second, third)] == ["confirmed", "waitlisted", "waitlisted"]
    assert seat_service.waitlist_position(second.seat) == 1
    assert seat_service.waitlist_position(third.seat) == 2
    assert "waitlist" in Notification.objects.filter(recipient=staff["colleague"]).get().title


def test_the_partner_admin_declines(host, staff):
    week = TrainingWeekFactory(host=host)
    registration = services.register_for_week(week=week, person=staff["officer"])
    services.decline_registration(registration=registration, by=staff["admin"])
    registration.refresh_from_db()
    assert registration.status == "declined" and registration.seat is None
    assert "declined" in Notification.objects.get(recipient=staff["officer"]).title


@pytest.mark.parametrize("approver", ["other_admin", "colleague", "consortium_admin", "officer"])
def test_only_the_own_institutions_partner_admin_approves(host, staff, approver):
    week = TrainingWeekFactory(host=host)
    registration = services.register_for_week(week=week, person=staff["officer"])
    with pytest.raises(PermissionDenied):
        services.approve_registration(registration=registration, by=staff[approver])
    registration.refresh_from_db()
    assert registration.status == "pending"


@pytest.mark.parametrize("role", ["student", "consortium_admin"])
def test_students_and_consortium_admins_do_not_register(host, staff, role):
    week = TrainingWeekFactory(host=host)
    with pytest.raises(PermissionDenied):
        services.register_for_week(week=week, person=staff[role])
    assert not Registration.objects.exists()


def test_partner_admin_turns_approval_off_for_their_own_institution_only(staff, home, other):
    services.set_training_policy(institution=home, approval_required=False, by=staff["admin"])
    with pytest.raises(PermissionDenied):
        services.set_training_policy(institution=other, approval_required=False, by=staff["admin"])
    with pytest.raises(PermissionDenied):
        services.set_training_policy(institution=home, approval_required=False, by=staff["officer"])
    from training.models import TrainingPolicy

    assert TrainingPolicy.requires_approval(home) is False
    assert TrainingPolicy.requires_approval(other) is True


# Bad input


def test_registering_before_the_window_opens_is_refused(host, staff):
    week = TrainingWeekFactory(host=host, registration_opens_at=timezone.now() + datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as error:
        services.register_for_week(week=week, person=staff["officer"])
    assert "Registration for this week opens on" in error.value.message_dict["week"][0]
    assert not Registration.objects.exists()


def test_registering_after_the_window_closed_is_refused(host, staff):
    week = TrainingWeekFactory(host=host)
    with (
        time_machine.travel(week.registration_closes_at + datetime.timedelta(minutes=1)),
        pytest.raises(ValidationError) as error,
    ):
        services.register_for_week(week=week, person=staff["officer"])
    assert error.value.message_dict == {"week": ["Registration for this week has closed."]}
    assert not Registration.objects.exists()


def test_registering_twice_is_refused(host, staff):
    week = TrainingWeekFactory(host=host)
    services.register_for_week(week=week, person=staff["officer"])
    with pytest.raises(ValidationError) as error:
        services.register_for_week(week=week, person=staff["officer"])
    assert error.value.message_dict == {"person": ["You are already registered for this week."]}
    assert Registration.objects.count() == 1


def test_a_full_quota_without_a_waitlist_is_refused_and_nothing_saved(host, staff, home, no_approval):
    no_approval(home)
    week = TrainingWeekFactory(host=host, capacity=10, quotas={home: 1}, waitlist=False)
    services.register_for_week(week=week, person=staff["officer"])
    with pytest.raises(ValidationError) as error:
        services.register_for_week(week=week, person=staff["colleague"])
    assert error.value.message_dict == {
        "week": ["There are no seats left for your institution, and this week keeps no waitlist."]
    }
    assert Registration.objects.count() == 1 and Seat.objects.count() == 1


def test_approving_into_a_full_quota_without_a_waitlist_keeps_the_registration_pending(host, staff, home):
    week = TrainingWeekFactory(host=host, capacity=10, quotas={home: 1}, waitlist=False)
    first = services.register_for_week(week=week, person=staff["officer"])
    second = services.register_for_week(week=week, person=staff["colleague"])
    services.approve_registration(registration=first, by=staff["admin"])
    with pytest.raises(ValidationError) as error:
        services.approve_registration(registration=second, by=staff["admin"])
    assert "quota are taken" in error.value.message_dict["week"][0]
    second.refresh_from_db()
    assert second.status == "pending" and second.seat is None and second.decided_by is None


def test_a_session_outside_the_weeks_dates_is_refused(host, organiser):
    week = TrainingWeekFactory(host=host)
    session = Session(week=week, day=week.ends_on + datetime.timedelta(days=1), title="Farewell",
                      starts_at=datetime.time(18), ends_at=datetime.time(20))  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.save_session(session=session, by=organiser)
    assert error.value.message_dict["day"] == [
        f"The day must be within the week, from {week.starts_on.isoformat()} to {week.ends_on.isoformat()}."
    ]
    assert not Session.objects.exists()


def test_a_quota_sum_above_the_capacity_is_refused_and_nothing_saved(host, organiser, home, other):
    week = TrainingWeekFactory.build(host=host, seat_plan=None)
    with pytest.raises(ValidationError) as error:
        services.save_week(week=week, capacity=10, quotas={home: 6, other: 6}, by=organiser)
    assert error.value.message_dict == {"quotas": ["The quotas add up to 12 seats, more than the capacity of 10."]}
    assert not TrainingWeek.objects.exists() and not SeatPlan.objects.exists()


def test_a_week_ending_before_it_starts_is_refused(host, organiser):
    week = TrainingWeekFactory.build(host=host, seat_plan=None)
    week.ends_on = week.starts_on - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.save_week(week=week, capacity=10, by=organiser)
    assert error.value.message_dict == {"ends_on": ["The last day cannot be before the first day."]}
    assert not SeatPlan.objects.exists()


def test_only_the_hosts_organisers_create_and_edit_weeks(host, staff, organiser):
    week = TrainingWeekFactory.build(host=host, seat_plan=None)
    with pytest.raises(PermissionDenied):
        services.save_week(week=week, capacity=10, by=staff["officer"])
    saved = services.save_week(week=week, capacity=10, quotas={}, by=organiser)
    assert saved.seat_plan.capacity == 10 and saved.seat_plan.kind == "training.week"
    assert saved.description_html == "<p>Five days on the <strong>Spanish</strong> labour market.</p>"
    with pytest.raises(PermissionDenied):
        services.save_week(week=saved, capacity=12, by=staff["admin"])


# The waitlist: cancel, offer, expiry


def test_cancelling_offers_the_seat_to_the_first_in_line_and_the_offer_expires_after_48_hours(
    host, staff, home, no_approval, django_capture_on_commit_callbacks
):
    no_approval(home)
    week = TrainingWeekFactory(host=host, capacity=10, quotas={home: 1})
    holder = services.register_for_week(week=week, person=staff["officer"])
    first = services.register_for_week(week=week, person=staff["colleague"])
    second = services.register_for_week(week=week, person=staff["academic"])

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(registration=holder, by=staff["officer"])
    holder.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert holder.status == "cancelled" and holder.seat.status == "cancelled"
    assert first.seat.status == "offered" and second.seat.status == "waitlisted"
    assert "training.seat_offered" in kinds(staff["colleague"])

    # The core's beat task, every five minutes.
    with time_machine.travel(first.seat.offer_expires_at - datetime.timedelta(minutes=1)):
        assert expire_seat_offers() == 0
    with time_machine.travel(first.seat.offered_at + datetime.timedelta(hours=48, minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert expire_seat_offers() == 1
        assert expire_seat_offers() == 0  # a second run changes nothing
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.seat.status == "expired" and second.seat.status == "offered"
    assert "training.offer_expired" in kinds(staff["colleague"])
    assert "training.seat_offered" in kinds(staff["academic"])

    services.confirm_offer(registration=second, by=staff["academic"])
    second.refresh_from_db()
    assert second.seat.status == "confirmed"


def test_an_expired_offer_cannot_be_confirmed(host, staff, home, no_approval):
    no_approval(home)
    week = TrainingWeekFactory(host=host, capacity=1)
    holder = services.register_for_week(week=week, person=staff["officer"])
    waiting = services.register_for_week(week=week, person=staff["colleague"])
    services.cancel_registration(registration=holder, by=staff["officer"])
    waiting.refresh_from_db()
    with (
        time_machine.travel(waiting.seat.offer_expires_at + datetime.timedelta(minutes=1)),
        pytest.raises(ValidationError) as error,
    ):
        services.confirm_offer(registration=waiting, by=staff["colleague"])
    assert error.value.messages == ["The offer expired; the seat has passed to the next person in line."]
    with pytest.raises(PermissionDenied):
        services.confirm_offer(registration=waiting, by=staff["officer"])


def test_cancelling_twice_changes_nothing(host, staff, home, no_approval):
    no_approval(home)
    week = TrainingWeekFactory(host=host)
    registration = services.register_for_week(week=week, person=staff["officer"])
    services.cancel_registration(registration=registration, by=staff["officer"])
    services.cancel_registration(registration=registration, by=staff["officer"])
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    # Registering again after cancelling is a fresh start.
    again = services.register_for_week(week=week, person=staff["officer"])
    assert again.seat.status == "confirmed"


def test_a_partner_admin_cancels_for_their_staff_and_the_person_is_told(host, staff, home, no_approval):
    no_approval(home)
    week = TrainingWeekFactory(host=host)
    registration = services.register_for_week(week=week, person=staff["officer"])
    with pytest.raises(PermissionDenied):
        services.cancel_registration(registration=registration, by=staff["other_admin"])
    services.cancel_registration(registration=registration, by=staff["admin"])
    assert "was cancelled" in Notification.objects.filter(recipient=staff["officer"]).latest("pk").title


def test_cancelling_the_week_cancels_every_registration(host, staff, home, organiser, no_approval):
    no_approval(home)
    week = TrainingWeekFactory(host=host, capacity=1)
    held = services.register_for_week(week=week, person=staff["officer"])
    waiting = services.register_for_week(week=week, person=staff["colleague"])
    services.cancel_week(week=week, by=organiser)
    assert set(Registration.objects.values_list("status", flat=True)) == {"cancelled"}
    assert set(Seat.objects.values_list("status", flat=True)) == {"cancelled"}
    assert "training.week_cancelled" in kinds(held.person) and "training.week_cancelled" in kinds(waiting.person)


# Check-in and the survey


@pytest.fixture
def confirmed(host, staff, home, no_approval):
    no_approval(home)
    week = TrainingWeekFactory(host=host, starts_on=timezone.localdate() - datetime.timedelta(days=4),
                               ends_on=timezone.localdate(),
                               registration_opens_at=timezone.now() - datetime.timedelta(days=30))  # fmt: skip
    return services.register_for_week(week=week, person=staff["officer"])


def test_the_host_checks_in_confirmed_participants_only(confirmed, organiser, staff):
    session = SessionFactory(week=confirmed.week)
    assert services.set_attendance(session=session, registration=confirmed, present=True, by=organiser)
    services.set_attendance(session=session, registration=confirmed, present=True, by=organiser)
    assert Attendance.objects.count() == 1
    services.set_attendance(session=session, registration=confirmed, present=False, by=organiser)
    assert Attendance.objects.count() == 0
    with pytest.raises(PermissionDenied):
        services.set_attendance(session=session, registration=confirmed, present=True, by=staff["officer"])
    pending = Registration.objects.create(week=confirmed.week, person=staff["other_officer"],
                                          institution=staff["other_officer"].institution)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.set_attendance(session=session, registration=pending, present=True, by=organiser)
    assert error.value.message_dict == {"registration": ["Only confirmed participants of this week can be checked in."]}


def test_the_survey_opens_on_the_last_day_for_confirmed_participants(confirmed, organiser, staff):
    week = confirmed.week
    with time_machine.travel(datetime.datetime.combine(week.ends_on - datetime.timedelta(days=1),
                                                       datetime.time(12), datetime.UTC)):  # fmt: skip
        with pytest.raises(ValidationError) as error:
            services.open_survey(week=week, by=organiser)
        assert error.value.messages == ["The evaluation survey opens on the week's last day at the earliest."]
    with pytest.raises(PermissionDenied):
        services.open_survey(week=week, by=staff["admin"])
    survey = services.open_survey(week=week, by=organiser)
    assert survey.anonymous and survey.questionnaire.key == "training-week"
    assert list(SurveyParticipant.objects.values_list("user", flat=True)) == [staff["officer"].pk]
    assert "survey.invitation" in kinds(staff["officer"])
    with pytest.raises(ValidationError):
        services.open_survey(week=week, by=organiser)
    assert Survey.objects.count() == 1


def test_the_last_day_is_the_weeks_own_day_where_it_takes_place(confirmed, organiser):
    week = confirmed.week  # in Madrid: at 23:30 UTC on the day before its last, Madrid is on the last day
    evening = datetime.datetime.combine(week.ends_on - datetime.timedelta(days=1), datetime.time(23, 30), datetime.UTC)
    with time_machine.travel(evening):
        assert services.open_survey(week=week, by=organiser).questionnaire.key == "training-week"


def test_a_survey_answered_twice_or_after_closing_is_refused(confirmed, organiser, staff, make_user, home):
    survey = services.open_survey(week=confirmed.week, by=organiser)
    questions = list(survey.questionnaire.questions.all())
    answers = {q.pk: (4 if q.kind == "likert" else 9 if q.kind == "recommend" else "More visits") for q in questions}
    survey_service.submit_survey_response(survey=survey, user=staff["officer"], answers=answers)
    with pytest.raises(ValidationError) as error:
        survey_service.submit_survey_response(survey=survey, user=staff["officer"], answers=answers)
    assert error.value.messages == ["You have answered this survey already. Thank you!"]

    late = UserFactory(roles=[Role.CAREER_OFFICER], institution=home)
    survey_service.add_survey_participants(survey=survey, users=[late])
    with time_machine.travel(survey.closes_at + datetime.timedelta(minutes=1)), pytest.raises(ValidationError) as error:
        survey_service.submit_survey_response(survey=survey, user=late, answers=answers)
    assert error.value.messages == ["This survey is closed."]
    assert survey.responses.count() == 1


# Privacy


def test_erasing_a_person_frees_their_seat_for_the_next_in_line(host, staff, home, no_approval):
    no_approval(home)
    week = TrainingWeekFactory(host=host, capacity=1)
    held = services.register_for_week(week=week, person=staff["officer"])
    waiting = services.register_for_week(week=week, person=staff["colleague"])
    SessionFactory(week=week)
    exported = export_training_data(staff["officer"])
    assert exported["registrations"][0]["week"] == week.title and exported["registrations"][0]["seat"] == "confirmed"
    erase_training_data(staff["officer"])
    assert not Registration.objects.filter(person=staff["officer"]).exists()
    held.seat.refresh_from_db()
    waiting.seat.refresh_from_db()
    assert held.seat.status == "cancelled" and waiting.seat.status == "offered"


# Once the week is over


def after(week, days=1):
    """Noon UTC a number of days after the week's last day."""
    day = week.ends_on + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(12), datetime.UTC)


def test_approval_is_refused_once_the_week_has_ended(host, staff):
    week = TrainingWeekFactory(host=host)
    registration = services.register_for_week(week=week, person=staff["officer"])
    with time_machine.travel(after(week), tick=False), pytest.raises(ValidationError, match="This week has ended"):
        services.approve_registration(registration=registration, by=staff["admin"])
    registration.refresh_from_db()
    assert registration.status == "pending" and registration.seat is None


def test_approval_after_registration_closed_is_allowed_until_the_week_ends(host, staff):
    week = TrainingWeekFactory(host=host)
    registration = services.register_for_week(week=week, person=staff["officer"])
    # The registration arrived in time: a slow partner admin may still approve it during the week.
    with time_machine.travel(after(week, days=-1), tick=False):
        assert timezone.now() > week.registration_closes_at
        services.approve_registration(registration=registration, by=staff["admin"])
    registration.refresh_from_db()
    assert registration.seat.status == "confirmed"


@pytest.fixture
def full_week(host, staff, home, no_approval):
    """One seat: the officer holds it, the colleague waits for it."""
    no_approval(home)
    week = TrainingWeekFactory(host=host, capacity=1)
    held = services.register_for_week(week=week, person=staff["officer"])
    waiting = services.register_for_week(week=week, person=staff["colleague"])
    assert waiting.seat.status == "waitlisted"
    return week, held, waiting


def test_cancelling_after_the_week_ended_offers_the_seat_to_nobody(full_week, staff):
    week, held, waiting = full_week
    with time_machine.travel(after(week), tick=False):
        services.cancel_registration(registration=held, by=staff["officer"])
    held.seat.refresh_from_db()
    waiting.seat.refresh_from_db()
    assert held.seat.status == "cancelled" and waiting.seat.status == "waitlisted"
    assert "training.seat_offered" not in kinds(staff["colleague"])


def test_cancelling_on_the_last_day_still_offers_the_seat(full_week, staff):
    week, held, waiting = full_week
    with time_machine.travel(after(week, days=0), tick=False):
        services.cancel_registration(registration=held, by=staff["officer"])
    waiting.seat.refresh_from_db()
    assert waiting.seat.status == "offered"


def test_erasing_a_person_after_the_week_ended_offers_their_seat_to_nobody(full_week, staff):
    week, held, waiting = full_week
    with time_machine.travel(after(week), tick=False):
        erase_training_data(staff["officer"])
    waiting.seat.refresh_from_db()
    assert waiting.seat.status == "waitlisted"
    assert "training.seat_offered" not in kinds(staff["colleague"])


def test_cancelling_the_week_offers_no_seat_to_anyone_in_line(full_week, organiser, staff):
    week, held, waiting = full_week
    services.cancel_week(week=week, by=organiser)
    waiting.seat.refresh_from_db()
    assert waiting.seat.status == "cancelled" and waiting.seat.offered_at is None
    assert "training.seat_offered" not in kinds(staff["colleague"])


def test_a_declined_person_cannot_register_again_for_the_week(host, staff):
    week = TrainingWeekFactory(host=host)
    registration = services.register_for_week(week=week, person=staff["officer"])
    services.decline_registration(registration=registration, by=staff["admin"])
    with pytest.raises(ValidationError, match="declined your registration") as error:
        services.register_for_week(week=week, person=staff["officer"])
    assert "person" in error.value.message_dict
    assert Registration.objects.filter(person=staff["officer"]).count() == 1
    assert "declined" in services.registration_refusal(week, staff["officer"])
    # Another week is not affected.
    services.register_for_week(week=TrainingWeekFactory(host=host), person=staff["officer"])
