"""Service levels of the support desk: working days, the reminder at two thirds of the time, the
breach recorded and escalated once; and requests following their people when a liaison officer is
replaced or someone leaves."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consortium import services, tasks
from consortium.celery import app as celery_app
from consortium.models import (
    LiaisonNomination,
    Notification,
    Role,
    SupportBreach,
    SupportCategory,
    SupportMessage,
    SupportRequest,
    SupportStatus,
)
from consortium.services import support
from consortium.services.support_sla import (
    add_working_days,
    check_support_deadlines,
    first_response_due,
    reminder_due_at,
)
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# A Monday morning: three working days in Italy end on Thursday morning; two thirds fall on Wednesday.
MONDAY = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def make_request(*, requester, target, created_at=MONDAY, country=None, **fields):
    """A request as the desk writes it, opened at a chosen moment."""
    country = country or target.country
    request = SupportRequest.objects.create(
        requester=requester,
        requesting_institution=requester.institution,
        target_country=country,
        target_institution=target,
        category=SupportCategory.INTERNSHIPS,
        subject="Internship norms in Lombardy",
        question="How long are curricular internships usually?",
        first_response_due_at=first_response_due(country=country, opened_at=created_at),
        **fields,
    )
    SupportRequest.objects.filter(pk=request.pk).update(created_at=created_at)
    request.refresh_from_db()
    return request


def recipients(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def emails(*people):
    return {person.email for person in people}


@pytest.fixture
def desk(make_user, other):
    """The Italian partner's people, with its liaison officer assigned to the request."""
    liaison = make_user(Role.CAREER_OFFICER, institution=other)
    LiaisonNomination.objects.create(institution=other, officer=liaison)
    return {
        "liaison": liaison,
        "colleague": make_user(Role.CAREER_OFFICER, institution=other),
        "admin": make_user(Role.PARTNER_ADMIN, institution=other),
        "academic": make_user(Role.ACADEMIC, institution=other),
        "student": make_user(Role.STUDENT, institution=other),
        "gone": make_user(Role.CAREER_OFFICER, institution=other, is_active=False),
    }


# Working days


def test_a_friday_afternoon_request_is_due_on_wednesday_afternoon():
    friday = datetime.datetime(2025, 3, 7, 16, 30, tzinfo=UTC)
    assert add_working_days(friday, 3, "DE") == datetime.datetime(2025, 3, 12, 16, 30, tzinfo=UTC)


def test_the_target_countrys_public_holidays_do_not_count(settings):
    settings.SUPPORT_FIRST_RESPONSE_WORKING_DAYS = 3
    friday = datetime.datetime(2025, 12, 5, 10, 0, tzinfo=UTC)
    # 8 December is a holiday in Italy, not in Germany.
    assert first_response_due(country="IT", opened_at=friday) == datetime.datetime(2025, 12, 11, 10, 0, tzinfo=UTC)
    assert first_response_due(country="DE", opened_at=friday) == datetime.datetime(2025, 12, 10, 10, 0, tzinfo=UTC)


def test_the_number_of_working_days_is_a_consortium_setting(settings):
    settings.SUPPORT_FIRST_RESPONSE_WORKING_DAYS = 5
    assert first_response_due(country="IT", opened_at=MONDAY) == MONDAY + datetime.timedelta(days=7)


ROME = zoneinfo.ZoneInfo("Europe/Rome")


def rome(*args):
    return datetime.datetime(*args, tzinfo=ROME)


def test_a_weekend_request_counts_from_the_next_working_day_and_is_due_at_its_end():
    # Friday 15:00 is due on Wednesday 15:00; Saturday 10:00 only when Wednesday ends, not earlier.
    assert add_working_days(rome(2025, 3, 7, 15, 0), 3, "IT") == rome(2025, 3, 12, 15, 0)
    assert add_working_days(rome(2025, 3, 8, 10, 0), 3, "IT") == rome(2025, 3, 12, 23, 59, 59)
    assert add_working_days(rome(2025, 3, 9, 23, 0), 3, "IT") == rome(2025, 3, 12, 23, 59, 59)


