"""The job board in the browser: who sees which job, posting and publishing, search, JSON-LD."""

import json
import re

import pytest
from django.urls import reverse

from consortium.models import Role, WebhookDelivery, WebhookEndpoint
from jobs.models import Audience, Job, JobStatus
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(home, other):
    return {
        "public": JobFactory(institution=home, title="Public marketing internship"),
        "login": JobFactory(institution=home, title="Members-only analyst", require_login=True),
        "draft": JobFactory(institution=home, title="Draft role", status=JobStatus.DRAFT, published_at=None),
        "own": JobFactory(institution=home, title="Campus job", audience=Audience.OWN),
        "partners": JobFactory(institution=other, title="Partner-only traineeship", audience=Audience.PARTNERS),
    }


def visible_titles(client):
    page = client.get(reverse("jobs:index")).content.decode()
    return {
        title
        for title in (
            "Public marketing internship",
            "Members-only analyst",
            "Draft role",
            "Campus job",
            "Partner-only traineeship",
        )
        if title in page
    }


def test_anonymous_visitors_see_public_jobs_only(client, jobs):
    assert visible_titles(client) == {"Public marketing internship"}
    assert client.get(reverse("jobs:detail", args=[jobs["login"].pk])).status_code == 404


def test_students_see_their_institutions_jobs_and_those_shared_with_it(client, people, jobs, home):
    client.force_login(people["student"])
    assert visible_titles(client) == {"Public marketing internship", "Members-only analyst", "Campus job"}
    jobs["partners"].partner_institutions.add(home)
    assert "Partner-only traineeship" in visible_titles(client)


def test_another_institutions_student_does_not_see_own_only_jobs(client, people, jobs, make_user, other):
    client.force_login(make_user(Role.STUDENT, institution=other))
    assert client.get(reverse("jobs:detail", args=[jobs["own"].pk])).status_code == 404
    assert client.get(reverse("jobs:detail", args=[jobs["draft"].pk])).status_code == 404


def test_officers_see_their_drafts_and_others_do_not(client, people, jobs):
    client.force_login(people["officer"])
    assert client.get(reverse("jobs:detail", args=[jobs["draft"].pk])).status_code == 200
    client.force_login(people["other_officer"])
    assert client.get(reverse("jobs:detail", args=[jobs["draft"].pk])).status_code == 404
    assert client.get(reverse("jobs:edit", args=[jobs["public"].pk])).status_code == 404


VALID = {
    "title": "Junior data analyst",
    "kind": "graduate",
    "description": "Work with **data**.<script>alert(1)</script>",
    "country": "IT",
    "city": "Milano",
    "work_mode": "hybrid",
    "paid": "on",
    "salary_min": "1800",
    "salary_max": "2200",
    "salary_currency": "EUR",
    "salary_period": "MONTH",
    "fields_of_study": ["04", "06"],
    "start_kind": "flexible",
    "apply_method": "platform",
    "audience": "consortium",
    "languages_0_language": "en",
    "languages_0_level": "B2",
    "languages_1_language": "it",
    "languages_1_level": "B1",
    "languages_2_language": "",
    "languages_2_level": "",
    "skills_text": "SQL, Excel",
}


def test_an_officer_posts_and_publishes_a_job(client, people, home, settings, django_capture_on_commit_callbacks):
    from tests.factories import CompanyFactory

    company = CompanyFactory()
    WebhookEndpoint.objects.create(institution=home, url="https://hooks.example.org/in", event_types=["job.published"])
    client.force_login(people["officer"])
    response = client.post(reverse("jobs:create"), VALID | {"company": company.pk})
    job = Job.objects.get()
    assert response.url == job.get_absolute_url()
    assert job.status == JobStatus.DRAFT and job.posted_by == people["officer"] and job.institution == home
    assert "<script>" not in job.description_html and "<strong>data</strong>" in job.description_html
    assert [(lang.language, lang.level) for lang in job.languages.all()] == [("en", "B2"), ("it", "B1")]
    assert job.skills == ["Excel", "SQL"]
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("jobs:change-status", args=[job.pk, "publish"]))
    job.refresh_from_db()
    assert job.status == JobStatus.PUBLISHED and job.published_at
    assert WebhookDelivery.objects.get().payload["data"]["title"] == "Junior data analyst"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"deadline": "2001-01-01"}, "deadline", "The deadline is in the past."),
        ({"salary_min": "3000"}, "salary_min", "The minimum salary is above the maximum."),
        ({"country": "ZZ"}, "country", None),
        ({"languages_1_language": "xx"}, "languages", "Choose a language from the list."),
        ({"languages_1_level": ""}, "languages", "Choose the level for Italian."),
        ({"languages_1_language": "en"}, "languages", "Each language can be listed once."),
        ({"start_kind": "date"}, "start_date", "Give the start date, or choose immediate or flexible start."),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(client, people, change, field, message):
    from tests.factories import CompanyFactory

    client.force_login(people["officer"])
    response = client.post(reverse("jobs:create"), VALID | {"company": CompanyFactory().pk} | change)
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert errors[field] == [message]
    assert not Job.objects.exists()


