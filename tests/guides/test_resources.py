"""The resource library's rules: who sees and changes what, what is refused, downloads counted per
institution, the person's data."""

import io
import threading
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction

from consortium.models import Role
from consortium.services.privacy import erase_account, export_personal_data
from guides.models import Resource, ResourceDownload
from guides.permissions import can_edit_resource
from guides.services.resources import delete_resource, record_download, save_resource
from tests.factories import CompanyFactory, UserFactory
from tests.guides.factories import ResourceFactory, pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def new_resource(owner, **fields) -> Resource:
    values = {"title": "Interview checklist", "kind": "application_guide", "language": "en", "audience": "students"}
    return Resource(owner=owner, **(values | fields))


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# Who sees what


@pytest.fixture
def library(home, other):
    return {
        "students": ResourceFactory(owner=home, audience="students", title="For students"),
        "both": ResourceFactory(owner=other, audience="both", title="For everyone"),
        "staff": ResourceFactory(owner=other, audience="staff", title="Staff only"),
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("student", {"For students", "For everyone"}),
        ("officer", {"For students", "For everyone", "Staff only"}),
        ("academic", {"For students", "For everyone", "Staff only"}),
        ("admin", {"For students", "For everyone", "Staff only"}),
        ("other_officer", {"For students", "For everyone", "Staff only"}),
        ("consortium_admin", {"For students", "For everyone", "Staff only"}),
    ],
)
def test_staff_see_every_resource_and_students_those_for_students(people, library, who, sees):
    assert {r.title for r in Resource.objects.visible_to(people[who])} == sees


def test_the_anonymous_see_no_resource(library):
    from django.contrib.auth.models import AnonymousUser

    assert not Resource.objects.visible_to(AnonymousUser()).exists()


def test_a_company_contact_sees_what_students_see(library):
    contact = UserFactory(roles=[Role.COMPANY_CONTACT], institution=None, company=CompanyFactory())
    assert {r.title for r in Resource.objects.visible_to(contact)} == {"For students", "For everyone"}


# Sharing and changing


def test_staff_share_a_link_for_their_institution(people, home):
    resource = save_resource(
        resource=new_resource(
            home,
            url="https://careers.example/interviews",
            description="Read **this**<script>alert(1)</script>",
            countries=["fr", "ES", "FR"],
            tags=" Interview , cv,interview",
        ),
        by=people["academic"],
    )
    resource.refresh_from_db()
    assert resource.created_by == people["academic"] and resource.owner == home
    assert resource.description_html == "<p>Read <strong>this</strong></p>"
    assert resource.countries == ["ES", "FR"] and resource.tags == ["interview", "cv"]


def test_staff_share_a_file_checked_by_content(people, home):
    resource = save_resource(
        resource=new_resource(home), by=people["officer"], file=pdf_upload("Interview checklist.pdf")
    )
    resource.refresh_from_db()
    assert resource.file_kind == "pdf" and resource.file_name == "Interview checklist.pdf"
    assert resource.file_size == len(pdf_bytes()) and resource.file.name.endswith(".pdf")
    assert "Interview" not in resource.file.name  # stored under a random name
    assert resource.file.read().startswith(b"%PDF-")


