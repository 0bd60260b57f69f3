"""The resource library's pages: list with filters and facets, a resource's page, sharing, editing,
deleting, downloads and counted links."""

import re

import pytest
from django.urls import reverse

from consortium.facets import facet_counts
from consortium.models import Role
from guides.models import Resource, ResourceDownload
from guides.services.search import RESOURCE_FACETS
from tests.guides.factories import ResourceFactory, pdf_upload

pytestmark = pytest.mark.django_db

LIST = reverse("guides:resource-list")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def option_label(page: str, select: str, value: str) -> str:
    filters = page[page.index('id="resource-filters"') :]
    filters = filters[filters.index(f'name="{select}"') :]
    return re.search(rf'<option value="{re.escape(value)}"[^>]*>([^<]*)</option>', filters).group(1)


# The list


def test_the_library_asks_the_anonymous_to_sign_in(client):
    ResourceFactory()
    response = client.get(LIST)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_students_see_no_staff_only_resource_nor_the_audience_filter(client, people, home, other):
    ResourceFactory(owner=other, title="Visa briefing for advisers", audience="staff")
    ResourceFactory(owner=other, title="Europass sample", audience="both")
    client.force_login(people["student"])
    page = client.get(LIST).content.decode()
    assert "Europass sample" in page and "Visa briefing" not in page and 'name="audience"' not in page
    # Asking for staff-only resources by hand finds nothing either.
    assert "Visa briefing" not in client.get(LIST, {"audience": "staff"}).content.decode()


def test_staff_see_and_filter_by_audience(client, people, other):
    ResourceFactory(owner=other, title="Visa briefing for advisers", audience="staff")
    ResourceFactory(owner=other, title="Europass sample", audience="both")
    client.force_login(people["officer"])
    page = client.get(LIST, {"audience": "staff"}).content.decode()
    assert "Visa briefing" in page and "Europass sample" not in page
    assert option_label(page, "audience", "staff") == "Staff (1)"


def test_filters_show_how_many_results_each_value_has(client, people, home):
    ResourceFactory(owner=home, kind="cv_template", language="de", countries=["DE"], tags=["cv", "germany"])
    ResourceFactory(owner=home, kind="cv_template", language="en", countries=["DE", "FR"], tags=["cv"])
    ResourceFactory(owner=home, kind="recording", language="en", countries=["FR"])
    client.force_login(people["student"])
    page = client.get(LIST).content.decode()
    assert option_label(page, "kind", "cv_template") == "CV template (2)"
    assert option_label(page, "kind", "other") == "Other"
    assert option_label(page, "language", "en") == "English (2)"
    assert option_label(page, "country", "DE") == "Germany (2)" and option_label(page, "country", "FR") == "France (2)"
    assert "3 resources" in page
    assert re.search(r"cv <span[^>]*>\(2\)</span>", page) and re.search(r"germany <span[^>]*>\(1\)</span>", page)
    # Counts follow the other filters.
    page = client.get(LIST, {"country": "FR"}).content.decode()
    assert option_label(page, "kind", "recording") == "Recording (1)" and "2 resources" in page
    assert option_label(page, "language", "de") == "German"


def test_filter_by_kind_language_country_and_tag(client, people, home):
    ResourceFactory(owner=home, title="German CV", kind="cv_template", language="de", countries=["DE"], tags=["cv"])
    ResourceFactory(owner=home, title="French slides", kind="workshop_slides", language="fr", countries=["FR"])
    ResourceFactory(owner=home, title="Spanish CV", kind="cv_template", language="es", countries=["ES"], tags=["cv"])
    client.force_login(people["student"])

    def titles(**query):
        page = client.get(LIST, query).content.decode()
        return {title for title in ["German CV", "French slides", "Spanish CV"] if title in page}

    assert titles(kind="cv_template") == {"German CV", "Spanish CV"}
    assert titles(language="fr") == {"French slides"}
    assert titles(country="DE") == {"German CV"}
    assert titles(tag="CV", country="ES") == {"Spanish CV"}
    assert titles(q="slides") == {"French slides"}


def test_tags_with_accents_filter_too(client, people, home):
    ResourceFactory(owner=home, title="Guía de prácticas", tags=["Prácticas"])
    ResourceFactory(owner=home, title="Other guide", tags=["practicas"])
    client.force_login(people["student"])
    page = client.get(LIST, {"tag": "prácticas"}).content.decode()
    assert "Guía de prácticas" in page and "Other guide" not in page


