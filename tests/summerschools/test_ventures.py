"""Ventures founded by participants: adding with its rules, who edits, the public page and the API."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from consortium import services as core
from consortium.models import Role
from consortium.services.privacy import erase_account, export_personal_data
from summerschools.models import AlumniProfile, Venture
from summerschools.services import alumni

from .alumni_fixtures import past_edition, past_fixture, took_part  # noqa: F401 - past_fixture is a fixture

THIS_YEAR = timezone.localdate().year
BEFORE = f"The venture cannot be founded before the summer school ({THIS_YEAR})."


def form(founders, **fields) -> dict:
    return {
        "name": "Circular Co",
        "description": "We **reuse** packaging.",
        "website": "https://circular.example",
        "founded_year": THIS_YEAR,
        "country": "PT",
        "founders": [f.pk for f in founders],
    } | fields


def add(client, user, edition, data):
    client.force_login(user)
    return client.post(f"/summer-schools/{edition.slug}/ventures/new/", data)


@pytest.fixture
def venture(past, cast):
    return alumni.save_venture(
        venture=Venture(edition=past, name="Circular Co", founded_year=THIS_YEAR),
        founders=[cast["student"], cast["other_student"]],
        by=cast["student"],
    )


@pytest.mark.parametrize("who", ["student", "host_organiser", "consortium_admin"])
def test_a_founder_an_organiser_or_an_admin_adds_a_venture(client, past, cast, who):
    response = add(client, cast[who], past, form([cast["student"]]))
    assert response.status_code == 302 and response.url == "/summer-schools/lisbon-lab/#ventures"
    venture = Venture.objects.get()
    assert (venture.name, venture.edition, venture.added_by) == ("Circular Co", past, cast[who])
    assert list(venture.founders.all()) == [cast["student"]]


@pytest.mark.parametrize("who", ["classmate", "colleague", "organiser"])
def test_others_may_not_add_one(client, past, cast, who):
    assert add(client, cast[who], past, form([cast["student"]])).status_code == 403
    assert not Venture.objects.exists()


def test_an_alumnus_adds_only_a_venture_they_founded(client, past, cast):
    response = add(client, cast["student"], past, form([cast["other_student"]]))
    assert response.context["form"].errors == {"founders": ["Add yourself among the founders."]}


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"founded_year": 2020}, {"founded_year": [BEFORE]}),
        ({"founded_year": THIS_YEAR + 1}, {"founded_year": ["The year founded cannot be in the future."]}),
        ({"website": "ftp://files.example"}, {"website": ["Give a web address starting with http:// or https://."]}),
        ({"website": "javascript:alert(1)"}, {"website": ["Give a web address starting with http:// or https://."]}),
        ({"founded_year": 1800}, {"founded_year": ["Ensure this value is greater than or equal to 1900."]}),
        ({"founded_year": "soon"}, {"founded_year": ["Enter a whole number."]}),
        ({"founders": []}, {"founders": ["Choose at least one founder."]}),
        ({"founders": [2**70]}, {"founders": ["Choose the founders among the participants of this summer school."]}),
        ({"name": ""}, {"name": ["This field is required."]}),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_message_on_its_field(client, past, cast, fields, errors):
    response = add(client, cast["host_organiser"], past, form([cast["student"]]) | fields)
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert not Venture.objects.exists()


def test_a_founder_must_have_taken_part(client, past, cast, host):
    dropout = cast["classmate"]
    took_part(past, dropout, completed=False)
    response = add(client, cast["host_organiser"], past, form([cast["student"], dropout]))
    assert response.context["form"].errors == {
        "founders": ["Choose the founders among the participants of this summer school."]
    }
    with pytest.raises(Exception, match="did not take part"):
        alumni.save_venture(
            venture=Venture(edition=past, name="X", founded_year=THIS_YEAR),
            founders=[dropout],
            by=cast["host_organiser"],
        )
    assert not Venture.objects.exists()


def test_a_name_is_used_once_per_edition(client, venture, past, cast):
    response = add(client, cast["host_organiser"], past, form([cast["student"]], name="circular co"))
    assert response.context["form"].errors == {"name": ["A venture of this edition has this name already."]}


@pytest.mark.parametrize(
    ("who", "status"),
    [("student", 302), ("other_student", 302), ("host_organiser", 302), ("consortium_admin", 302),
     ("classmate", 403), ("colleague", 403), ("other_organiser", 403)],
)  # fmt: skip
def test_who_edits_a_venture(client, venture, cast, who, status):
    client.force_login(cast[who])
    response = client.post(f"/summer-schools/ventures/{venture.pk}/edit/", form([cast["student"]], name="Renamed"))
    assert response.status_code == status
    venture.refresh_from_db()
    assert (venture.name == "Renamed") == (status == 302)


def test_deleting_a_venture(client, venture, cast):
    client.force_login(cast["classmate"])
    assert client.post(f"/summer-schools/ventures/{venture.pk}/delete/").status_code == 403
    client.force_login(cast["other_student"])
    assert client.post(f"/summer-schools/ventures/{venture.pk}/delete/").status_code == 302
    assert not Venture.objects.exists()


def test_a_venture_of_a_draft_edition_is_404(client, host, cast):
    draft = past_edition(host, status="draft", organisers=[cast["host_organiser"]])
    took_part(draft, cast["student"])
    hidden = Venture.objects.create(edition=draft, name="Hidden", founded_year=THIS_YEAR)
    client.force_login(cast["classmate"])
    assert client.get(f"/summer-schools/ventures/{hidden.pk}/edit/").status_code == 404
    assert "Hidden" not in client.get("/summer-schools/ventures/").text


def test_the_public_page_names_only_founders_in_the_directory(client, venture, cast, past):
    AlumniProfile.objects.create(user=cast["student"], current_role="CEO")
    response = client.get("/summer-schools/ventures/")
    assert response.status_code == 200
    assert "Sara Student" in response.text and "Theo Other" not in response.text
    assert "a participant of Lisbon Impact Lab" in response.text
    assert "<strong>reuse</strong>" not in response.text  # no description on this one
    page = client.get("/summer-schools/lisbon-lab/")
    assert "Circular Co" in page.text and "Sara Student" in page.text and "Theo Other" not in page.text


def test_the_public_page_counts_and_filters(client, past, cast, host, django_assert_max_num_queries):
    other = past_edition(host, title="Porto Ventures", slug="porto", year=THIS_YEAR - 2)
    for n in range(3):
        took_part(other, founder := cast["classmate"]) if n == 0 else None
        Venture.objects.create(edition=other, name=f"Porto {n}", founded_year=THIS_YEAR - n).founders.add(founder)
    Venture.objects.create(
        edition=past, name="Lisbon 1", founded_year=THIS_YEAR, description="*x*", description_html="<p><em>x</em></p>"
    )
    with django_assert_max_num_queries(8):
        response = client.get("/summer-schools/ventures/")
    assert [(e.title, e.venture_count) for e in response.context["counts"]] == [
        ("Lisbon Impact Lab", 1),
        ("Porto Ventures", 3),
    ]
    assert "<em>x</em>" in response.text
    names = lambda q: sorted(v.name for v in client.get("/summer-schools/ventures/", q).context["page"])  # noqa: E731
    assert names({"edition": "porto"}) == ["Porto 0", "Porto 1", "Porto 2"]
    assert names({"year": THIS_YEAR}) == ["Lisbon 1", "Porto 0"]


def test_export_and_erase_a_founder(venture, cast):
    exported = export_personal_data(user=cast["student"])["summerschools"]["ventures_founded"]
    assert exported == [
        {"name": "Circular Co", "edition": "Lisbon Impact Lab", "founded_year": THIS_YEAR, "website": ""}
    ]
    erase_account(user=cast["student"])
    assert list(Venture.objects.get().founders.all()) == [cast["other_student"]]


@pytest.fixture
def api(home, make_user, settings):
    settings.SYNC_SETTLE_SECONDS = 0
    admin = make_user(Role.PARTNER_ADMIN)

    def make(*scopes):
        _api_key, raw = core.create_api_key(institution=home, name="SIS", scopes=list(scopes), by=admin)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        return client

    return make


def test_the_api_lists_ventures_with_filters(api, venture, cast, past, host, django_assert_max_num_queries):
    AlumniProfile.objects.create(user=cast["student"], current_role="CEO")
    Venture.objects.create(edition=past_edition(host, slug="old", year=2020), name="Old", founded_year=2021)
    client = api("events:read")
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/summer-school-ventures/")
    assert response.status_code == 200
    results = response.json()["results"]
    item = next(r for r in results if r["name"] == "Circular Co")
    assert item["edition"] == "lisbon-lab" and item["founders"] == ["Sara Student"] and item["founder_count"] == 2
    assert [r["name"] for r in client.get("/api/v1/summer-school-ventures/?edition=old").json()["results"]] == ["Old"]
    assert [r["name"] for r in client.get("/api/v1/summer-school-ventures/?year=2021").json()["results"]] == ["Old"]
    assert api("jobs:read").get("/api/v1/summer-school-ventures/").status_code == 403


def test_the_api_schema_documents_ventures(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/summer-school-ventures/" in schema
    assert "founder_count" in schema and "founded_year" in schema


def test_the_description_is_rendered_once_when_saved_and_shown_as_stored(client, past, cast):
    venture = alumni.save_venture(
        venture=Venture(
            edition=past, name="Safe Co", founded_year=THIS_YEAR, description="**Bold** <script>x</script>"
        ),
        founders=[cast["student"]],
        by=cast["student"],
    )
    assert "<strong>Bold</strong>" in venture.description_html and "<script" not in venture.description_html
    # Pages and the API show what was stored: nothing is rendered again per request.
    Venture.objects.filter(pk=venture.pk).update(description="changed behind the service's back")
    assert "<strong>Bold</strong>" in client.get("/summer-schools/ventures/").text