def office_file(kind: str, name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "pptx":
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("_rels/.rels", "<Relationships/>")
            archive.writestr("ppt/presentation.xml", "<p/>")
        else:
            # As LibreOffice writes it: `mimetype` first and stored (the default here), then the body.
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.presentation")
            archive.writestr("content.xml", "<office/>")
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize(("kind", "name"), [("pptx", "slides.pptx"), ("odp", "slides.odp")])
def test_slides_are_accepted(people, home, kind, name):
    resource = save_resource(
        resource=new_resource(home, kind="workshop_slides"), by=people["officer"], file=office_file(kind, name)
    )
    assert resource.file_kind == kind


@pytest.mark.parametrize("who", ["student", "other_officer", "other_admin"])
def test_only_the_institutions_staff_share_for_it(people, home, who):
    with pytest.raises(PermissionDenied):
        save_resource(resource=new_resource(home, url="https://careers.example/x"), by=people[who])
    assert not Resource.objects.exists()


def test_an_inactive_member_shares_nothing(people, home):
    home.is_active = False
    home.save()
    with pytest.raises(PermissionDenied):
        save_resource(resource=new_resource(home, url="https://careers.example/x"), by=people["officer"])


@pytest.mark.parametrize(("who", "allowed"), [("officer", True), ("academic", True), ("admin", True)])
def test_the_owners_staff_edit_and_delete(people, home, who, allowed):
    resource = ResourceFactory(owner=home)
    resource.title = "Renamed"
    save_resource(resource=resource, by=people[who])
    assert Resource.objects.get(pk=resource.pk).title == "Renamed"
    delete_resource(resource=resource, by=people[who])
    assert not Resource.objects.filter(pk=resource.pk).exists()


@pytest.mark.parametrize("who", ["student", "other_officer", "other_admin", "consortium_admin"])
def test_others_neither_edit_nor_delete(people, home, who):
    resource = ResourceFactory(owner=home, title="Original")
    resource.title = "Renamed"
    with pytest.raises(PermissionDenied):
        save_resource(resource=resource, by=people[who])
    with pytest.raises(PermissionDenied):
        delete_resource(resource=resource, by=people[who])
    assert Resource.objects.get(pk=resource.pk).title == "Original"


def test_the_staff_of_a_deactivated_member_neither_edit_nor_delete_its_resources(people, home, other):
    resource = ResourceFactory(owner=home, title="Original")
    still_active = ResourceFactory(owner=other)
    assert list(Resource.objects.editable_by(people["officer"])) == [resource]
    home.is_active = False
    home.save()
    resource = Resource.objects.get(pk=resource.pk)
    assert not can_edit_resource(people["officer"], resource)
    assert not Resource.objects.editable_by(people["officer"]).exists()
    assert list(Resource.objects.editable_by(people["other_officer"])) == [still_active]
    resource.title = "Renamed"
    with pytest.raises(PermissionDenied):
        save_resource(resource=resource, by=people["officer"])
    with pytest.raises(PermissionDenied):
        delete_resource(resource=resource, by=people["admin"])
    assert Resource.objects.get(pk=resource.pk).title == "Original"


def test_a_new_link_replaces_a_file_which_is_deleted_on_commit(people, home, django_capture_on_commit_callbacks):
    resource = ResourceFactory(owner=home, file=pdf_upload())
    stored = resource.file.name
    storage = resource.file.storage
    resource.url = "https://careers.example/now-a-link"
    with django_capture_on_commit_callbacks(execute=True):
        save_resource(resource=resource, by=people["officer"])
    resource.refresh_from_db()
    assert not resource.file and resource.file_kind == "" and resource.url.endswith("now-a-link")
    assert not storage.exists(stored)


def test_deleting_a_file_resource_removes_its_file(people, home, django_capture_on_commit_callbacks):
    resource = ResourceFactory(owner=home, file=pdf_upload())
    stored, storage = resource.file.name, resource.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        delete_resource(resource=resource, by=people["officer"])
    assert not storage.exists(stored)


# Bad input


def test_a_file_that_is_not_what_its_name_says_is_refused(people, home):
    fake = SimpleUploadedFile("guide.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    errors = errors_of(lambda: save_resource(resource=new_resource(home), by=people["officer"], file=fake))
    assert errors == {"file": ["This is not an allowed kind of file. Upload one of: PDF, DOCX, PPTX, ODT, ODP."]}
    assert not Resource.objects.exists()


def test_a_pdf_named_as_something_else_is_refused(people, home):
    errors = errors_of(
        lambda: save_resource(resource=new_resource(home), by=people["officer"], file=pdf_upload("slides.pptx"))
    )
    assert errors == {"file": ["The content is PDF, but the name does not end in .pdf."]}


def test_a_file_over_20_mb_is_refused(people, home):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024))
    errors = errors_of(lambda: save_resource(resource=new_resource(home), by=people["officer"], file=big))
    assert errors == {"file": ["The file is too large: at most 20 MB."]}


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "ftp://files.example/cv.pdf",
        "file:///etc/passwd",
        "//evil.example/x",
        "not a link",
    ],
)
def test_links_other_than_http_and_https_are_refused(people, home, link):
    errors = errors_of(lambda: save_resource(resource=new_resource(home, url=link), by=people["officer"]))
    assert errors == {"url": ["The link must be a web address starting with http:// or https://."]}


@pytest.mark.parametrize("language", ["eng", "english", "xx", "EN", ""])
def test_a_language_that_is_not_iso_639_1_is_refused(people, home, language):
    resource = new_resource(home, url="https://careers.example/x", language=language)
    errors = errors_of(lambda: save_resource(resource=resource, by=people["officer"]))
    assert errors == {"language": [f"“{language}” is not an ISO 639-1 language code."]}


