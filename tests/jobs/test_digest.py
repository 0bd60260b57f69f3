"""The job board's digest section: the week's new jobs in a student's fields that they may see."""

import datetime

from django.utils import timezone

from consortium.models import CompanyDecline, Role
from consortium.services.digests import DigestBatch
from jobs.digest import new_jobs
from jobs.models import AlertSentJob, Audience, SavedSearch
from tests.factories import CompanyFactory
from tests.jobs.factories import JobFactory


def batch_for(*users, fields=("04",)):
    now = timezone.now()
    interests = {user.pk: {"fields_of_study": set(fields)} for user in users}
    return DigestBatch(list(users), now - datetime.timedelta(days=7), now + datetime.timedelta(minutes=1), interests)


def test_a_student_sees_the_weeks_jobs_in_their_fields_that_they_may_see(make_user, home, other):
    student = make_user(Role.STUDENT)
    everyone = JobFactory(title="For everyone", fields_of_study=["04"])
    ours = JobFactory(title="Shared with us", fields_of_study=["04"], audience=Audience.PARTNERS)
    ours.partner_institutions.set([home, other])
    theirs = JobFactory(title="Shared elsewhere", fields_of_study=["04"], audience=Audience.PARTNERS)
    theirs.partner_institutions.set([other])
    JobFactory(title="Their own", fields_of_study=["04"], audience=Audience.OWN, institution=other)
    declined = CompanyFactory()
    CompanyDecline.objects.create(institution=home, company=declined)
    JobFactory(title="Declined company", fields_of_study=["04"], company=declined)
    JobFactory(title="Other field", fields_of_study=["06"])
    JobFactory(title="Last month", fields_of_study=["04"], published_at=timezone.now() - datetime.timedelta(days=30))

    items = new_jobs(batch_for(student))[student.pk]

    assert [item.title.split(" · ")[0] for item in items] == ["Shared with us", "For everyone"]
    assert items[1].url == everyone.get_absolute_url()


def test_staff_and_students_without_fields_get_no_field_jobs(make_user):
    officer = make_user(Role.CAREER_OFFICER)
    student = make_user(Role.STUDENT)
    JobFactory(fields_of_study=["04"])

    assert new_jobs(batch_for(officer)) == {}
    assert new_jobs(batch_for(student, fields=())) == {}


def test_a_job_an_alert_found_is_left_out_once_the_person_may_no_longer_open_it(make_user, home, other):
    student, officer = make_user(Role.STUDENT), make_user(Role.CAREER_OFFICER)
    declined, narrowed, kept = (
        JobFactory(title="Declined since"),
        JobFactory(title="Narrowed since"),
        JobFactory(title="Still open to us"),
    )
    for user in (student, officer):
        search = SavedSearch.objects.create(user=user, name="All", query="")
        for job in (declined, narrowed, kept):
            AlertSentJob.objects.create(saved_search=search, job=job)
    CompanyDecline.objects.create(institution=home, company=declined.company)
    narrowed.audience = Audience.PARTNERS
    narrowed.save(update_fields=["audience"])
    narrowed.partner_institutions.set([other])

    found = new_jobs(batch_for(student, officer, fields=()))

    assert [item.title.split(" · ")[0] for item in found[student.pk]] == ["Still open to us"]
    # A declined company's jobs stay readable by the institution's staff.
    assert sorted(item.title.split(" · ")[0] for item in found[officer.pk]) == ["Declined since", "Still open to us"]
