"""Service levels of the support desk: working days, the reminder at two thirds of the time, the
breach recorded and escalated once; and requests following their people when a liaison officer is
replaced or someone leaves."""

import datetime

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
from consortium.services.support_sla import add_working_days, check_support_deadlines, first_response_due
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
    asker = make_user(Role.CAREER_OFFICER)
    request = make_request(requester=asker, target=None, country="PT", in_shared_queue=True)
    check_support_deadlines(now=request.first_response_due_at + datetime.timedelta(minutes=1))
    assert SupportBreach.objects.get().institution is None
    assert recipients("support.breach") == emails(desk["liaison"], home_liaison, people["consortium_admin"])


def test_a_request_routed_to_no_member_yet_escalates_to_the_members_in_its_country(people, desk, make_user):
    milan = InstitutionFactory(country="IT")
    milan_officer = make_user(Role.CAREER_OFFICER, institution=milan)
    request = make_request(requester=people["officer"], target=None, country="IT")
    check_support_deadlines(now=request.first_response_due_at + datetime.timedelta(minutes=1))
    assert recipients("support.breach") == emails(
        desk["liaison"], desk["colleague"], desk["admin"], people["other_admin"], people["other_officer"], milan_officer
    )


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