def test_unknown_countries_are_refused(people, home):
    resource = new_resource(home, url="https://careers.example/x", countries=["ES", "XX", "Spain"])
    errors = errors_of(lambda: save_resource(resource=resource, by=people["officer"]))
    assert errors == {"countries": ["Not ISO 3166-1 alpha-2 country codes: SPAIN, XX."]}


def test_both_a_file_and_a_link_are_refused(people, home):
    resource = new_resource(home, url="https://careers.example/x")
    errors = errors_of(lambda: save_resource(resource=resource, by=people["officer"], file=pdf_upload()))
    assert errors == {"file": ["Share a file or a link, not both."]}
    assert not Resource.objects.exists()


def test_neither_a_file_nor_a_link_is_refused(people, home):
    errors = errors_of(lambda: save_resource(resource=new_resource(home), by=people["officer"]))
    assert errors == {"file": ["Share a file or a link."]}


def test_the_database_holds_exactly_one_of_file_and_link(home):
    for values in ({"url": "", "file": ""}, {"url": "https://x.example", "file": "resources/1/a.pdf"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Resource.objects.create(owner=home, title="T", kind="other", language="en", **values)


# Downloads counted per institution


def test_downloads_are_counted_per_institution_of_the_downloader(people, home, other, make_user):
    resource = ResourceFactory(owner=home)
    for who in ["student", "officer", "student", "other_officer", "other_admin"]:
        record_download(resource=resource, user=people[who])
    counts = dict(ResourceDownload.objects.values_list("institution_id", "count"))
    assert counts == {home.pk: 3, other.pk: 2}
    assert ResourceDownload.objects.count() == 2  # a row per institution, not per click


def test_people_of_no_institution_are_counted_together():
    resource = ResourceFactory()
    company = CompanyFactory()
    for _n in range(2):
        record_download(
            resource=resource, user=UserFactory(roles=[Role.COMPANY_CONTACT], institution=None, company=company)
        )
    assert list(ResourceDownload.objects.values_list("institution_id", "count")) == [(None, 2)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_first_downloads_at_once_count_twenty(people, home):
    """The first downloads of a resource by one institution, all at once: each finds no row to
    increment and inserts one; the unique constraint lets one in and the others increment it."""
    resource = ResourceFactory(owner=home)
    student = people["student"]
    threads_count = 20
    barrier = threading.Barrier(threads_count)
    errors = []

    def download():
        try:
            barrier.wait(timeout=30)
            record_download(resource=resource, user=student)
        except Exception as error:  # noqa: BLE001 - any failure is reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=download) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(ResourceDownload.objects.values_list("institution_id", "count")) == [(home.pk, threads_count)]


# Personal data


def test_export_lists_the_resources_a_person_shared(people, home):
    save_resource(resource=new_resource(home, url="https://careers.example/x"), by=people["officer"])
    exported = export_personal_data(user=people["officer"])["resources"]["shared_resources"]
    assert [(row["title"], row["owner__name"], row["url"]) for row in exported] == [
        ("Interview checklist", home.name, "https://careers.example/x")
    ]


def test_erasure_keeps_the_resource_and_drops_the_person(people, home):
    resource = save_resource(resource=new_resource(home, url="https://careers.example/x"), by=people["officer"])
    erase_account(user=people["officer"])
    resource.refresh_from_db()
    assert resource.created_by is None and resource.owner == home


# Demo


def test_the_demo_shares_a_dozen_resources_once(settings):
    from django.core.management import call_command

    from consortium.uploads import check_upload
    from guides.services.resources import FILE_KINDS, FILE_MAX_BYTES

    settings.DEBUG = True
    call_command("seed_demo", "--quiet")
    call_command("seed_demo", "--quiet")
    resources = Resource.objects.select_related("owner")
    assert resources.count() == 12
    assert {r.owner.slug for r in resources} == {"uam", "unicatt", "regents", "psb", "ebc"}
    files = [r for r in resources if r.file]
    assert len(files) == 7 and all(check_upload(r.file, kinds=FILE_KINDS, max_bytes=FILE_MAX_BYTES) for r in files)
    links = [r for r in resources if r.url]
    assert len(links) == 5 and all(r.url.startswith("https://") for r in links)
    assert {r.language for r in resources} == {"es", "it", "en", "fr", "de"}
    assert resources.filter(audience="staff").count() == 2
