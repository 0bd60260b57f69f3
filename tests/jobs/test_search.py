"""The search page's facet counts and the filter by the languages a student speaks."""

import pytest
from django.urls import reverse

from consortium.models import UserLanguage
from jobs.models import JobLanguage
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db


def option_label(page: str, value: str, select: str = "") -> str:
    """The label of an option of the filter form (of the select named, where values repeat)."""
    import re

    filters = page[page.index('id="job-filters"') :]
    if select:
        filters = filters[filters.index(f'name="{select}"') :]
    return re.search(rf'<option value="{value}"[^>]*>([^<]*)</option>', filters).group(1)


def test_filters_show_how_many_results_each_value_has(client):
    JobFactory.create_batch(2, country="IT", kind="internship", fields_of_study=["04"])
    JobFactory(country="ES", kind="graduate", paid=False, fields_of_study=["04", "06"])
    JobLanguage.objects.create(job=JobFactory(country="ES", kind="graduate"), language="es", level="B2")
    page = client.get(reverse("jobs:index")).content.decode()
    assert option_label(page, "IT") == "Italy (2)" and option_label(page, "ES") == "Spain (2)"
    assert option_label(page, "FR") == "France"  # no result: no number
    assert option_label(page, "graduate") == "Graduate job (2)"
    assert option_label(page, "04") == "Business, administration and law (3)"
    assert option_label(page, "06") == "Information and communication technologies (1)"
    assert option_label(page, "false", "paid") == "No (1)" and option_label(page, "true", "paid") == "Yes (3)"
    assert "4 offers" in page
    # Counts follow the other filters.
    page = client.get(reverse("jobs:index"), {"country": "ES"}).content.decode()
    assert option_label(page, "graduate") == "Graduate job (2)" and option_label(page, "internship") == "Internship"
    assert option_label(page, "es", "language") == "Spanish (1)" and "2 offers" in page


def test_counts_are_kept_a_minute_while_results_are_always_current(client, settings):
    from django.core.cache import cache

    # A cache of this test's own: clearing the shared one would disturb tests running beside it.
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "facets"},
    }
    JobFactory(country="IT")
    assert option_label(client.get(reverse("jobs:index")).content.decode(), "IT") == "Italy (1)"
    JobFactory(country="IT", title="Posted a moment later")
    page = client.get(reverse("jobs:index")).content.decode()
    assert option_label(page, "IT") == "Italy (1)" and "Posted a moment later" in page
    cache.clear()  # a minute later
    assert option_label(client.get(reverse("jobs:index")).content.decode(), "IT") == "Italy (2)"


