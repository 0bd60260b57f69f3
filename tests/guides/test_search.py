"""One search over guide editions and resources: who finds what, links to the matching section,
and, on PostgreSQL, each text matched and ranked in its own language."""

import re

import pytest
from django.urls import reverse

from guides.models import GuideEdition
from guides.services.search import REGCONFIGS, regconfig_for
from tests.guides.factories import ResourceFactory, publish_edition, section_texts

pytestmark = pytest.mark.django_db

SEARCH = reverse("guides:search")


@pytest.fixture
def world(home, other):
    french = publish_edition(
        "FR",
        "fr",
        content=section_texts(
            work_permits_and_visas="Le **titre de séjour** « talent » permet de travailler en France.",
            interviews="Préparez vos entretiens d'embauche.",
        ),
    )
    english = publish_edition(
        "DE",
        "en",
        content=section_texts(work_permits_and_visas="Graduates may stay 18 months to look for work with a permit."),
    )
    return {
        "french": french,
        "english": english,
        "student_resource": ResourceFactory(
            owner=home, title="Talent passport explained", description="The permit for graduates.", audience="both"
        ),
        "staff_resource": ResourceFactory(
            owner=other, title="Advising on permits", description="Work permit cases.", audience="staff"
        ),
    }


def result_titles(page: str) -> list[str]:
    return re.findall(r'<h3 class="h5 mb-1"[^>]*><a href="[^"]*">([^<]*)</a>', page)


def test_the_anonymous_find_guides_only(client, world):
    page = client.get(SEARCH, {"q": "permit"}).content.decode()
    assert result_titles(page) == ["Work permits and visas"]
    assert f'href="{world["english"].get_absolute_url()}#work-permits-and-visas"' in page


def test_students_find_guides_and_resources_for_students(client, people, world):
    client.force_login(people["student"])
    page = client.get(SEARCH, {"q": "permit"}).content.decode()
    assert sorted(result_titles(page)) == ["Talent passport explained", "Work permits and visas"]
    assert f'href="{world["student_resource"].get_absolute_url()}"' in page


def test_staff_find_staff_only_resources_too(client, people, world):
    client.force_login(people["officer"])
    page = client.get(SEARCH, {"q": "permit"}).content.decode()
    assert sorted(result_titles(page)) == ["Advising on permits", "Talent passport explained", "Work permits and visas"]


