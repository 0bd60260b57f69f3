"""/api/v1/jobs/ for member universities' systems."""

import pytest
from django.urls import reverse

from jobs.models import Audience, Job, JobStatus
from tests.consortium.test_api import assert_problem
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db


def payload(**changes):
    return {
        "company": "moda-lombarda",
        "title": "Marketing intern",
        "description": "Join **us**.",
        "kind": "internship",
        "country": "it",
        "city": "Milano",
        "work_mode": "hybrid",
        "languages": [{"language": "en", "level": "B2"}],
        "fields_of_study": ["04"],
        "skills": ["Social media"],
        "audience": "consortium",
    } | changes


def test_reading_needs_the_read_scope(key, home):
    JobFactory(institution=home)
    assert_problem(key().get(reverse("api:job-list")), 403)
    assert key("jobs:read").get(reverse("api:job-list")).status_code == 200


def test_upsert_by_external_id_creates_then_replaces_and_is_idempotent(key, company, home, people):
    client = key("jobs:write", "jobs:read")
    url = reverse("api:job-upsert", args=["SIS-42"])
    first = client.put(url, payload(publish=True), format="json")
    assert first.status_code == 201, first.content
    job = Job.objects.get()
    assert (job.external_id, job.institution, job.status) == ("SIS-42", home, JobStatus.PUBLISHED)
    assert [(lang.language, lang.level) for lang in job.languages.all()] == [("en", "B2")]
    again = client.put(url, payload(title="Marketing intern (m/f/d)"), format="json")
    assert again.status_code == 200 and Job.objects.count() == 1
    assert Job.objects.get().title == "Marketing intern (m/f/d)"
    assert client.put(url, payload(title="Marketing intern (m/f/d)"), format="json").status_code == 200
    assert Job.objects.count() == 1


def test_the_same_external_id_at_two_institutions_is_two_jobs(key, company, home, other, people):
    key("jobs:write").put(reverse("api:job-upsert", args=["X1"]), payload(), format="json")
    key("jobs:write", institution=other, admin=people["other_admin"]).put(
        reverse("api:job-upsert", args=["X1"]), payload(), format="json"
    )
    assert Job.objects.filter(external_id="X1").count() == 2


def test_writing_needs_the_write_scope(key, company):
    assert_problem(key("jobs:read").post(reverse("api:job-list"), payload(), format="json"), 403)
    assert not Job.objects.exists()


def test_another_institutions_job_cannot_be_changed(key, company, other, people):
    theirs = JobFactory(institution=other, company=company)
    client = key("jobs:write", "jobs:read")
    response = client.patch(reverse("api:job-detail", args=[theirs.pk]), {"title": "Hijacked"}, format="json")
    assert_problem(response, 403)  # visible but not theirs to change
    assert_problem(client.post(reverse("api:job-close", args=[theirs.pk])), 403)
    theirs.refresh_from_db()
    assert theirs.title != "Hijacked" and theirs.status == JobStatus.PUBLISHED


def test_another_institutions_draft_is_404(key, other):
    draft = JobFactory(institution=other, status=JobStatus.DRAFT)
    assert_problem(key("jobs:read").get(reverse("api:job-detail", args=[draft.pk])), 404)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"deadline": "2001-01-01"}, "deadline"),
        ({"salary_min": "3000", "salary_max": "2000", "salary_currency": "EUR"}, "salary_min"),
        ({"country": "ZZ"}, "country"),
        ({"languages": [{"language": "xx", "level": "B2"}]}, "languages.0.language"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_jobs_are_refused_naming_the_field(key, company, changes, field):
    response = key("jobs:write").post(reverse("api:job-list"), payload(**changes), format="json")
    assert_problem(response, 400, field=field)
    assert not Job.objects.exists()


def test_closing_through_the_api(key, company, home):
    job = JobFactory(institution=home, company=company)
    response = key("jobs:write", "jobs:read").post(reverse("api:job-close", args=[job.pk]))
    assert response.status_code == 200 and response.json()["status"] == "closed"


def test_list_filters_and_syncs(key, home):
    JobFactory(institution=home, country="DE", title="Berlin job")
    JobFactory(institution=home, country="IT", title="Milan job", audience=Audience.OWN)
    client = key("jobs:read")
    body = client.get(reverse("api:job-list"), {"country": "DE"}).json()
    assert [row["title"] for row in body["results"]] == ["Berlin job"]
    assert client.get(reverse("api:job-list"), {"country": "XX"}).status_code == 400


def test_list_costs_the_same_queries_at_20_and_100_jobs(key, home, django_assert_max_num_queries):
    client = key("jobs:read")
    JobFactory.create_batch(100, institution=home)
    for size in (20, 100):
        with django_assert_max_num_queries(10):
            assert len(client.get(reverse("api:job-list"), {"page_size": size}).json()["results"]) == size


def test_a_second_job_with_the_same_external_id_is_refused(key, company, home):
    client = key("jobs:write", "jobs:read")
    assert client.post(reverse("api:job-list"), payload(external_id="SIS-1"), format="json").status_code == 201
    response = client.post(reverse("api:job-list"), payload(external_id="SIS-1"), format="json")
    body = assert_problem(response, 400, field="external_id")
    assert body["errors"][0]["message"] == "Another job of your institution has this external id."
    other = client.post(reverse("api:job-list"), payload(external_id="SIS-2"), format="json").json()
    patched = client.patch(reverse("api:job-detail", args=[other["id"]]), {"external_id": "SIS-1"}, format="json")
    assert_problem(patched, 400, field="external_id")


def test_options_requests_get_405(key):
    assert_problem(key("jobs:read").options(reverse("api:job-upsert", args=["x"])), 405)


def test_an_upsert_body_that_is_not_an_object_is_a_400(key):
    response = key("jobs:write").put(reverse("api:job-upsert", args=["x"]), [None, None], format="json")
    assert_problem(response, 400)


def test_the_written_out_representation_matches_the_declared_fields(key, home, other, people):
    """JobSerializer writes its output by hand for speed; it must say what DRF's generic path says."""
    import datetime

    from consortium.api.framework import StrictModelSerializer
    from jobs.api import JobSerializer
    from jobs.models import JobLanguage

    job = JobFactory(
        institution=home,
        audience=Audience.PARTNERS,
        salary_min=1200,
        salary_max=1500.5,
        salary_currency="EUR",
        start_kind="date",
        start_date=datetime.date(2027, 3, 1),
        fields_of_study=["04", "06"],
        skills=["SEO", "Excel"],
        external_id="X-1",
        duration_months=6,
        apply_method="url",
        apply_url="https://jobs.example.org/1",
    )
    job.partner_institutions.set([other])
    JobLanguage.objects.create(job=job, language="en", level="B2")
    JobLanguage.objects.create(job=job, language="it", level="A2")
    job = Job.objects.get(pk=job.pk)
    response = key("jobs:read").get(reverse("api:job-list"))
    serializer = JobSerializer(job, context={"request": response.wsgi_request})
    generic = StrictModelSerializer.to_representation(serializer, job)
    generic["country"] = job.country.code
    assert serializer.data == generic
    assert response.json()["results"] == [dict(generic)]


def test_the_list_answers_with_a_format_suffix_too(key):
    """The router also serves /api/v1/jobs.json; the hand-written list must take the format argument."""
    job = JobFactory()
    response = key("jobs:read").get(reverse("api:job-list", kwargs={"format": "json"}))
    assert response.status_code == 200 and [row["id"] for row in response.json()["results"]] == [job.pk]