def test_htmx_updates_the_counts_with_the_results(client):
    JobFactory(country="IT", kind="graduate")
    page = client.get(reverse("jobs:index"), {"country": "IT"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="job-filters" hx-swap-oob="true"' in page and option_label(page, "graduate") == "Graduate job (1)"


@pytest.fixture
def offers():
    def offer(title, *languages):
        job = JobFactory(title=title)
        for code, level in languages:
            JobLanguage.objects.create(job=job, language=code, level=level)
        return job

    return [
        offer("No language asked"),
        offer("English B2", ("en", "B2")),
        offer("English C2", ("en", "C2")),
        offer("English and German", ("en", "B1"), ("de", "B1")),
    ]


def titles(client, **params):
    page = client.get(reverse("jobs:index"), params).content.decode()
    return {title for title in ("No language asked", "English B2", "English C2", "English and German") if title in page}


def test_only_jobs_whose_languages_i_speak(client, people, offers):
    student = people["student"]
    UserLanguage.objects.create(user=student, language="en", level="C1")
    client.force_login(student)
    assert titles(client, my_languages="on") == {"No language asked", "English B2"}
    UserLanguage.objects.create(user=student, language="de", level="B2")
    assert titles(client, my_languages="on") == {"No language asked", "English B2", "English and German"}
    assert len(titles(client)) == 4  # the box unticked: everything


def test_without_languages_on_the_profile_only_jobs_that_ask_for_none(client, people, offers):
    client.force_login(people["student"])
    assert titles(client, my_languages="on") == {"No language asked"}


def test_the_anonymous_are_not_offered_the_language_box(client, offers):
    page = client.get(reverse("jobs:index")).content.decode()
    assert 'name="my_languages"' not in page and len(titles(client)) == 4


def test_the_profile_keeps_the_languages_a_person_speaks(client, people):
    student = people["student"]
    client.force_login(student)
    form = {"full_name": "Ana", "preferred_language": "en", "time_zone": "UTC"}
    rows = {"languages_0_language": "en", "languages_0_level": "C1", "languages_1_language": "it"}
    response = client.post(reverse("consortium:profile"), form | rows | {"languages_1_level": ""})
    assert response.context["form"].errors == {"languages": ["Choose the level for Italian."]}
    assert not UserLanguage.objects.filter(user=student).exists()
    response = client.post(reverse("consortium:profile"), form | rows | {"languages_1_level": "B1"})
    assert response.status_code == 302
    assert set(UserLanguage.objects.filter(user=student).values_list("language", "level")) == {
        ("en", "C1"),
        ("it", "B1"),
    }
    page = client.get(reverse("consortium:profile")).content.decode()
    assert '<option value="it" selected>' in page


def test_the_next_page_keeps_the_whole_search(client):
    JobFactory.create_batch(21, country="IT", kind="graduate")
    page = client.get(reverse("jobs:index"), {"country": "IT", "kind": "graduate", "page": "1"}).content.decode()
    assert 'href="?country=IT&amp;kind=graduate&amp;page=2"' in page


def test_a_result_card_shows_the_company_place_kind_work_mode_and_deadline(client):
    import datetime

    from jobs.models import JobKind, WorkMode

    JobFactory(
        title="Data trainee",
        company__name="Acme Analytics",
        city="Lyon",
        country="FR",
        kind=JobKind.TRAINEESHIP,
        work_mode=WorkMode.HYBRID,
        deadline=datetime.date(2031, 5, 17),
    )
    page = client.get(reverse("jobs:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Acme Analytics · Lyon, France · Erasmus+ traineeship · Hybrid" in page
    assert "Apply by 05/17/2031" in page


def test_the_countries_are_named_and_sorted_in_the_page_language(client):
    JobFactory(country="DE")
    english = client.get(reverse("jobs:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    german = client.get(reverse("jobs:index"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert option_label(english, "DE") == "Germany (1)" and option_label(german, "DE") == "Deutschland (1)"
    # Sorted by the translated name: Germany comes after Finland in English, before it in German ("Finnland").
    assert english.index('value="FI"') < english.index('value="DE"')
    assert german.index('value="DE"') < german.index('value="FI"')
    assert option_label(client.get(reverse("jobs:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode(), "DE") == (
        "Germany (1)"
    )


def test_each_filter_offers_its_any_option_once_and_keeps_what_was_chosen(client):
    JobFactory(country="IT", kind="internship")
    page = client.get(reverse("jobs:index"), {"country": "IT", "kind": "internship", "q": 'a "b" <c>'}).content
    page = page.decode()
    filters = page[page.index('id="job-filters"') : page.index("</aside>")]
    assert filters.count(">Any country</option>") == 1 and filters.count(">Any kind</option>") == 1
    assert '<option value="IT" selected>' in filters and '<option value="internship" selected>' in filters
    assert '<option value="">Any country</option>' in filters  # chosen: "any" is not
    assert '<option value="" selected>Any</option>' in filters[filters.index('name="work_mode"') :]
    assert 'value="a &quot;b&quot; &lt;c&gt;"' in filters  # the search words, escaped
    assert '<input type="date" name="deadline_after"' in filters


def test_a_filter_with_a_bad_value_is_named_with_its_message(client):
    page = client.get(reverse("jobs:index"), {"deadline_after": "soon", "country": "XX"}).content.decode()
    assert 'name="deadline_after" id="id_deadline_after" value="soon"' in page
    assert '<div class="invalid-feedback d-block" id="id_deadline_after_error">Enter a valid date.</div>' in page
    assert 'id="id_country_error">Select a valid choice. XX is not one of the available choices.</div>' in page
