"""Saved jobs and saved searches in the browser: saving, the lists, who may touch what."""

import pytest
from django.urls import reverse

from consortium.models import ConsentRecord, NotificationPreference, Role
from jobs.models import Audience, JobStatus, SavedJob, SavedSearch
from jobs.services import alerts
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(home):
    return JobFactory(institution=home, title="Marketing assistant")


def save_url(job, action="save"):
    return reverse("jobs:save-job", args=[job.pk, action])


# Saved jobs


def test_saving_and_unsaving_a_job_twice_changes_nothing_the_second_time(client, people, job):
    client.force_login(people["student"])
    for _ in range(2):
        response = client.post(save_url(job))
        assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert list(SavedJob.objects.values_list("user", "job")) == [(people["student"].pk, job.pk)]
    for _ in range(2):
        client.post(save_url(job, "unsave"))
    assert not SavedJob.objects.exists()


def test_with_htmx_the_button_is_swapped_for_its_new_state(client, people, job):
    client.force_login(people["student"])
    page = client.get(job.get_absolute_url()).content.decode()
    assert f'hx-post="{save_url(job)}"' in page and "Save job" in page
    response = client.post(save_url(job), headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert response.status_code == 200 and "<html" not in fragment
    assert f'hx-post="{save_url(job, "unsave")}"' in fragment and 'aria-pressed="true"' in fragment
    assert f'hx-post="{save_url(job, "unsave")}"' in client.get(job.get_absolute_url()).content.decode()


def test_a_job_one_cannot_see_cannot_be_saved(client, people, other):
    theirs = JobFactory(institution=other, audience=Audience.OWN)
    client.force_login(people["student"])
    assert client.post(save_url(theirs)).status_code == 404
    assert client.post(save_url(theirs, "unsave")).status_code == 404
    assert not SavedJob.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [("jobs:saved", "get"), ("jobs:saved-searches", "get"), ("jobs:saved-search-create", "get")],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, name, method):
    response = getattr(client, method)(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_anonymous_visitors_cannot_save_and_are_offered_to_sign_in(client, job):
    response = client.post(save_url(job))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not SavedJob.objects.exists()
    assert "Sign in to save this job" in client.get(job.get_absolute_url()).content.decode()


def test_saved_jobs_show_closed_ones_as_closed_and_hide_what_one_may_no_longer_see(client, people, home, other):
    student = people["student"]
    kept = JobFactory(institution=home, title="Still open")
    closed = JobFactory(institution=home, title="Filled role")
    narrowed = JobFactory(institution=other, title="Now campus only")
    for job in (kept, closed, narrowed):
        SavedJob.objects.create(user=student, job=job)
    SavedJob.objects.create(user=people["officer"], job=JobFactory(institution=home, title="Officer's pick"))
    closed.status = JobStatus.CLOSED
    closed.save()
    narrowed.audience = Audience.OWN
    narrowed.save()
    client.force_login(student)
    page = client.get(reverse("jobs:saved")).content.decode()
    assert f'href="{kept.get_absolute_url()}"' in page
    assert "Filled role" in page and f'href="{closed.get_absolute_url()}"' not in page and "Closed" in page
    assert "Now campus only" not in page and "Officer&#x27;s pick" not in page
    response = client.post(save_url(closed, "unsave"), {"next": reverse("jobs:saved")})
    assert response.url == reverse("jobs:saved")
    assert set(SavedJob.objects.filter(user=student).values_list("job", flat=True)) == {kept.pk, narrowed.pk}


def test_the_saved_jobs_page_takes_a_fixed_number_of_queries(client, people, home, django_assert_max_num_queries):
    student = people["student"]
    for _ in range(25):
        SavedJob.objects.create(user=student, job=JobFactory(institution=home))
    client.force_login(student)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("jobs:saved"))
    assert response.content.decode().count("Remove") == 25


# Saved searches


def test_the_search_page_offers_the_feed_to_all_and_saving_to_signed_in_people(client, people):
    page = client.get(reverse("jobs:index"), {"q": "sales", "country": "IT", "page": "2"}).content.decode()
    assert 'type="application/atom+xml"' in page and 'href="/jobs/feed/?q=sales&amp;country=IT"' in page
    assert "Save this search" not in page
    client.force_login(people["student"])
    page = client.get(reverse("jobs:index"), {"q": "sales", "country": "IT"}).content.decode()
    assert 'name="query" value="q=sales&amp;country=IT"' in page


def test_htmx_searches_bring_the_save_and_feed_links_up_to_date(client, people):
    client.force_login(people["student"])
    fragment = client.get(reverse("jobs:index"), {"kind": "graduate"}, headers={"HX-Request": "true"}).content.decode()
    assert 'id="search-actions" class="d-flex flex-wrap gap-2 ms-auto" hx-swap-oob="true"' in fragment
    assert 'name="query" value="kind=graduate"' in fragment and "/jobs/feed/?kind=graduate" in fragment