def test_a_request_on_a_holiday_counts_from_the_next_working_day():
    # Monday 8 December 2025 is a holiday in Italy and a working day in Germany.
    assert add_working_days(rome(2025, 12, 8, 11, 0), 3, "IT") == rome(2025, 12, 11, 23, 59, 59)
    assert add_working_days(rome(2025, 12, 8, 11, 0), 3, "DE") == rome(2025, 12, 11, 11, 0)


def test_days_are_counted_in_the_target_countrys_local_time():
    # Friday 23:30 UTC is already Saturday in Rome: the request waits for Monday there.
    friday_night = datetime.datetime(2025, 3, 7, 23, 30, tzinfo=UTC)
    assert add_working_days(friday_night, 3, "IT") == rome(2025, 3, 12, 23, 59, 59)
    # In Lisbon, on UTC in winter, it is still Friday.
    lisbon = zoneinfo.ZoneInfo("Europe/Lisbon")
    assert add_working_days(friday_night, 3, "PT") == datetime.datetime(2025, 3, 12, 23, 30, tzinfo=lisbon)
    # Sunday 23:30 UTC is Monday 00:30 in Rome: Monday counts.
    sunday_night = datetime.datetime(2025, 3, 9, 23, 30, tzinfo=UTC)
    assert add_working_days(sunday_night, 3, "IT") == rome(2025, 3, 13, 0, 30)
    # A country without a listed zone counts in UTC.
    assert add_working_days(friday_night, 1, "JP") == datetime.datetime(2025, 3, 10, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("opened", "reminder"),
    [
        # Two of three working days: a Friday-afternoon request is chased on Tuesday, not on Sunday.
        (rome(2025, 3, 7, 15, 0), rome(2025, 3, 11, 15, 0)),
        (rome(2025, 3, 8, 10, 0), rome(2025, 3, 11, 23, 59, 59)),
        (rome(2025, 12, 5, 10, 0), rome(2025, 12, 10, 10, 0)),
    ],
)
def test_the_reminder_falls_at_two_thirds_of_the_working_time(people, desk, other, opened, reminder):
    request = make_request(requester=people["officer"], target=other, created_at=opened, assignee=desk["liaison"])
    assert reminder_due_at(request) == reminder
    assert reminder.weekday() < 5
    assert check_support_deadlines(now=reminder - datetime.timedelta(seconds=1))["reminded"] == 0
    assert check_support_deadlines(now=reminder)["reminded"] == 1


# Reminder


def test_the_assignee_is_reminded_once_at_two_thirds_of_the_time(people, desk, other):
    request = make_request(requester=people["officer"], target=other, assignee=desk["liaison"])
    assert request.first_response_due_at == datetime.datetime(2025, 3, 6, 9, 0, tzinfo=UTC)
    two_thirds = datetime.datetime(2025, 3, 5, 9, 0, tzinfo=UTC)

    assert check_support_deadlines(now=two_thirds - datetime.timedelta(minutes=1)) == {"reminded": 0, "breached": 0}
    assert recipients("support.reminder") == set()

    assert check_support_deadlines(now=two_thirds + datetime.timedelta(minutes=1)) == {"reminded": 1, "breached": 0}
    request.refresh_from_db()
    assert request.reminded_at == two_thirds + datetime.timedelta(minutes=1)
    assert recipients("support.reminder") == emails(desk["liaison"])
    notification = Notification.objects.get(kind="support.reminder")
    assert notification.title == "A first response to “Internship norms in Lombardy” is due soon"
    assert notification.url == request.get_absolute_url()

    assert check_support_deadlines(now=two_thirds + datetime.timedelta(hours=2)) == {"reminded": 0, "breached": 0}
    assert Notification.objects.filter(kind="support.reminder").count() == 1