def test_pagination_keeps_the_query_string(client, people, home):
    for n in range(23):
        ResourceFactory(owner=home, title=f"Guide number {n}", kind="other")
    client.force_login(people["student"])
    page = client.get(LIST, {"kind": "other"}).content.decode()
    assert "?kind=other&amp;page=2" in page and "23 resources" in page
    second = client.get(LIST, {"kind": "other", "page": 2}).content.decode()
    assert second.count('class="card mb-2"') == 3


def test_htmx_updates_the_results_and_the_counts(client, people, home):
    ResourceFactory(owner=home, kind="recording", countries=["IT"])
    client.force_login(people["student"])
    page = client.get(LIST, {"country": "IT"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in page and 'id="resource-filters" hx-swap-oob="true"' in page
    assert option_label(page, "kind", "recording") == "Recording (1)"


def test_the_list_costs_the_same_queries_whatever_the_number_of_resources(
    client, people, home, other, django_assert_max_num_queries, settings
):
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client.force_login(people["officer"])
    for n in range(30):
        ResourceFactory(owner=home if n % 2 else other, countries=["ES", "IT"], tags=["cv", f"t{n}"])
    # Session (read, and the staff session's last-seen stamp in a savepoint), user, roles, unread
    # count, the sharer's and the menu's institution, facets with the total, the page.
    with django_assert_max_num_queries(11):
        response = client.get(LIST, {"q": "guide", "country": "ES", "page": 2})
    assert response.status_code == 200 and "30 resources" in response.content.decode()


@pytest.mark.postgres
@pytest.mark.parametrize("filters", [{"country": "ES"}, {"tag": "cv"}, {"country": "ES", "tag": "cv"}])
def test_a_filter_on_a_json_list_meets_its_cached_counts_on_postgresql(
    client, people, home, settings, django_assert_num_queries, filters
):
    """A containment test's value is wrapped by the driver; the cache key must not be its address."""
    from django.core.cache import cache

    # A cache of this test's own: clearing the shared one would disturb tests running beside it.
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "h2"},
    }
    cache.clear()
    ResourceFactory(owner=home, countries=["ES"], tags=["cv"])
    results = Resource.objects.visible_to(people["officer"])
    for name, value in filters.items():
        results = results.with_country(value) if name == "country" else results.with_tag(value)
    first = facet_counts(results, RESOURCE_FACETS)
    assert first["total"] == 1
    with django_assert_num_queries(0):
        assert facet_counts(results.all(), RESOURCE_FACETS) == first
    assert len(cache._cache) == 1  # one entry, not one per request


@pytest.mark.postgres
def test_the_job_boards_field_filter_meets_its_cached_counts_on_postgresql(settings, django_assert_num_queries):
    from django.core.cache import cache

    from jobs.filters import JOB_FACETS
    from jobs.models import Job

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "h2-jobs"},
    }
    cache.clear()
    results = Job.objects.filter(fields_of_study__contains=["04"])
    first = facet_counts(results, JOB_FACETS)
    with django_assert_num_queries(0):
        assert facet_counts(results.all(), JOB_FACETS) == first


# A resource's page


def test_staff_only_resources_answer_404_to_students(client, people, other):
    resource = ResourceFactory(owner=other, audience="staff")
    client.force_login(people["student"])
    assert client.get(resource.get_absolute_url()).status_code == 404
    assert client.get(reverse("guides:resource-open", args=[resource.pk])).status_code in (404, 405)
    assert client.post(reverse("guides:resource-open", args=[resource.pk])).status_code == 404


@pytest.mark.parametrize("who", ["officer", "academic", "admin", "other_officer", "consortium_admin"])
def test_staff_of_any_institution_read_staff_only_resources(client, people, other, who):
    resource = ResourceFactory(owner=other, audience="staff", title="Adviser briefing")
    client.force_login(people[who])
    assert "Adviser briefing" in client.get(resource.get_absolute_url()).content.decode()


