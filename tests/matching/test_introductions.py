"""Double opt-in introductions, their limits, reminders and expiry; blocking and reporting."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consortium.models import Notification, Role
from matching import services
from matching.models import Intent, Introduction, IntroductionStatus, UserReport

pytestmark = pytest.mark.django_db


def ask(sender, recipient, message="I would love your advice on my payments app."):
    return services.request_introduction(sender=sender, profile=recipient.matching_profile, message=message)


def refusal(call) -> dict | list:
    with pytest.raises(ValidationError) as caught:
        call()
    error = caught.value
    return error.message_dict if hasattr(error, "error_dict") else error.messages


def test_asking_tells_the_recipient_and_accepting_tells_the_sender(mentee, mentor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        introduction = ask(mentee, mentor)
    [email] = mail.outbox
    assert email.to == [mentor.email] and email.subject.endswith("Camille Martin asks to be introduced to you")
    assert "payments app" in email.body and mentee.email not in email.body + email.subject
    assert introduction.status == IntroductionStatus.PENDING
    assert abs(introduction.expires_at - introduction.created_at - datetime.timedelta(days=14)) < datetime.timedelta(
        seconds=1
    )
    note = Notification.objects.get(recipient=mentor, kind="matching.introduction_requested")
    assert "Camille Martin" in note.title and "payments app" in note.body
    assert mentee.email not in note.title + note.body
    services.accept_introduction(introduction=introduction, by=mentor)
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.ACCEPTED and introduction.responded_at
    assert Notification.objects.filter(recipient=mentee, kind="matching.introduction_accepted").exists()


def test_only_the_person_asked_answers_and_only_once(mentee, mentor):
    introduction = ask(mentee, mentor)
    with pytest.raises(PermissionDenied):
        services.accept_introduction(introduction=introduction, by=mentee)
    services.decline_introduction(introduction=introduction, by=mentor)
    assert refusal(lambda: services.accept_introduction(introduction=introduction, by=mentor)) == [
        "This request is no longer waiting for an answer."
    ]
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.DECLINED


@pytest.mark.parametrize(
    ("message", "error"),
    [("   ", "Write a short message."), ("x" * 2001, "The message is too long: at most 2000 characters.")],
)
def test_an_empty_or_overlong_message_is_refused(mentee, mentor, message, error):
    assert refusal(lambda: ask(mentee, mentor, message)) == {"message": [error]}
    assert not Introduction.objects.exists()


def test_a_message_of_2000_characters_is_accepted(mentee, mentor):
    assert len(ask(mentee, mentor, "x" * 2000).message) == 2000


def test_an_introduction_to_oneself_is_refused(mentee):
    assert refusal(lambda: ask(mentee, mentee)) == {"profile": ["You cannot ask for an introduction to yourself."]}


def test_an_introduction_to_someone_who_blocked_you_is_refused(mentee, mentor):
    services.block_user(blocker=mentor, blocked=mentee)
    assert refusal(lambda: ask(mentee, mentor)) == {
        "profile": ["Elena Navarro does not accept introductions from you."]
    }
    assert not Introduction.objects.exists()


def test_asking_the_same_person_twice_is_refused(mentee, mentor):
    ask(mentee, mentor)
    assert refusal(lambda: ask(mentee, mentor)) == {
        "profile": ["You and Elena Navarro are already in touch or waiting for an answer."]
    }


def test_the_sixth_pending_request_is_refused(make_user, mentee, profile_of):
    people = []
    for _n in range(6):
        person = make_user(Role.ACADEMIC)
        profile_of(person, offers=[Intent.MENTOR])
        people.append(person)
    for person in people[:5]:
        ask(mentee, person)
    assert refusal(lambda: ask(mentee, people[5])) == [
        "You already have 5 requests waiting for an answer. Wait for an answer, or withdraw one, before asking "
        "someone else."
    ]
    assert Introduction.objects.filter(sender=mentee).count() == 5
    services.withdraw_introduction(introduction=Introduction.objects.filter(sender=mentee).first(), by=mentee)
    assert ask(mentee, people[5]).status == IntroductionStatus.PENDING


def test_a_recipient_at_the_monthly_limit_is_refused(make_user, other, mentor, profile_of):
    profile_of(mentor, offers=[Intent.MENTOR], intros_per_month=1)
    first, second = make_user(Role.STUDENT, institution=other), make_user(Role.STUDENT, institution=other)
    ask(first, mentor)
    assert refusal(lambda: ask(second, mentor)) == [
        "Elena Navarro takes no more introductions this month. Try again next month."
    ]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=32)):
        assert ask(second, mentor).status == IntroductionStatus.PENDING


def test_hidden_profiles_cannot_be_asked(make_user, mentee, profile_of):
    hidden = make_user(Role.ACADEMIC)
    profile_of(hidden, offers=[Intent.MENTOR], visibility="hidden")
    assert refusal(lambda: ask(mentee, hidden)) == {"profile": ["There is no such profile you can ask."]}


def test_the_thread_opens_only_on_acceptance(mentee, mentor):
    introduction = ask(mentee, mentor)
    with pytest.raises(PermissionDenied):
        services.post_introduction_message(introduction=introduction, author=mentee, body="Hi again")
    services.accept_introduction(introduction=introduction, by=mentor)
    message = services.post_introduction_message(introduction=introduction, author=mentee, body="Thank you!")
    assert message.body == "Thank you!"
    assert Notification.objects.filter(recipient=mentor, kind="matching.message").exists()


def test_a_reminder_after_seven_days_and_expiry_after_fourteen_each_once(mentee, mentor):
    introduction = ask(mentee, mentor)
    start = timezone.now()
    with time_machine.travel(start + datetime.timedelta(days=6, hours=23)):
        assert services.remind_and_expire_introductions() == {"reminded": 0, "expired": 0}
    with time_machine.travel(start + datetime.timedelta(days=7, minutes=1)):
        assert services.remind_and_expire_introductions() == {"reminded": 1, "expired": 0}
        assert services.remind_and_expire_introductions() == {"reminded": 0, "expired": 0}
    assert Notification.objects.filter(recipient=mentor, kind="matching.introduction_reminder").count() == 1
    with time_machine.travel(start + datetime.timedelta(days=14, minutes=1)):
        assert services.remind_and_expire_introductions() == {"reminded": 0, "expired": 1}
        assert services.remind_and_expire_introductions() == {"reminded": 0, "expired": 0}
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.EXPIRED
    assert Notification.objects.filter(recipient=mentee, kind="matching.introduction_expired").count() == 1


def test_blocking_declines_their_waiting_request(mentee, mentor):
    introduction = ask(mentee, mentor)
    services.block_user(blocker=mentor, blocked=mentee)
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.DECLINED


def test_a_report_reaches_the_consortium_admins_and_blocks(
    make_user, other, mentee, mentor, django_capture_on_commit_callbacks
):
    admin = make_user(Role.CONSORTIUM_ADMIN, institution=other)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_user(reporter=mentor, reported=mentee, reason="Sent me spam.")
    assert UserReport.objects.get() == report
    note = Notification.objects.get(recipient=admin, kind="matching.user_reported")
    assert "Sent me spam." in note.body
    assert [message.to for message in mail.outbox] == [[admin.email]]
    assert refusal(lambda: ask(mentee, mentor)) == {
        "profile": ["Elena Navarro does not accept introductions from you."]
    }


def test_a_report_needs_a_reason(mentee, mentor):
    assert refusal(lambda: services.report_user(reporter=mentor, reported=mentee, reason=" ")) == {
        "reason": ["Say what happened, so that the consortium's admins can act."]
    }
