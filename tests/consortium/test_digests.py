"""The weekly digest: who receives it, what it says, and that each person gets it once a week."""

import datetime
import re
import smtplib

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone, translation

from consortium.digest import new_knowledge_articles, waiting_support_requests
from consortium.models import (
    DigestDelivery,
    DigestStatus,
    KnowledgeArticle,
    LiaisonNomination,
    Role,
    SupportRequest,
    User,
)
from consortium.registry import ImpactCounter
from consortium.services import digests
from consortium.services.notifications import set_notification_preferences
from consortium.tasks import send_weekly_digests
from jobs.models import AlertSentJob, Audience, SavedSearch
from matching.models import MatchingProfile
from tests.factories import CompanyFactory, UserFactory
from tests.jobs.factories import JobFactory

PERIOD = "2026-W40"
NEXT_PERIOD = "2026-W41"
# DIGEST_WEEKDAY=1, DIGEST_HOUR=7 (the defaults): week 40's digest covers 21 to 28 September 2026, 07:00 UTC.
IN_THE_WEEK = datetime.datetime(2026, 9, 25, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _digest_schedule(settings):
    settings.DIGEST_WEEKDAY, settings.DIGEST_HOUR = 1, 7


def run(period=PERIOD):
    return digests.send_digest_chunk(period=period, first_pk=0, last_pk=10**9)


def opt_in(user):
    set_notification_preferences(user=user, choices={digests.DIGEST_KIND: {"in_app", "email"}})


def alert_jobs(user, jobs, *, when=IN_THE_WEEK):
    """Jobs the person's saved search found in the week, as the job alerts record them."""
    search = SavedSearch.objects.create(user=user, name="Marketing", query="q=marketing")
    for job in jobs:
        AlertSentJob.objects.create(saved_search=search, job=job)
    AlertSentJob.objects.filter(saved_search=search).update(sent_at=when)
    return search


def job(**kwargs):
    return JobFactory(published_at=IN_THE_WEEK, **kwargs)


def digests_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def test_the_week_runs_from_the_due_moment_back_seven_days():
    start, end = digests.period_window(PERIOD)
    assert (start, end) == (
        datetime.datetime(2026, 9, 21, 7, tzinfo=datetime.UTC),
        datetime.datetime(2026, 9, 28, 7, tzinfo=datetime.UTC),
    )
    assert digests.due_period(end) == PERIOD
    assert digests.due_period(end - datetime.timedelta(minutes=1)) is None
    assert digests.due_period(end + datetime.timedelta(days=1)) is None


def test_a_student_who_never_opted_in_gets_no_digest(make_user):
    student = make_user(Role.STUDENT)
    alert_jobs(student, [job()])

    run()

    assert digests_to(student) == []
    assert not DigestDelivery.objects.filter(user=student).exists()


def test_a_student_who_opted_in_gets_the_weeks_jobs(make_user):
    student = make_user(Role.STUDENT)
    opt_in(student)
    offer = job(title="Brand intern", company=CompanyFactory(name="Moda Lombarda"))
    alert_jobs(student, [offer])

    assert run() == {"built": 1, "sent": 1}

    [message] = digests_to(student)
    assert "Brand intern · Moda Lombarda" in message.body
    assert f"/jobs/{offer.pk}/" in message.body
    html = message.alternatives[0][0]
    assert "New jobs for you" in html and "Brand intern · Moda Lombarda" in html
    assert DigestDelivery.objects.get(user=student, period=PERIOD).status == DigestStatus.SENT


def test_staff_receive_it_by_default_and_may_opt_out(make_user, home):
    officer = make_user(Role.CAREER_OFFICER)
    leaving = make_user(Role.CAREER_OFFICER)
    set_notification_preferences(user=leaving, choices={digests.DIGEST_KIND: {"in_app"}})
    SupportRequest.objects.create(
        requesting_institution=make_user(Role.CAREER_OFFICER).institution,
        target_institution=home,
        target_country="ES",
        category="visa",
        subject="Work permit for a Ukrainian graduate",
        question="…",
    )

    run()

    assert "Work permit for a Ukrainian graduate" in digests_to(officer)[0].body
    assert digests_to(leaving) == []


def test_nothing_is_sent_when_every_section_is_empty(make_user):
    officer = make_user(Role.CAREER_OFFICER)

    assert run() == {"built": 0}

    assert mail.outbox == []
    assert DigestDelivery.objects.get(user=officer, period=PERIOD).status == DigestStatus.SKIPPED


def test_running_the_week_again_sends_nothing_twice(make_user):
    student = make_user(Role.STUDENT)
    opt_in(student)
    alert_jobs(student, [job()])

    run()
    assert run() == {"built": 0}
    send_weekly_digests(PERIOD)

    assert len(digests_to(student)) == 1
    assert DigestDelivery.objects.filter(user=student).count() == 1


def test_a_digest_left_pending_by_a_killed_worker_goes_out_on_the_next_run(make_user):
    student = make_user(Role.STUDENT)
    opt_in(student)
    alert_jobs(student, [job()])
    DigestDelivery.objects.create(user=student, period=PERIOD)

    assert run() == {"built": 1, "sent": 1}

    assert len(digests_to(student)) == 1


def test_unsubscribing_through_the_link_stops_the_next_one(make_user, client):
    student = make_user(Role.STUDENT)
    opt_in(student)
    alert_jobs(student, [job()])
    run()
    [message] = digests_to(student)
    link = re.fullmatch(r"<(.+)>", message.extra_headers["List-Unsubscribe"]).group(1)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body

    response = client.post(link.removeprefix("http://127.0.0.1:8000"))

    assert response.status_code == 200
    alert_jobs(student, [job()], when=IN_THE_WEEK + datetime.timedelta(days=7))
    run(NEXT_PERIOD)
    assert len(digests_to(student)) == 1


def test_jobs_are_capped_at_ten_with_two_per_company_and_a_shared_job_once(make_user, home, other):
    student = make_user(Role.STUDENT)
    opt_in(student)
    companies = [CompanyFactory() for _ in range(7)]
    offers = [job(company=company, title=f"Offer {n}") for n in range(3) for company in companies]
    shared = job(title="Shared offer", audience=Audience.PARTNERS, company=CompanyFactory())
    shared.partner_institutions.set([home, other])
    alert_jobs(student, offers)
    alert_jobs(student, [shared])

    digest = digests.build_digests(list(User.objects.filter(pk=student.pk)), PERIOD)[student.pk]

    [(_title, items)] = digest.sections
    assert len(items) == 10
    titles = [item.title for item in items]
    assert titles.count(f"Shared offer · {shared.company.name}") == 1
    for company in companies:
        assert sum(title.endswith(f"· {company.name}") for title in titles) <= 2


def test_a_partner_admin_sees_their_institution_next_to_the_consortium_never_another(people, monkeypatch):
    def joined(start, end, institution_id):
        people_joined = User.objects.filter(date_joined__gte=start, date_joined__lt=end)
        if institution_id is not None:
            people_joined = people_joined.filter(institution_id=institution_id)
        return people_joined.count()

    monkeypatch.setattr(digests, "IMPACT_COUNTERS", {"joined": ImpactCounter("joined", "People who joined", joined)})
    User.objects.filter(pk__in=[people["student"].pk, people["officer"].pk]).update(date_joined=IN_THE_WEEK)
    User.objects.filter(institution=people["other_admin"].institution).update(date_joined=IN_THE_WEEK)

    run()

    [message] = digests_to(people["admin"])
    assert "- People who joined: 2 (consortium: 5)" in message.body
    [other_message] = digests_to(people["other_admin"])
    assert "- People who joined: 3 (consortium: 5)" in other_message.body
    assert "UA" not in message.alternatives[0][0] and "UP" in message.alternatives[0][0]


def test_the_digest_is_written_in_the_readers_language(make_user, monkeypatch):
    student = make_user(Role.STUDENT, preferred_language="de", time_zone="Europe/Berlin")
    opt_in(student)
    alert_jobs(student, [job()])
    languages = []
    render = digests.mail.render_to_string
    monkeypatch.setattr(
        digests.mail,
        "render_to_string",
        lambda *a, **k: languages.append(translation.get_language()) or render(*a, **k),
    )

    run()

    assert set(languages) == {"de"}
    [message] = digests_to(student)
    assert message.body.startswith("Hallo ") and "Abbestellen" in message.alternatives[0][0]


@pytest.mark.parametrize("size", [10, 100])
def test_building_a_chunk_costs_the_same_queries_whatever_it_holds(
    size, home, other, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(digests, "IMPACT_COUNTERS", {"joined": ImpactCounter("joined", "Joined", lambda *a: 1)})
    students = [UserFactory(roles=[Role.STUDENT], institution=home if n % 2 else other) for n in range(size)]
    officers = [UserFactory(roles=[Role.CAREER_OFFICER], institution=home if n % 2 else other) for n in range(5)]
    admins = [UserFactory(roles=[Role.PARTNER_ADMIN], institution=institution) for institution in (home, other)]
    job(fields_of_study=["04"])
    for student in students:
        opt_in(student)
        alert_jobs(student, [job(), job()])
        MatchingProfile.objects.create(user=student, headline="Marketing", visibility="hidden", fields_of_study=["04"])

    # Three to find the people, one per interest source and provider, three for the alerts' jobs and
    # three for jobs in their fields, two for the support desk's liaison officers; the partner admins'
    # figures are counted once per run, not per chunk (a cache, not a query).
    with django_assert_max_num_queries(20):
        people = digests._recipients(0, 10**9)
        built = digests.build_digests(people, PERIOD)

    assert len(people) == size + len(officers) + len(admins)
    assert {s.pk for s in students} <= built.keys()
    assert all(len(built[s.pk].sections[0][1]) == 3 for s in students)


def test_the_weekly_task_queues_a_chunk_per_range_of_people(make_user, settings):
    settings.DIGEST_CHUNK_SIZE = 2
    students = [make_user(Role.STUDENT) for _ in range(5)]
    for student in students:
        opt_in(student)
        alert_jobs(student, [job()])

    chunks = send_weekly_digests(PERIOD)

    assert chunks == len(range(students[0].pk // 2 * 2, students[-1].pk + 1, 2))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in students)


def test_the_weekly_task_sends_only_on_the_due_day(make_user, monkeypatch):
    student = make_user(Role.STUDENT)
    opt_in(student)
    alert_jobs(student, [job()])
    _start, due = digests.period_window(PERIOD)

    monkeypatch.setattr("django.utils.timezone.now", lambda: due - datetime.timedelta(hours=1))
    assert send_weekly_digests() == 0
    monkeypatch.setattr("django.utils.timezone.now", lambda: due + datetime.timedelta(hours=1))
    assert send_weekly_digests() == 1

    assert len(digests_to(student)) == 1


def test_officers_hear_of_new_knowledge_base_articles_for_their_countries(make_user):
    officer, student = make_user(Role.CAREER_OFFICER), make_user(Role.STUDENT)
    for country, title in (("ES", "Internship agreements in Spain"), ("PL", "Work permits in Poland")):
        KnowledgeArticle.objects.create(
            country=country,
            category="visa",
            title=title,
            question="?",
            answer="!",
            is_published=True,
            published_at=IN_THE_WEEK,
        )
    batch = digests.DigestBatch(
        list(User.objects.filter(pk__in=[officer.pk, student.pk])), *digests.period_window(PERIOD)
    )

    found = new_knowledge_articles(batch)

    assert [item.title for item in found[officer.pk]] == ["Internship agreements in Spain"]
    assert student.pk not in found


# Sending once, whatever chunks the runs cut


def test_a_run_holding_a_digest_another_run_sent_meanwhile_does_not_send_it_again(make_user):
    student = make_user(Role.STUDENT)
    opt_in(student)
    alert_jobs(student, [job()])
    queued = digests.queue_digest_chunk(period=PERIOD, first_pk=0, last_pk=10**9)

    # Another run, its chunk cut elsewhere (another chunk size), so holding another chunk lock.
    assert digests.send_digest_chunk(period=PERIOD, first_pk=1, last_pk=10**9)["sent"] == 1
    assert digests.send_digests(queued) == {"taken": 1}

    assert len(digests_to(student)) == 1


def test_the_chunks_stay_on_one_grid_when_the_first_person_leaves(make_user):
    people = [make_user(Role.STUDENT) for _ in range(4)]
    before = digests.plan_digest_chunks(chunk_size=3)
    User.objects.filter(pk=people[0].pk).update(is_active=False)

    after = digests.plan_digest_chunks(chunk_size=3)

    assert all(first % 3 == 0 for first, _last in before)
    assert set(after) <= set(before)


def test_people_of_an_institution_that_left_the_consortium_get_no_digest(make_user, other):
    officer = make_user(Role.CAREER_OFFICER, institution=other)
    student = make_user(Role.STUDENT, institution=other)
    opt_in(student)
    alert_jobs(student, [job()])
    SupportRequest.objects.create(
        requesting_institution=make_user(Role.CAREER_OFFICER).institution,
        target_institution=other,
        target_country="IT",
        category="visa",
        subject="Work permit",
        question="…",
    )
    other.is_active = False
    other.save(update_fields=["is_active"])

    assert run() == {"built": 0}

    assert mail.outbox == []
    assert not DigestDelivery.objects.filter(user__in=[officer, student]).exists()


def test_retries_go_on_past_midnight_when_the_digest_is_due_on_sunday(settings):
    settings.DIGEST_WEEKDAY, settings.DIGEST_HOUR = 7, 20
    # Week 40's digest is due on Sunday 4 October 2026 at 20:00 UTC; 02:00 the next day is week 41.
    assert digests.due_period(datetime.datetime(2026, 10, 4, 20, tzinfo=datetime.UTC)) == PERIOD
    assert digests.due_period(datetime.datetime(2026, 10, 5, 2, tzinfo=datetime.UTC)) == PERIOD
    assert digests.due_period(datetime.datetime(2026, 10, 5, 20, tzinfo=datetime.UTC)) is None


def test_a_worker_out_of_time_leaves_the_digest_pending_for_the_next_run(make_user, monkeypatch):
    student = make_user(Role.STUDENT)
    opt_in(student)
    alert_jobs(student, [job()])

    def out_of_time(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(digests.mail, "digest_email", out_of_time)
    with pytest.raises(SoftTimeLimitExceeded):
        run()

    row = DigestDelivery.objects.get(user=student, period=PERIOD)
    assert (row.status, row.attempts) == (DigestStatus.PENDING, 0)


class DroppingBackend(locmem.EmailBackend):
    """A mail server that drops the connection once: every message on that connection fails until
    it is closed and opened again."""

    drops = 1

    def open(self):
        self.dropped = getattr(self, "dropped", False)

    def close(self):
        self.dropped = False

    def send_messages(self, messages):
        if DroppingBackend.drops:
            DroppingBackend.drops -= 1
            self.dropped = True
        if self.dropped:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_a_dropped_connection_fails_one_digest_not_the_rest_of_the_chunk(make_user, settings, monkeypatch):
    settings.EMAIL_BACKEND = f"{__name__}.DroppingBackend"
    monkeypatch.setattr(DroppingBackend, "drops", 1)
    students = [make_user(Role.STUDENT) for _ in range(3)]
    for student in students:
        opt_in(student)
        alert_jobs(student, [job()])

    assert run() == {"built": 3, "retry": 1, "sent": 2}

    assert len(mail.outbox) == 2
    assert run() == {"built": 1, "sent": 1}


def test_liaison_officers_hear_of_the_shared_queue_but_not_of_their_own_institutions_requests(make_user, home, other):
    liaison, officer = make_user(Role.CAREER_OFFICER), make_user(Role.CAREER_OFFICER)
    LiaisonNomination.objects.create(institution=home, officer=liaison)
    for asker, subject in ((other, "Traineeship in Malta"), (home, "Our own question about Malta")):
        SupportRequest.objects.create(
            requesting_institution=asker,
            in_shared_queue=True,
            target_country="MT",
            category="visa",
            subject=subject,
            question="…",
        )

    found = waiting_support_requests(
        digests.DigestBatch(list(User.objects.filter(pk__in=[liaison.pk, officer.pk])), *digests.period_window(PERIOD))
    )

    assert [item.title for item in found[liaison.pk]] == ["Traineeship in Malta"]
    assert "shared queue" in found[liaison.pk][0].detail
    assert found[officer.pk] == []


def test_a_request_past_its_deadline_is_marked_overdue(make_user, home, other):
    officer = make_user(Role.CAREER_OFFICER)
    now = timezone.now()
    late, fresh = now - datetime.timedelta(hours=3), now + datetime.timedelta(days=1)
    for subject, due in (("Late question", late), ("Fresh question", fresh)):
        SupportRequest.objects.create(
            requesting_institution=other,
            target_institution=home,
            category="visa",
            subject=subject,
            question="…",
            first_response_due_at=due,
        )

    found = waiting_support_requests(digests.DigestBatch([officer], *digests.period_window(PERIOD)))

    details = {item.title: str(item.detail) for item in found[officer.pk]}
    assert details == {"Late question": "overdue: an answer was due", "Fresh question": "answer due"}
