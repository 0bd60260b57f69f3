import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from consortium.models import Company, Institution, LiaisonNomination, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db

FIVE = {
    "Universidad Autónoma de Madrid",
    "Università Cattolica del Sacro Cuore",
    "Regent's University London",
    "Paris School of Business",
    "EBC Hochschule",
}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    from jobs.models import Job

    return [m.objects.count() for m in (Institution, User, RoleAssignment, Company, LiaisonNomination, Job)]


def activity_counts():
    from consortium.models import ConsentRecord, KnowledgeArticle, SupportBreach, SupportMessage, SupportRequest
    from jobs.models import AlertSentJob, Application, JobViewDay, SavedSearch

    models = (SupportRequest, SupportMessage, SupportBreach, KnowledgeArticle, ConsentRecord)
    return [m.objects.count() for m in (*models, Application, JobViewDay, SavedSearch, AlertSentJob)]


def test_seed_creates_the_consortium_and_is_idempotent(settings):
    settings.DEBUG = True
    output = seed()
    first, activity = counts(), activity_counts()
    seed()
    assert counts() == first and activity_counts() == activity
    assert set(Institution.objects.values_list("name", flat=True)) == FIVE
    assert Company.objects.count() == 12
    from jobs.models import Job

    assert Job.objects.published().count() == 10 and Job.objects.filter(country="IT").count() == 2
    for institution in Institution.objects.all():
        assert LiaisonNomination.objects.active().filter(institution=institution).count() == 1
        for role in (Role.STUDENT, Role.CAREER_OFFICER, Role.PARTNER_ADMIN, Role.ACADEMIC, Role.CONSORTIUM_ADMIN):
            assert User.objects.with_role(role).filter(institution=institution).exists(), (institution, role)
    assert User.objects.with_role(Role.COMPANY_CONTACT).filter(institution=None, company__isnull=False).count() == 5
    for user in User.objects.all():
        assert user.email in output
        assert user.check_password("consortium-demo-2026")


def test_seed_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DJANGO_DEBUG on"):
        seed()
    assert counts() == [0, 0, 0, 0, 0, 0]


def test_the_demo_has_a_week_and_months_of_activity(settings):
    from consortium.models import SupportBreach, SupportRequest, SupportStatus
    from jobs.models import Application, JobViewDay

    settings.DEBUG = True
    seed()
    now = timezone.now()
    week_ago, month_ago = now - datetime.timedelta(days=7), now - datetime.timedelta(days=30)

    requests = SupportRequest.objects.all()
    assert {SupportStatus.OPEN, SupportStatus.CLAIMED, SupportStatus.ANSWERED, SupportStatus.RESOLVED} <= set(
        requests.values_list("status", flat=True)
    )
    assert requests.filter(created_at__gte=week_ago).count() >= 3 and requests.filter(created_at__lt=month_ago)
    assert requests.filter(in_shared_queue=True).exists()
    assert requests.filter(rating__isnull=False).count() == 2
    # One deadline missed and answered late, one missed and still waiting.
    breached = SupportBreach.objects.select_related("request")
    assert sorted(b.request.first_response_at is None for b in breached) == [False, True]
    assert all(b.request.created_at < b.due_at < now for b in breached)

    applications = Application.objects.select_related("job", "applicant__institution")
    assert len({a.applicant.institution_id for a in applications}) == 5
    abroad = [a for a in applications if a.job.country != a.applicant.institution.country]
    staying_on = [
        a
        for a in applications
        if a.job.country == a.applicant.institution.country
        and a.applicant.home_country
        and a.applicant.home_country != a.applicant.institution.country
    ]
    assert len(abroad) >= 8 and len(staying_on) == 3
    assert applications.filter(created_at__gte=week_ago).exists() and applications.filter(created_at__lt=month_ago)
    assert JobViewDay.objects.filter(day__gte=week_ago.date()).count() >= 30
    assert JobViewDay.objects.filter(day__lt=month_ago.date()).exists()


def test_a_demo_student_gets_a_digest_with_her_alert_jobs(settings, mailoutbox):
    settings.DEBUG = True
    seed()
    mailoutbox.clear()
    call_command("send_digests", stdout=StringIO())

    # Only digests go out after the seed; each in its reader's language.
    digests = {m.to[0]: m for m in mailoutbox}
    assert digests["student@regents.ac.uk"].subject.startswith("Your week in the consortium")
    emily = digests["student@regents.ac.uk"]
    assert "New jobs for you" in emily.body and "Logistics trainee · Hanse Logistik" in emily.body
    assert "Hanse Logistik" in emily.alternatives[0][0]
    # Every institution's demo student opted in; the students from abroad did not.
    assert {"student@uam.es", "student@unicatt.it", "student@psbedu.paris", "student@ebc-hochschule.de"} <= set(digests)
    assert "mateo.alvarez@regents.ac.uk" not in digests
    # The officer hears of the request waiting on Regent's, the partner admin gets the figures.
    assert "Junior data analyst market in London" in digests["officer@regents.ac.uk"].body
    assert "Support requests asked" in digests["admin@regents.ac.uk"].body