def test_an_unassigned_request_reminds_the_target_career_officers(people, desk, other):
    make_request(requester=people["officer"], target=other)
    check_support_deadlines(now=datetime.datetime(2025, 3, 5, 12, 0, tzinfo=UTC))
    assert recipients("support.reminder") == emails(desk["liaison"], desk["colleague"], people["other_officer"])


def test_answered_or_resolved_requests_are_not_chased(people, desk, other):
    later = datetime.datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
    make_request(
        requester=people["officer"],
        target=other,
        assignee=desk["liaison"],
        status=SupportStatus.ANSWERED,
        first_response_at=MONDAY + datetime.timedelta(hours=3),
    )
    make_request(requester=people["officer"], target=other, assignee=desk["liaison"], status=SupportStatus.RESOLVED)
    assert check_support_deadlines(now=later) == {"reminded": 0, "breached": 0}
    assert SupportRequest.objects.overdue(later).count() == 0
    assert not SupportBreach.objects.exists()


# Breach


def test_a_breach_is_recorded_once_and_escalated_to_the_targets_career_staff(people, desk, other):
    request = make_request(requester=people["officer"], target=other, assignee=desk["liaison"])
    due = request.first_response_due_at
    assert check_support_deadlines(now=due - datetime.timedelta(minutes=1))["breached"] == 0
    assert list(SupportRequest.objects.overdue(due - datetime.timedelta(minutes=1))) == []

    after = due + datetime.timedelta(minutes=5)
    assert list(SupportRequest.objects.overdue(after)) == [request]
    assert check_support_deadlines(now=after) == {"reminded": 0, "breached": 1}
    breach = SupportBreach.objects.get()
    assert (breach.request, breach.institution, breach.assignee, breach.due_at) == (
        request,
        other,
        desk["liaison"],
        due,
    )
    # Every career officer and the partner admin of the target; not its students or academics,
    # nor anyone at the requesting institution, nor the deactivated.
    assert recipients("support.breach") == emails(
        desk["liaison"], desk["colleague"], desk["admin"], people["other_admin"], people["other_officer"]
    )
    title = Notification.objects.filter(kind="support.breach").first().title
    assert title == "Overdue support request: “Internship norms in Lombardy”"

    assert check_support_deadlines(now=after + datetime.timedelta(hours=1)) == {"reminded": 0, "breached": 0}
    assert SupportBreach.objects.count() == 1
    assert Notification.objects.filter(kind="support.breach").count() == 5


def test_a_breach_in_the_shared_queue_goes_to_every_liaison_and_the_consortium_admins(people, desk, make_user):
    home_liaison = people["officer"]
    LiaisonNomination.objects.create(institution=home_liaison.institution, officer=home_liaison)
    # Asked from a third member: the asking institution's own liaison does not work its request.
    asker = make_user(Role.CAREER_OFFICER, institution=InstitutionFactory(country="FR"))
    request = make_request(requester=asker, target=None, country="PT", in_shared_queue=True)
    check_support_deadlines(now=request.first_response_due_at + datetime.timedelta(minutes=1))
    assert SupportBreach.objects.get().institution is None
    assert recipients("support.breach") == emails(desk["liaison"], home_liaison, people["consortium_admin"])


def test_outside_the_shared_queue_every_request_has_a_target_institution(people, desk, other, make_user):
    """Escalation reads the target institution alone: the desk never leaves a request without one
    unless it waits in the shared queue."""
    InstitutionFactory(country="IT")
    officer = people["officer"]
    opened = {"category": SupportCategory.OTHER, "subject": "Norms", "question": "Which norms?"}
    to_country = support.open_support_request(requester=officer, target_country="IT", **opened)
    to_nobody = support.open_support_request(requester=officer, target_country="PT", **opened)
    assert to_country.target_institution is not None and not to_country.in_shared_queue
    assert to_nobody.target_institution is None and to_nobody.in_shared_queue
    support.claim_support_request(request=to_nobody, by=desk["liaison"])
    assert (to_nobody.target_institution, to_nobody.in_shared_queue) == (other, False)
    orphans = SupportRequest.objects.filter(target_institution__isnull=True, in_shared_queue=False)
    assert not orphans.exists()