def test_the_anonymous_are_sent_to_sign_in_from_a_resource(client):
    resource = ResourceFactory()
    for name in ["guides:resource-detail", "guides:resource-download", "guides:resource-edit"]:
        response = client.get(reverse(name, args=[resource.pk]))
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_staff_see_downloads_per_institution_and_students_do_not(client, people, home, other):
    resource = ResourceFactory(owner=home, title="Cover letters")
    ResourceDownload.objects.create(resource=resource, institution=other, count=7)
    ResourceDownload.objects.create(resource=resource, institution=home, count=3)
    client.force_login(people["officer"])
    page = client.get(resource.get_absolute_url()).content.decode()
    assert re.search(rf"<td>{other.name}</td><td class=\"text-end\">7</td>.*<td>{home.name}</td>", page, re.S)
    client.force_login(people["student"])
    page = client.get(resource.get_absolute_url()).content.decode()
    assert "Cover letters" in page and "by institution" not in page and other.name not in page


def test_description_is_rendered_sanitised(client, people, home):
    resource = ResourceFactory(owner=home, description='Hi <img src=x onerror="alert(1)"> [x](javascript:alert(1))')
    client.force_login(people["student"])
    page = client.get(resource.get_absolute_url()).content.decode()
    assert "onerror" not in page and "javascript:alert" not in page


# Downloads and links, counted