@pytest.mark.parametrize("who", ["student", "academic", "other_admin"])
def test_only_staff_of_an_institution_post_for_it(client, people, who):
    client.force_login(people[who])
    status = client.get(reverse("jobs:create")).status_code
    assert status == (200 if who == "other_admin" else 404)


def test_search_finds_by_words_and_filters(client, jobs):
    JobFactory(title="Software engineer", description="Build **APIs**.", country="DE", city="Berlin", kind="graduate")
    page = client.get(reverse("jobs:index"), {"q": "marketing"}).content.decode()
    assert "Public marketing internship" in page and "Software engineer" not in page
    page = client.get(reverse("jobs:index"), {"country": "DE", "kind": "graduate"}).content.decode()
    assert "Software engineer" in page and "Public marketing internship" not in page


@pytest.mark.parametrize("q", ['"unclosed', "' OR 1=1; --", "marketing -intern", "ΑΒΓ 日本語 مرحبا", "a" * 200, "<b>"])
def test_any_search_text_answers(client, jobs, q):
    assert client.get(reverse("jobs:index"), {"q": q}).status_code == 200


def test_htmx_gets_the_results_only(client, jobs):
    response = client.get(reverse("jobs:index"), {"q": "marketing"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "Public marketing internship" in page and "<html" not in page


def test_list_page_costs_the_same_queries_at_any_size(client, people, settings):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Counted with the facets computed afresh, in a cache of the test's own (clearing the shared one
    # would disturb the tests beside it).
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "count"},
    }
    client.force_login(people["student"])

    def queries():
        client.get(reverse("jobs:index"))
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("jobs:index"), {"country": "IT", "q": "marketing"})
        return len(captured)

    JobFactory.create_batch(3)
    few = queries()
    JobFactory.create_batch(40)
    assert queries() == few <= 10


def test_job_pages_carry_job_posting_json_ld(client, jobs):
    job = jobs["public"]
    job.salary_min, job.salary_max, job.salary_currency = 1000, 1200, "EUR"
    job.save()  # a display field only: the search vector does not change
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    for key in (
        "title",
        "description",
        "datePosted",
        "hiringOrganization",
        "jobLocation",
        "validThrough",
        "employmentType",
        "baseSalary",
        "identifier",
        "directApply",
    ):
        assert key in data, key
    assert data["@type"] == "JobPosting" and data["employmentType"] == ["INTERN"]
    assert data["jobLocation"]["address"]["addressCountry"] == "IT"
    assert data["baseSalary"]["value"] == {
        "@type": "QuantitativeValue",
        "unitText": "MONTH",
        "minValue": 1000.0,
        "maxValue": 1200.0,
    }


def test_remote_jobs_say_where_applicants_may_live(client, jobs):
    job = jobs["public"]
    job.work_mode = "remote"
    job.save()
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["jobLocationType"] == "TELECOMMUTE" and data["applicantLocationRequirements"]["name"] == "IT"
    assert "jobLocation" not in data


def test_an_officer_closes_and_reopens_a_job(client, people, home):
    job = JobFactory(institution=home)
    client.force_login(people["officer"])
    client.post(reverse("jobs:change-status", args=[job.pk, "close"]))
    job.refresh_from_db()
    assert job.status == JobStatus.CLOSED
    response = client.post(reverse("jobs:change-status", args=[job.pk, "reopen"]), follow=True)
    job.refresh_from_db()
    assert job.status == JobStatus.PUBLISHED and "The job is now published." in response.content.decode()


def test_a_job_past_its_deadline_reopens_only_with_a_new_deadline(client, people, home):
    import datetime

    job = JobFactory(institution=home, status=JobStatus.EXPIRED, deadline=datetime.date(2020, 1, 1))
    client.force_login(people["officer"])
    response = client.post(reverse("jobs:change-status", args=[job.pk, "reopen"]), follow=True)
    job.refresh_from_db()
    assert job.status == JobStatus.EXPIRED
    assert "The deadline is in the past: move it before reopening." in response.content.decode()


@pytest.mark.parametrize("who", ["student", "other_officer"])
def test_others_cannot_reopen_a_job(client, people, home, who):
    job = JobFactory(institution=home, status=JobStatus.CLOSED, audience=Audience.OWN)
    client.force_login(people[who])
    assert client.post(reverse("jobs:change-status", args=[job.pk, "reopen"])).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.CLOSED


def test_an_edit_does_not_undo_a_status_change_made_meanwhile(people, home):
    from jobs import services

    job = JobFactory(institution=home)
    stale = Job.objects.get(pk=job.pk)  # the editor's copy, loaded before the job was closed
    services.close_job(job=job, by=people["admin"])
    stale.title = "Marketing intern (edited)"
    services.save_job(job=stale, languages=[], partner_institutions=[], by=people["officer"])
    job.refresh_from_db()
    assert (job.title, job.status) == ("Marketing intern (edited)", JobStatus.CLOSED)


def test_the_job_form_shows_every_field_once_in_its_sections(client, people):
    client.force_login(people["officer"])
    form = client.get(reverse("jobs:create")).context["form"]
    shown = [field.name for _legend, fields in form.sections() for field in fields]
    assert sorted(shown) == sorted(field.name for field in form.visible_fields())