def test_the_beat_task_checks_every_quarter_of_an_hour_and_twice_changes_nothing(people, desk, other):
    entry = celery_app.conf.beat_schedule["check-support-deadlines"]
    assert (entry["task"], entry["schedule"]) == ("consortium.tasks.check_support_deadlines", 900)
    assert entry["task"] in celery_app.tasks
    long_ago = datetime.datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
    make_request(requester=people["officer"], target=other, created_at=long_ago, assignee=desk["liaison"])

    assert tasks.check_support_deadlines.delay().get() == {"reminded": 0, "breached": 1}
    assert tasks.check_support_deadlines.delay().get() == {"reminded": 0, "breached": 0}
    assert SupportBreach.objects.count() == 1
    assert Notification.objects.filter(kind="support.breach").count() == 5


def test_the_nightly_task_closes_answered_requests_nobody_reacted_to(people, desk, other):
    entry = celery_app.conf.beat_schedule["close-stale-support-requests"]
    assert entry["task"] == "consortium.tasks.close_stale_support_requests"
    assert entry["task"] in celery_app.tasks
    now = timezone.now()
    answered = {"requester": people["officer"], "target": other, "status": SupportStatus.ANSWERED}
    stale = make_request(
        **answered, created_at=now - datetime.timedelta(days=20), answered_at=now - datetime.timedelta(days=15)
    )
    fresh = make_request(
        **answered, created_at=now - datetime.timedelta(days=3), answered_at=now - datetime.timedelta(days=2)
    )

    assert tasks.close_stale_support_requests.delay().get() == 1
    assert tasks.close_stale_support_requests.delay().get() == 0
    assert SupportRequest.objects.get(pk=stale.pk).status == SupportStatus.CLOSED
    assert SupportRequest.objects.get(pk=fresh.pk).status == SupportStatus.ANSWERED


# Turnover


@pytest.fixture
def handover(people, desk, other, make_user):
    """Requests of the Italian liaison in every state, one of a colleague, and a successor."""
    liaison = desk["liaison"]
    ask = {"requester": people["officer"], "target": other}
    return {
        "open": make_request(**ask, assignee=liaison),
        "claimed": make_request(**ask, assignee=liaison, status=SupportStatus.CLAIMED, claimed_at=MONDAY),
        "answered": make_request(**ask, assignee=liaison, status=SupportStatus.ANSWERED),
        "resolved": make_request(**ask, assignee=liaison, status=SupportStatus.RESOLVED),
        "colleagues": make_request(**ask, assignee=desk["colleague"]),
        "successor": make_user(Role.CAREER_OFFICER, institution=other),
    }


def assignees(handover):
    return {name: SupportRequest.objects.get(pk=r.pk).assignee for name, r in handover.items() if name != "successor"}


def test_a_new_liaison_takes_over_the_previous_ones_open_requests(people, desk, handover, other):
    liaison, successor = desk["liaison"], handover["successor"]
    services.nominate_liaison(institution=other, officer=successor, by=people["other_admin"])

    assert assignees(handover) == {
        "open": successor,
        "claimed": successor,
        "answered": successor,
        "resolved": liaison,  # history stays with who answered it
        "colleagues": desk["colleague"],
    }
    for name in ("open", "claimed", "answered"):
        event = SupportMessage.objects.get(request=handover[name], kind=SupportMessage.Kind.EVENT)
        assert event.body == (
            f"{liaison.full_name} handed this request over to {successor.full_name}: "
            "a new liaison officer was nominated."
        )
    assert not SupportMessage.objects.filter(request=handover["resolved"]).exists()
    assert SupportRequest.objects.get(pk=handover["claimed"].pk).status == SupportStatus.CLAIMED

    handovers = Notification.objects.filter(kind="support.handover")
    assert sorted(handovers.values_list("recipient__email", "title")) == sorted(
        [
            (successor.email, f"{liaison.full_name} handed 3 support requests over to you"),
            (liaison.email, "Your 3 open support requests were handed over"),
        ]
    )