def test_a_student_saves_a_search_as_an_alert_and_agrees_to_emails(client, people):
    student = people["student"]
    client.force_login(student)
    form = client.get(reverse("jobs:saved-search-create"), {"query": "q=sales&country=IT&page=2"})
    page = form.content.decode()
    assert 'name="email"' in page and 'value="q=sales&amp;country=IT"' in page and "Italy" in page
    response = client.post(
        reverse("jobs:saved-search-create"),
        {
            "name": "Sales in Italy",
            "query": "q=sales&country=IT",
            "frequency": "daily",
            "is_active": "on",
            "email": "on",
        },
    )
    assert response.status_code == 302 and response.url == reverse("jobs:saved-searches")
    saved = SavedSearch.objects.get()
    assert (saved.user, saved.name, saved.query, saved.frequency, saved.is_active) == (
        student,
        "Sales in Italy",
        "q=sales&country=IT",
        "daily",
        True,
    )
    assert NotificationPreference.objects.get(user=student, kind="job.alert").email
    assert ConsentRecord.objects.get(user=student, kind="job.alert").source == ConsentRecord.Source.OPT_IN_FORM
    assert 'name="email"' not in client.get(reverse("jobs:saved-search-create")).content.decode()


def test_saving_a_search_without_the_email_box_records_no_consent(client, people):
    client.force_login(people["student"])
    client.post(reverse("jobs:saved-search-create"), {"name": "Any", "query": "", "frequency": "weekly"})
    saved = SavedSearch.objects.get()
    assert not saved.is_active  # the box was left unticked
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"frequency": "hourly"}, "Select a valid choice. hourly is not one of the available choices."),
        ({"name": ""}, "This field is required."),
        ({"query": "country=ZZ"}, "This search has a filter that is not valid."),
    ],
)
def test_bad_input_is_shown_on_the_form_and_saves_nothing(client, people, change, message):
    client.force_login(people["student"])
    data = {"name": "Mine", "query": "country=IT", "frequency": "daily", "is_active": "on"} | change
    response = client.post(reverse("jobs:saved-search-create"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_past_the_limit_the_form_says_why(client, people):
    student = people["student"]
    for n in range(alerts.MAX_SAVED_SEARCHES):
        alerts.save_search(user=student, name=f"Search {n}", query="")
    client.force_login(student)
    response = client.post(reverse("jobs:saved-search-create"), {"name": "One more", "query": "", "frequency": "daily"})
    assert "You can keep up to 20 saved searches." in response.content.decode()
    assert SavedSearch.objects.count() == 20


@pytest.fixture
def saved(people):
    return alerts.save_search(user=people["student"], name="Italy", query="country=IT", frequency="weekly")


def test_the_owner_changes_the_alert_and_deletes_the_search(client, people, saved):
    client.force_login(people["student"])
    prefix = f"alert-{saved.pk}"
    page = client.get(reverse("jobs:saved-searches")).content.decode()
    assert 'href="/jobs/?country=IT"' in page and 'href="/jobs/feed/?country=IT"' in page
    response = client.post(reverse("jobs:saved-search-edit", args=[saved.pk]), {f"{prefix}-frequency": "daily"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.frequency, saved.is_active) == ("daily", False)
    response = client.post(reverse("jobs:saved-search-edit", args=[saved.pk]), {f"{prefix}-frequency": "yearly"})
    assert response.status_code == 400 and "Select a valid choice." in response.content.decode()
    saved.refresh_from_db()
    assert saved.frequency == "daily"
    client.post(reverse("jobs:saved-search-delete", args=[saved.pk]))
    assert not SavedSearch.objects.exists()


def test_an_alert_whose_search_became_invalid_can_still_be_turned_off(client, people, saved):
    SavedSearch.objects.filter(pk=saved.pk).update(query="country=XX")  # a filter that no longer exists
    client.force_login(people["student"])
    response = client.post(reverse("jobs:saved-search-edit", args=[saved.pk]), {f"alert-{saved.pk}-frequency": "daily"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.frequency, saved.is_active) == ("daily", False)


@pytest.mark.parametrize("role", ["officer", "other_officer", "consortium_admin"])
def test_nobody_else_reaches_a_saved_search(client, people, saved, role):
    client.force_login(people[role])
    edit = client.post(reverse("jobs:saved-search-edit", args=[saved.pk]), {f"alert-{saved.pk}-frequency": "daily"})
    assert edit.status_code == 404
    assert client.post(reverse("jobs:saved-search-delete", args=[saved.pk])).status_code == 404
    assert "Italy" not in client.get(reverse("jobs:saved-searches")).content.decode()
    saved.refresh_from_db()
    assert saved.frequency == "weekly"


def test_anonymous_visitors_cannot_change_a_saved_search(client, saved):
    response = client.post(reverse("jobs:saved-search-delete", args=[saved.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert SavedSearch.objects.exists()


def test_the_saved_searches_page_takes_a_fixed_number_of_queries(client, make_user, django_assert_max_num_queries):
    student = make_user(Role.STUDENT)
    for n in range(alerts.MAX_SAVED_SEARCHES):
        alerts.save_search(user=student, name=f"Search {n}", query=f"q=word{n}")
    client.force_login(student)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("jobs:saved-searches"))
    assert response.content.decode().count("Delete<span") == 20