def test_each_result_shows_its_type_language_and_a_marked_snippet(client, world):
    page = client.get(SEARCH, {"q": "séjour"}).content.decode()
    assert result_titles(page) == ["Work permits and visas"]
    assert 'lang="fr"' in page and "French" in page and "Country guide" in page and "France" in page
    snippet = re.search(r'<p class="mb-0 small search-snippet"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "<mark>séjour</mark>" in snippet and "**" not in snippet


def test_filter_by_type_and_language(client, people, world):
    client.force_login(people["officer"])
    assert sorted(result_titles(client.get(SEARCH, {"q": "permit", "type": "resource"}).content.decode())) == [
        "Advising on permits",
        "Talent passport explained",
    ]
    assert result_titles(client.get(SEARCH, {"q": "permit", "type": "guide"}).content.decode()) == [
        "Work permits and visas"
    ]
    assert result_titles(client.get(SEARCH, {"q": "embauche", "language": "en"}).content.decode()) == []
    assert result_titles(client.get(SEARCH, {"q": "embauche", "language": "fr"}).content.decode()) == ["Interviews"]


def test_unpublished_editions_are_not_found(client, world):
    GuideEdition.objects.filter(pk=world["french"].pk).update(current_revision=None)
    assert result_titles(client.get(SEARCH, {"q": "séjour"}).content.decode()) == []


def test_snippets_are_escaped(client):
    publish_edition("IT", "it", content=section_texts(language='Il <script>alert("x")</script> colloquio.'))
    page = client.get(SEARCH, {"q": "colloquio"}).content.decode()
    snippet = re.search(r'<p class="mb-0 small search-snippet"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "<script" not in snippet and "<mark>colloquio</mark>" in snippet


def test_an_empty_search_shows_the_form_only(client, world):
    response = client.get(SEARCH)
    assert response.status_code == 200 and result_titles(response.content.decode()) == []


def test_htmx_gets_the_results_only(client, world):
    page = client.get(SEARCH, {"q": "permit"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in page and result_titles(page) == ["Work permits and visas"]


def test_results_are_paginated_keeping_the_query(client, people, home):
    for n in range(23):
        ResourceFactory(owner=home, title=f"Interview guide {n}")
    client.force_login(people["student"])
    page = client.get(SEARCH, {"q": "interview", "type": "resource"}).content.decode()
    assert len(result_titles(page)) == 20 and "q=interview&amp;type=resource&amp;page=2" in page
    page = client.get(SEARCH, {"q": "interview", "type": "resource", "page": 2}).content.decode()
    assert len(result_titles(page)) == 3


def test_a_search_costs_the_same_queries_whatever_the_number_of_results(
    client, people, home, django_assert_max_num_queries
):
    for country in ["FR", "DE", "IT", "ES"]:
        publish_edition(country, "en", content=section_texts(interviews="Interview tips for graduates."))
    for n in range(15):
        ResourceFactory(owner=home, title=f"Interview guide {n}")
    client.force_login(people["student"])
    # Session, user, roles, unread count, the menu's institution; the count, the page of rows,
    # the page's sections and its resources.
    with django_assert_max_num_queries(9):
        response = client.get(SEARCH, {"q": "interview"})
    assert len(result_titles(response.content.decode())) == 19


def test_every_consortium_language_has_its_own_configuration():
    assert {code: regconfig_for(code) for code in ["en", "es", "it", "fr", "de", "pt", "nl"]} == {
        "en": "english",
        "es": "spanish",
        "it": "italian",
        "fr": "french",
        "de": "german",
        "pt": "portuguese",
        "nl": "dutch",
    }
    assert regconfig_for("pl") == "simple" and regconfig_for("xx") == "simple"


# PostgreSQL: each text in its own language, ranked


@pytest.mark.postgres
def test_the_configurations_exist_in_postgresql():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config")
        installed = {row[0] for row in cursor.fetchall()}
    assert set(REGCONFIGS.values()) | {"simple"} <= installed


@pytest.mark.postgres
def test_each_edition_is_stemmed_in_its_own_language(client):
    publish_edition("DE", "de", content=section_texts(cv_and_cover_letter="Bewerbungen schreibt man förmlich."))
    publish_edition("ES", "es", content=section_texts(work_permits_and_visas="Los visados de trabajo."))
    publish_edition("GB", "en", content=section_texts(job_search="Graduate applications open in autumn."))
    assert result_titles(client.get(SEARCH, {"q": "Bewerbung"}).content.decode()) == ["CV and cover-letter norms"]
    assert result_titles(client.get(SEARCH, {"q": "visado"}).content.decode()) == ["Work permits and visas"]
    assert result_titles(client.get(SEARCH, {"q": "application"}).content.decode()) == ["Where to look for jobs"]


@pytest.mark.postgres
def test_resources_are_stemmed_in_their_own_language(client, people, home):
    ResourceFactory(owner=home, title="Bewerbungen richtig schreiben", language="de")
    ResourceFactory(owner=home, title="Entretiens d'embauche", language="fr")
    ResourceFactory(owner=home, title="Rozmowa kwalifikacyjna", language="pl")  # no stemmer: word for word
    client.force_login(people["student"])
    assert result_titles(client.get(SEARCH, {"q": "Bewerbung"}).content.decode()) == ["Bewerbungen richtig schreiben"]
    assert result_titles(client.get(SEARCH, {"q": "entretien"}).content.decode()) == ["Entretiens d&#x27;embauche"]
    assert result_titles(client.get(SEARCH, {"q": "rozmowa"}).content.decode()) == ["Rozmowa kwalifikacyjna"]
    assert result_titles(client.get(SEARCH, {"q": "rozmow"}).content.decode()) == []


@pytest.mark.postgres
def test_results_are_ranked_across_guides_and_resources(client, people, home):
    publish_edition(
        "IT",
        "en",
        content=section_texts(interviews="Interviews in Italy: interview etiquette, interview questions, interviews."),
    )
    ResourceFactory(owner=home, title="Interview", description="Questions asked at an interview in Italy.")
    ResourceFactory(owner=home, title="Workplace culture", description="A short note that mentions an interview.")
    client.force_login(people["student"])
    titles = result_titles(client.get(SEARCH, {"q": "interview"}).content.decode())
    assert titles[-1] == "Workplace culture" and set(titles[:2]) == {"Interview", "Interviews"}


@pytest.mark.postgres
def test_the_library_list_ranks_a_title_match_first(client, people, home):
    ResourceFactory(owner=home, title="Networking basics", description="Then prepare your cover letters.")
    ResourceFactory(owner=home, title="Cover letters that work", description="Examples.")
    client.force_login(people["student"])
    page = client.get(reverse("guides:resource-list"), {"q": "cover letter"}).content.decode()
    assert page.index("Cover letters that work") < page.index("Networking basics")


@pytest.mark.postgres
def test_the_stored_vector_follows_an_edit(people, home):
    from guides.models import Resource
    from guides.services.resources import save_resource

    resource = ResourceFactory(owner=home, title="Old words")
    resource.title = "Salary negotiation"
    save_resource(resource=resource, by=people["officer"])
    assert Resource.objects.filter(search_vector="salary").exists()
    assert not Resource.objects.filter(search_vector="old").exists()


@pytest.mark.postgres
def test_the_library_search_and_country_filter_can_use_gin_indexes(home):
    """The migration creates GIN indexes on the stored vector and the JSON lists; the queries must be
    shaped so that PostgreSQL can use them (a constant query, a containment test)."""
    from django.db import connection

    from guides.models import Resource
    from guides.services.search import search_resources

    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX test_resource_search ON guides_resource USING gin (search_vector)")
        cursor.execute("CREATE INDEX test_resource_countries ON guides_resource USING gin (countries)")
        cursor.execute("SET LOCAL enable_seqscan = off")
    ResourceFactory(owner=home, title="Interview tips", countries=["ES"])
    assert "test_resource_search" in search_resources(Resource.objects.all(), "interview").explain()
    assert "test_resource_countries" in Resource.objects.with_country("ES").explain()
