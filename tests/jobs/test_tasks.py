"""The daily job-board task: expiry, deadline reminders; and duplicates flagged on publishing."""

import datetime

import pytest
from django.utils import timezone

from consortium.models import Notification, WebhookDelivery, WebhookEndpoint
from jobs import services
from jobs.models import Job, JobStatus
from jobs.tasks import expire_and_remind
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_jobs_past_their_deadline_expire_once_and_the_poster_is_told(people, home):
    WebhookEndpoint.objects.create(institution=home, url="https://hooks.example.org/in", event_types=["job.closed"])
    late = JobFactory(institution=home, posted_by=people["officer"], deadline=TODAY - datetime.timedelta(days=1))
    current = JobFactory(institution=home, posted_by=people["officer"], deadline=TODAY)
    assert expire_and_remind() == {"expired": 1, "reminded": 0}
    assert expire_and_remind() == {"expired": 0, "reminded": 0}
    late.refresh_from_db()
    current.refresh_from_db()
    assert (late.status, current.status) == (JobStatus.EXPIRED, JobStatus.PUBLISHED)
    notice = Notification.objects.get(recipient=people["officer"], kind="job.expired")
    assert notice.title == f"“{late.title}” has expired" and notice.url == late.get_absolute_url()
    assert WebhookDelivery.objects.get().payload["data"]["status"] == "expired"


def test_posters_are_reminded_three_days_before_the_deadline_once(people, home):
    soon = JobFactory(institution=home, posted_by=people["officer"], deadline=TODAY + datetime.timedelta(days=3))
    JobFactory(institution=home, posted_by=people["officer"], deadline=TODAY + datetime.timedelta(days=4))
    assert services.remind_deadlines() == 1
    services.remind_deadlines()
    [notice] = Notification.objects.filter(kind="job.deadline_soon")
    assert notice.recipient == people["officer"] and soon.title in notice.title


def test_publishing_the_same_offer_twice_flags_both_posters(people, home, other):
    mine = JobFactory(institution=home, posted_by=people["officer"], title="Marketing intern", city="Milano")
    theirs = JobFactory(
        institution=other,
        posted_by=people["other_officer"],
        company=mine.company,
        title="marketing INTERN",
        city="milano",
        status=JobStatus.DRAFT,
    )
    services.publish_job(job=theirs, by=people["other_officer"])
    flagged = set(Notification.objects.filter(kind="job.possible_duplicate").values_list("recipient", flat=True))
    assert flagged == {people["officer"].pk, people["other_officer"].pk}
    assert Job.objects.published().count() == 2  # flagged, not blocked
