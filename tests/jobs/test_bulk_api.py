"""POST /api/v1/jobs/bulk-upsert/: up to 500 jobs by external id, each saved or refused on its own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from jobs.models import Job, JobStatus
from tests.consortium.test_api import assert_problem
from tests.jobs.factories import JobFactory
from tests.jobs.test_api import payload

pytestmark = pytest.mark.django_db
URL = reverse("api:job-bulk-upsert")
# Validating and saving one job: its company, the job, its languages, partners and search words, and
# the savepoints that keep a failed job from leaving anything behind.
PER_JOB_QUERIES = 16


def test_good_items_are_saved_and_bad_ones_reported_each_on_its_own(key, company, home):
    existing = JobFactory(institution=home, company=company, external_id="SIS-2", title="Old title")
    body = {
        "jobs": [
            payload(external_id="SIS-1", publish=True),
            payload(external_id="SIS-2", title="New title"),
            payload(external_id="SIS-3", country="ZZ"),
            payload(external_id="SIS-4", deadline="2001-01-01"),
        ]
    }
    response = key("jobs:write").post(URL, body, format="json")
    assert response.status_code == 200, response.content
    created = Job.objects.get(external_id="SIS-1")
    assert response.json() == {
        "results": [
            {"index": 0, "external_id": "SIS-1", "result": "created", "id": created.pk, "errors": []},
            {"index": 1, "external_id": "SIS-2", "result": "updated", "id": existing.pk, "errors": []},
            {
                "index": 2,
                "external_id": "SIS-3",
                "result": "error",
                "id": None,
                "errors": [{"field": "country", "message": "“ZZ” is not an ISO 3166-1 alpha-2 country code."}],
            },
            {
                "index": 3,
                "external_id": "SIS-4",
                "result": "error",
                "id": None,
                "errors": [{"field": "deadline", "message": "The deadline is in the past."}],
            },
        ]
    }
    assert (created.institution, created.status) == (home, JobStatus.PUBLISHED)
    existing.refresh_from_db()
    assert existing.title == "New title"
    assert set(Job.objects.values_list("external_id", flat=True)) == {"SIS-1", "SIS-2"}


def test_the_same_call_twice_creates_nothing_the_second_time(key, company):
    client = key("jobs:write")
    body = {"jobs": [payload(external_id=f"SIS-{n}", title=f"Job {n}") for n in range(3)]}
    first = client.post(URL, body, format="json").json()["results"]
    second = client.post(URL, body, format="json").json()["results"]
    assert [item["result"] for item in first] == ["created"] * 3
    assert [item["result"] for item in second] == ["updated"] * 3
    assert [item["id"] for item in first] == [item["id"] for item in second]
    assert sorted(Job.objects.values_list("title", flat=True)) == ["Job 0", "Job 1", "Job 2"]


def test_more_than_500_jobs_are_refused_whole(key, company):
    body = {"jobs": [payload(external_id=f"SIS-{n}") for n in range(501)]}
    response = key("jobs:write").post(URL, body, format="json")
    body = assert_problem(response, 400, field="jobs")
    assert body["errors"] == [{"field": "jobs", "message": "Ensure this field has no more than 500 elements."}]
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([payload(external_id="A")], None),
        ({}, "jobs"),
        ({"jobs": []}, "jobs"),
        ({"jobs": "all of them"}, "jobs"),
        ({"jobs": [payload(external_id="A"), ["not", "a", "job"]]}, "jobs.1"),
        ({"jobs": [payload(external_id="A"), payload()]}, "jobs.1.external_id"),
        ({"jobs": [payload(external_id="A"), payload(external_id=7)]}, "jobs.1.external_id"),
        ({"jobs": [payload(external_id="A"), payload(external_id="A")]}, "jobs.1.external_id"),
        ({"jobs": [payload(external_id="A")], "mode": "replace"}, "mode"),
    ],
)
def test_a_malformed_call_is_a_400_naming_the_field_and_saves_nothing(key, company, body, field):
    response = key("jobs:write").post(URL, body, format="json")
    assert_problem(response, 400, field=field)
    assert not Job.objects.exists()


def test_another_institutions_key_cannot_touch_our_jobs(key, company, home, other, people):
    ours = JobFactory(institution=home, company=company, external_id="SIS-1", title="Ours")
    theirs = key("jobs:write", institution=other, admin=people["other_admin"])
    response = theirs.post(URL, {"jobs": [payload(external_id="SIS-1", title="Hijacked")]}, format="json")
    assert response.json()["results"][0]["result"] == "created"
    ours.refresh_from_db()
    assert ours.title == "Ours"
    assert Job.objects.get(institution=other).title == "Hijacked"


def test_a_read_only_key_and_a_student_are_refused(key, company, people):
    body = {"jobs": [payload(external_id="SIS-1")]}
    assert_problem(key("jobs:read").post(URL, body, format="json"), 403)
    student = APIClient()
    student.force_authenticate(people["student"])
    assert_problem(student.post(URL, body, format="json"), 403)
    assert_problem(APIClient().post(URL, body, format="json"), 401)
    assert not Job.objects.exists()


def test_an_officer_signed_in_may_upsert_for_their_institution(company, people, home):
    client = APIClient()
    client.force_authenticate(people["officer"])
    response = client.post(URL, {"jobs": [payload(external_id="SIS-1")]}, format="json")
    assert response.json()["results"][0]["result"] == "created"
    assert Job.objects.get().institution == home


def test_each_job_costs_the_same_few_queries(key, company, home):
    """Existing jobs are looked up in one query for the whole call, not one per job."""
    client = key("jobs:write")

    def queries(count: int) -> int:
        body = {"jobs": [payload(external_id=f"SIS-{count}-{n}") for n in range(count)]}
        client.post(URL, body, format="json")
        with CaptureQueriesContext(connection) as captured:
            client.post(URL, body, format="json")  # the second call updates: the path with existing jobs
        return len(captured)

    one, five, nine = queries(1), queries(5), queries(9)
    assert nine - five == five - one
    assert (five - one) / 4 <= PER_JOB_QUERIES


def test_a_bulk_body_may_be_larger_than_other_calls_up_to_its_own_limit(key, company):
    client = key("jobs:write")
    long = {"jobs": [payload(external_id=f"SIS-{n}", description="Join us. " * 550) for n in range(300)]}
    response = client.post(URL, long, format="json")  # about 1.5 MB: over the 1 MiB of single calls
    assert response.status_code == 200 and Job.objects.count() == 300
    for size in (2_200_000, 3_000_000):  # past the bulk limit, and past Django's own
        huge = {"jobs": [payload(external_id="SIS-1", description="x" * size)]}
        assert_problem(client.post(URL, huge, format="json"), 413)


def test_external_ids_are_trimmed_so_a_repeat_call_updates(key, company):
    client = key("jobs:write")
    body = {"jobs": [payload(external_id="  SIS-7 ")]}
    assert client.post(URL, body, format="json").json()["results"][0]["result"] == "created"
    second = client.post(URL, body, format="json").json()["results"][0]
    assert second["result"] == "updated" and Job.objects.get().external_id == "SIS-7"
