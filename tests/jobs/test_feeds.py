"""The Atom feed of a job search."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.models import Audience, JobStatus
from tests.factories import CompanyFactory
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db

ATOM = {"atom": "http://www.w3.org/2005/Atom"}
SITE = "https://careers.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def feed(client, **query):
    response = client.get(reverse("jobs:feed"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own feed, not outside input


def titles(root):
    return [entry.findtext("atom:title", namespaces=ATOM) for entry in root.findall("atom:entry", ATOM)]


def test_an_entry_has_the_title_link_company_and_times(client, home):
    company = CompanyFactory(name="Acme <Labs>")
    published = timezone.now() - datetime.timedelta(hours=2)
    job = JobFactory(institution=home, company=company, title="Data intern", city="Bologna", published_at=published)
    root = feed(client)
    [entry] = root.findall("atom:entry", ATOM)
    assert entry.findtext("atom:title", namespaces=ATOM) == "Data intern"
    assert entry.find("atom:link", ATOM).get("href") == f"{SITE}{job.get_absolute_url()}"
    assert entry.findtext("atom:author/atom:name", namespaces=ATOM) == "Acme <Labs>"
    assert entry.findtext("atom:published", namespaces=ATOM) == published.isoformat()
    assert entry.findtext("atom:updated", namespaces=ATOM) == job.updated_at.isoformat()
    # The summary is HTML to a reader: the company's name arrives escaped, not as markup.
    assert entry.findtext("atom:summary", namespaces=ATOM).startswith("Acme &lt;Labs&gt; · Bologna, Italy")
    assert root.findtext("atom:title", namespaces=ATOM) == "Jobs and internships · Career Consortium"


def test_the_feed_filters_like_the_search_page(client, home):
    JobFactory(institution=home, title="Marketing in Milan", country="IT")
    JobFactory(institution=home, title="Marketing in Madrid", country="ES", city="Madrid")
    JobFactory(institution=home, title="Engineering in Turin", country="IT", description="Build things.")
    root = feed(client, q="marketing", country="IT")
    assert titles(root) == ["Marketing in Milan"]
    assert "marketing" in root.findtext("atom:title", namespaces=ATOM)
    alternate = [link.get("href") for link in root.findall("atom:link", ATOM) if link.get("rel") == "alternate"]
    assert alternate == [f"{SITE}/jobs/?q=marketing&country=IT"]


def test_the_feed_shows_only_what_anonymous_visitors_see_even_to_a_signed_in_reader(client, people, home, other):
    JobFactory(institution=home, title="Public")
    JobFactory(institution=home, title="Members only", require_login=True)
    JobFactory(institution=home, title="Campus", audience=Audience.OWN)
    JobFactory(institution=other, title="Partners", audience=Audience.PARTNERS).partner_institutions.add(home)
    JobFactory(institution=home, title="Draft", status=JobStatus.DRAFT)
    JobFactory(institution=home, title="Closed", status=JobStatus.CLOSED)
    client.force_login(people["officer"])
    assert titles(feed(client)) == ["Public"]


def test_the_feed_holds_the_fifty_newest(client, home):
    now = timezone.now()
    for n in range(55):
        JobFactory(institution=home, title=f"Job {n}", published_at=now - datetime.timedelta(minutes=n))
    assert titles(feed(client, page="3")) == [f"Job {n}" for n in range(50)]


@pytest.mark.parametrize(
    "query",
    [{"country": "ZZ"}, {"deadline_after": "not-a-date"}, {"q": "x" * 300}, {"sort": "cheapest", "kind": "nope"}],
)
def test_a_bad_query_gives_an_empty_feed_not_an_error(client, home, query):
    JobFactory(institution=home)
    assert titles(feed(client, **query)) == []


def test_the_feed_takes_a_fixed_number_of_queries(client, home, django_assert_max_num_queries):
    for _ in range(20):
        JobFactory(institution=home)
    with django_assert_max_num_queries(3):
        assert len(titles(feed(client, country="IT"))) == 20


def test_control_characters_in_a_search_do_not_break_the_feed(client, home):
    JobFactory(institution=home, title="Marketing intern")
    assert titles(feed(client, q="market\x01ing")) == []


def test_a_job_with_control_characters_is_refused_naming_the_field(people, home):
    from django.core.exceptions import ValidationError

    from jobs import services

    job = JobFactory.build(institution=home, title="Intern\x0bship")
    job.company.save()
    with pytest.raises(ValidationError) as refused:
        services.save_job(job=job, languages=[], partner_institutions=[], by=people["officer"])
    assert refused.value.message_dict == {"title": ["Remove the invisible control characters."]}