def test_a_deactivated_officers_requests_go_to_the_liaison(people, desk, handover, other):
    colleague = desk["colleague"]
    services.deactivate_user(user=colleague, by=people["other_admin"])
    request = SupportRequest.objects.get(pk=handover["colleagues"].pk)
    assert request.assignee == desk["liaison"]
    assert request.messages.get(kind=SupportMessage.Kind.EVENT).body.endswith(": account deactivated.")
    # The person who left is told nothing any more; the liaison is.
    assert recipients("support.handover") == emails(desk["liaison"])


def test_someone_who_stops_being_a_career_officer_keeps_no_requests(people, desk, handover):
    colleague = desk["colleague"]
    services.set_staff_roles(user=colleague, roles=[Role.ACADEMIC], by=people["other_admin"])
    assert SupportRequest.objects.get(pk=handover["colleagues"].pk).assignee == desk["liaison"]
    assert recipients("support.handover") == emails(desk["liaison"], colleague)


def test_without_a_liaison_the_requests_go_back_to_the_institutions_desk(people, desk, other, make_user):
    LiaisonNomination.objects.filter(institution=other).delete()
    colleague = desk["colleague"]
    claimed = make_request(
        requester=people["officer"], target=other, assignee=colleague, status=SupportStatus.CLAIMED, claimed_at=MONDAY
    )
    answered = make_request(
        requester=people["officer"], target=other, assignee=colleague, status=SupportStatus.ANSWERED, claimed_at=MONDAY
    )
    services.deactivate_user(user=colleague, by=people["other_admin"])
    claimed.refresh_from_db()
    answered.refresh_from_db()
    assert (claimed.assignee, claimed.status, claimed.claimed_at) == (None, SupportStatus.OPEN, None)
    # An answered request waits for the requester as before; only its holder is gone.
    assert (answered.assignee, answered.status, answered.claimed_at) == (None, SupportStatus.ANSWERED, MONDAY)
    assert "waits for someone to claim it" in claimed.messages.get(kind=SupportMessage.Kind.EVENT).body
    assert not SupportRequest.objects.filter(assignee=colleague).exists()


def test_an_erased_account_keeps_no_requests(people, desk, handover):
    services.erase_account(user=desk["colleague"])
    assert SupportRequest.objects.get(pk=handover["colleagues"].pk).assignee == desk["liaison"]


def test_a_failed_nomination_moves_nothing(people, desk, handover, other):
    with pytest.raises(ValidationError):
        services.nominate_liaison(institution=other, officer=desk["gone"], by=people["other_admin"])
    assert assignees(handover)["open"] == desk["liaison"]
    assert not SupportMessage.objects.exists()


def test_a_partner_admin_who_no_longer_works_the_desk_keeps_no_requests(people, desk, other):
    admin = desk["admin"]
    claimed = make_request(
        requester=people["officer"], target=other, assignee=admin, status=SupportStatus.CLAIMED, claimed_at=MONDAY
    )
    services.set_staff_roles(user=admin, roles=[Role.ACADEMIC], by=people["other_admin"])
    claimed.refresh_from_db()
    assert claimed.assignee == desk["liaison"]
    assert claimed.messages.get(kind=SupportMessage.Kind.EVENT).body.endswith(": no longer works the support desk.")


def test_someone_who_keeps_one_desk_role_keeps_their_requests(people, desk, other):
    colleague = desk["colleague"]
    request = make_request(requester=people["officer"], target=other, assignee=colleague)
    services.set_staff_roles(user=colleague, roles=[Role.PARTNER_ADMIN], by=people["other_admin"])
    request.refresh_from_db()
    assert request.assignee == colleague
    assert not SupportMessage.objects.exists()