def test_a_file_is_downloaded_through_the_view_and_counted(client, people, home, other):
    resource = ResourceFactory(owner=home, file=pdf_upload("Cover letters.pdf"))
    client.force_login(people["other_officer"])
    response = client.get(reverse("guides:resource-download", args=[resource.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Cover letters.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.get(reverse("guides:resource-download", args=[resource.pk]))
    assert list(ResourceDownload.objects.values_list("institution_id", "count")) == [(other.pk, 2)]


def test_a_head_request_fetches_nothing_and_counts_nothing(client, people, home):
    resource = ResourceFactory(owner=home, file=pdf_upload("Cover letters.pdf"))
    url = reverse("guides:resource-download", args=[resource.pk])
    client.force_login(people["student"])
    response = client.head(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert not ResourceDownload.objects.exists()
    assert client.post(url).status_code == 405 and not ResourceDownload.objects.exists()
    client.get(url)
    assert ResourceDownload.objects.get(resource=resource, institution=home).count == 1


def test_a_link_is_followed_through_a_counted_redirect(client, people, home):
    resource = ResourceFactory(owner=home, url="https://careers.example/webinar")
    client.force_login(people["student"])
    response = client.post(reverse("guides:resource-open", args=[resource.pk]))
    assert response.status_code == 302 and response.url == "https://careers.example/webinar"
    assert ResourceDownload.objects.get(resource=resource, institution=home).count == 1
    # A link resource has no file to download.
    assert client.get(reverse("guides:resource-download", args=[resource.pk])).status_code == 404


def test_a_students_download_of_a_staff_only_file_is_refused_and_not_counted(client, people, home):
    resource = ResourceFactory(owner=home, audience="staff", file=pdf_upload())
    client.force_login(people["student"])
    assert client.get(reverse("guides:resource-download", args=[resource.pk])).status_code == 404
    assert not ResourceDownload.objects.exists()


# Sharing, editing, deleting


def share(client, **fields):
    data = {
        "title": "Interview checklist",
        "kind": "application_guide",
        "description": "",
        "language": "en",
        "audience": "students",
        "link": "",
        "tags": "",
    } | fields
    return client.post(reverse("guides:resource-create"), data)


def test_an_officer_shares_a_file(client, people, home):
    client.force_login(people["officer"])
    response = share(client, upload=pdf_upload("checklist.pdf"), countries=["ES", "FR"], tags="interview, CV")
    resource = Resource.objects.get()
    assert response.status_code == 302 and response.url == resource.get_absolute_url()
    assert resource.owner == home and resource.file_kind == "pdf" and resource.countries == ["ES", "FR"]
    assert resource.tags == ["interview", "cv"] and resource.created_by == people["officer"]


def test_an_academic_shares_a_link(client, people, home):
    client.force_login(people["academic"])
    share(client, link="https://careers.example/slides", kind="workshop_slides", audience="staff")
    assert Resource.objects.get().url == "https://careers.example/slides"


@pytest.mark.parametrize("who", ["student"])
def test_students_cannot_share(client, people, who):
    client.force_login(people[who])
    assert client.get(reverse("guides:resource-create")).status_code == 403
    assert share(client, link="https://careers.example/x").status_code == 403
    assert "Share a resource" not in client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"link": "javascript:alert(1)"}, "link", "The link must be a web address starting with http:// or https://."),
        ({"link": "data:text/html,<script>alert(1)</script>"}, "link", "The link must be a web address"),
        ({}, "upload", "Share a file or a link."),
        ({"link": "https://careers.example/x", "upload": True}, "upload", "Share a file or a link, not both."),
        ({"upload": "html"}, "upload", "This is not an allowed kind of file."),
        ({"language": "xx"}, "language", "Select a valid choice."),
    ],
)
def test_bad_input_is_shown_next_to_its_field(client, people, fields, field, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if fields.get("upload") is True:
        fields["upload"] = pdf_upload()
    elif fields.get("upload") == "html":
        fields["upload"] = SimpleUploadedFile("cv.pdf", b"<html><script>alert(1)</script>")
    client.force_login(people["officer"])
    response = share(client, **fields)
    assert response.status_code == 200 and not Resource.objects.exists()
    form = response.context["form"]
    assert any(error.startswith(message) for error in form.errors[field]), form.errors


def test_the_owners_staff_edit(client, people, home):
    resource = ResourceFactory(owner=home, title="Old title", url="https://careers.example/a")
    client.force_login(people["academic"])
    form = client.get(reverse("guides:resource-edit", args=[resource.pk])).content.decode()
    assert 'value="https://careers.example/a"' in form
    response = client.post(
        reverse("guides:resource-edit", args=[resource.pk]),
        {
            "title": "New title",
            "kind": "other",
            "language": "fr",
            "audience": "both",
            "link": "https://careers.example/b",
        },
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.title, resource.language, resource.url) == ("New title", "fr", "https://careers.example/b")


@pytest.mark.parametrize(("who", "status"), [("student", 403), ("other_officer", 403), ("other_admin", 403)])
def test_others_may_not_edit_or_delete(client, people, home, who, status):
    resource = ResourceFactory(owner=home, title="Kept")
    client.force_login(people[who])
    assert client.get(reverse("guides:resource-edit", args=[resource.pk])).status_code == status
    assert client.post(reverse("guides:resource-delete", args=[resource.pk])).status_code == status
    assert Resource.objects.filter(title="Kept").exists()
    assert (
        "Edit" not in client.get(resource.get_absolute_url()).content.decode().split("</header>")[1].split("<aside")[0]
    )


def test_the_staff_of_a_deactivated_member_may_not_edit_or_delete(client, people, home):
    resource = ResourceFactory(owner=home, title="Kept")
    home.is_active = False
    home.save()
    client.force_login(people["officer"])
    assert client.get(reverse("guides:resource-edit", args=[resource.pk])).status_code == 403
    assert client.post(reverse("guides:resource-edit", args=[resource.pk]), {"title": "Renamed"}).status_code == 403
    assert client.post(reverse("guides:resource-delete", args=[resource.pk])).status_code == 403
    assert Resource.objects.get(pk=resource.pk).title == "Kept"


def test_a_student_gets_404_editing_a_staff_only_resource(client, people, home):
    resource = ResourceFactory(owner=home, audience="staff")
    client.force_login(people["student"])
    assert client.get(reverse("guides:resource-edit", args=[resource.pk])).status_code == 404


def test_the_owners_staff_delete_after_confirming(client, people, home):
    resource = ResourceFactory(owner=home)
    client.force_login(people["admin"])
    assert "Delete the resource" in client.get(reverse("guides:resource-delete", args=[resource.pk])).content.decode()
    assert Resource.objects.exists()
    response = client.post(reverse("guides:resource-delete", args=[resource.pk]))
    assert response.status_code == 302 and response.url == LIST and not Resource.objects.exists()


def test_sharing_needs_a_member_institution(client, make_user):
    from tests.factories import UserFactory

    client.force_login(UserFactory(roles=[Role.ACADEMIC], institution=None))
    assert client.get(reverse("guides:resource-create")).status_code == 403


def test_the_forms_name_languages_in_the_reader_s_language(client, people):
    officer = people["officer"]
    officer.preferred_language = "de"
    officer.save()
    client.force_login(officer)
    for url in (reverse("guides:resource-create"), reverse("guides:search")):
        page = client.get(url).content.decode()
        assert re.search(r'<option value="de"[^>]*>Deutsch</option>', page), url
        assert re.search(r'<option value="en"[^>]*>Englisch</option>', page), url
        # Sorted by the names the reader reads: Hungarian comes before Italian in English and by code.
        assert page.index(">Italienisch<") < page.index(">Ungarisch<"), url