def test_a_first_liaison_takes_the_requests_nobody_holds(people, desk, other, make_user):
    LiaisonNomination.objects.filter(institution=other).delete()
    ask = {"requester": people["officer"], "target": other}
    waiting = [
        make_request(**ask),
        make_request(**ask, status=SupportStatus.REOPENED),
        make_request(**ask, status=SupportStatus.CLAIMED),
    ]
    untouched = [
        make_request(**ask, assignee=desk["colleague"]),
        make_request(**ask, status=SupportStatus.ANSWERED),
        make_request(**ask, status=SupportStatus.RESOLVED),
        make_request(requester=people["officer"], target=InstitutionFactory(country="IT")),
        make_request(requester=people["officer"], target=None, country="PT", in_shared_queue=True),
    ]
    successor = desk["liaison"]
    services.nominate_liaison(institution=other, officer=successor, by=people["other_admin"])

    for request in waiting:
        request.refresh_from_db()
        assert request.assignee == successor
        event = request.messages.get(kind=SupportMessage.Kind.EVENT)
        assert event.body == f"Sent to {successor.full_name}, the new liaison officer of {other.name}."
    assert [SupportRequest.objects.get(pk=r.pk).assignee for r in untouched] == [desk["colleague"], *[None] * 4]
    assert Notification.objects.filter(kind="support.received", recipient=successor).count() == 3

    # A later nomination finds nothing waiting: the requests follow the liaison, as a handover.
    services.nominate_liaison(institution=other, officer=desk["colleague"], by=people["other_admin"])
    assert {SupportRequest.objects.get(pk=r.pk).assignee for r in waiting} == {desk["colleague"]}
    assert Notification.objects.filter(kind="support.received").count() == 3


def test_a_new_liaison_after_a_previous_one_also_takes_the_unassigned_requests(people, desk, handover, other):
    unassigned = make_request(requester=people["officer"], target=other)
    services.nominate_liaison(institution=other, officer=handover["successor"], by=people["other_admin"])
    assert SupportRequest.objects.get(pk=unassigned.pk).assignee == handover["successor"]
    assert assignees(handover)["open"] == handover["successor"]


def test_an_institution_that_leaves_hands_its_requests_to_the_shared_queue(people, desk, other, make_user):
    ask = {"requester": people["officer"], "target": other}
    claimed = make_request(**ask, assignee=desk["liaison"], status=SupportStatus.CLAIMED, claimed_at=MONDAY)
    waiting = make_request(**ask)
    answered = make_request(**ask, assignee=desk["liaison"], status=SupportStatus.ANSWERED)
    other.is_active = False
    services.save_institution(institution=other, domains=["ua.example"], by=people["consortium_admin"])

    for request in (claimed, waiting):
        request.refresh_from_db()
        assert (request.target_institution, request.in_shared_queue, request.assignee, request.status) == (
            None,
            True,
            None,
            SupportStatus.OPEN,
        )
        assert request.claimed_at is None
        assert request.messages.get(kind=SupportMessage.Kind.EVENT).body == (
            f"{other.name} is no longer a member: the request waits in the shared queue for any liaison officer."
        )
    answered.refresh_from_db()
    assert (answered.target_institution, answered.assignee) == (other, desk["liaison"])

    # Another member's liaison officer sees the request and takes it.
    lyon = InstitutionFactory(country="FR")
    liaison = make_user(Role.CAREER_OFFICER, institution=lyon)
    LiaisonNomination.objects.create(institution=lyon, officer=liaison)
    assert set(SupportRequest.objects.visible_to(liaison)) == {claimed, waiting}
    support.claim_support_request(request=waiting, by=liaison)
    waiting.refresh_from_db()
    assert (waiting.target_institution, waiting.assignee, waiting.in_shared_queue) == (lyon, liaison, False)

    # Saving the inactive institution again moves nothing more.
    services.save_institution(institution=other, domains=["ua.example"], by=people["consortium_admin"])
    assert SupportRequest.objects.get(pk=waiting.pk).target_institution == lyon
    assert SupportMessage.objects.filter(request=claimed).count() == 1
