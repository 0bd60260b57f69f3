"""Jobs imported from a CSV file: the check writes nothing, an import with any bad row writes nothing."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consortium.models import AuditAction, AuditLog, Role
from jobs.models import Audience, Job, JobStatus
from jobs.services.imports import COLUMNS, import_jobs
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db

HEADER = ["title", "company", "kind", "description", "country", "city", "deadline", "external_id"]


def row(**changes) -> dict:
    return {
        "title": "Marketing intern",
        "company": "moda-lombarda",
        "kind": "internship",
        "description": "Join **us**.",
        "country": "IT",
        "city": "Milano",
        "deadline": "2099-06-30",
        "external_id": "",
    } | changes


def csv_bytes(rows: list[dict], *, delimiter=",", bom=False) -> bytes:
    out = io.StringIO()
    header = list(dict.fromkeys(name for values in rows for name in values))
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for values in rows:
        writer.writerow([values.get(name, "") for name in header])
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def upload(client, data: bytes, button="check"):
    file = SimpleUploadedFile("jobs.csv", data, content_type="text/csv")
    return client.post(reverse("jobs:import"), {"file": file, button: ""})


@pytest.fixture
def officer_client(client, people):
    client.force_login(people["officer"])
    return client


def test_the_template_has_every_column_and_an_example_row(officer_client):
    response = officer_client.get(reverse("jobs:import-template"))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    header, example = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == COLUMNS
    assert dict(zip(header, example, strict=True))["languages"] == "en B2; it B1"


def test_the_search_page_links_to_the_import_for_posters_only(client, people):
    client.force_login(people["officer"])
    assert reverse("jobs:import") in client.get(reverse("jobs:index")).content.decode()
    client.force_login(people["student"])
    assert reverse("jobs:import") not in client.get(reverse("jobs:index")).content.decode()


def test_a_check_lists_each_row_and_writes_nothing(officer_client, company):
    data = csv_bytes([row(title="First"), row(title="Second", external_id="SIS-2")])
    response = upload(officer_client, data, "check")
    assert response.status_code == 200
    result = response.context["result"]
    assert [(r.number, r.title, r.errors, r.created) for r in result.rows] == [
        (2, "First", [], True),
        (3, "Second", [], True),
    ]
    assert "No errors: importing would add 2 jobs and update 0." in response.content.decode()
    assert not Job.objects.exists() and not AuditLog.objects.exists()


def test_an_import_saves_every_column_publishes_and_is_audited(officer_client, company, home, other, people):
    values = row(
        external_id="SIS-7",
        skills="Social media; Copywriting",
        fields_of_study="4; 06",
        languages="en B2; it b1",
        audience="partners",
        partner_institutions="ua",
        paid="no",
        publish="yes",
    )
    response = upload(officer_client, csv_bytes([values, row(title="Draft one")]), "import")
    assert "Imported: 2 jobs added, 0 updated." in response.content.decode()
    job = Job.objects.get(external_id="SIS-7")
    assert (job.institution, job.posted_by, job.status, job.paid) == (home, people["officer"], "published", False)
    assert job.skills == ["Copywriting", "Social media"] and job.fields_of_study == ["04", "06"]
    assert [(lang.language, lang.level) for lang in job.languages.all()] == [("en", "B2"), ("it", "B1")]
    assert (job.audience, list(job.partner_institutions.all())) == (Audience.PARTNERS, [other])
    assert Job.objects.get(title="Draft one").status == JobStatus.DRAFT
    log = AuditLog.objects.get()
    assert (log.action, log.actor, log.institution) == (AuditAction.JOBS_IMPORTED, people["officer"], home)
    assert log.details == {"file": "jobs.csv", "created": 2, "updated": 0}


def test_one_bad_row_imports_nothing_and_every_rows_errors_are_listed(officer_client, company):
    rows = [
        row(title="Fine"),
        row(title="Bad place", country="ZZ", kind="astronaut"),
        row(title="Bad company", company="nobody", languages="english"),
        row(title="Too late", deadline="2001-01-01"),
    ]
    response = upload(officer_client, csv_bytes(rows), "import")
    assert not Job.objects.exists() and not AuditLog.objects.exists()
    failed = {r.number: r.errors for r in response.context["result"].failed}
    assert failed == {
        3: [
            ("kind", '"astronaut" is not a valid choice.'),
            ("country", "“ZZ” is not an ISO 3166-1 alpha-2 country code."),
        ],
        4: [
            ("company", "Object with slug=nobody does not exist."),
            ("languages", "“english” is not a language code and a level such as en B2."),
        ],
        5: [("deadline", "The deadline is in the past.")],
    }
    page = response.content.decode()
    assert "3 rows have errors: nothing was imported." in page
    assert "<code>deadline</code>: The deadline is in the past." in page


def test_a_row_with_a_known_external_id_updates_that_job(officer_client, company, home):
    existing = JobFactory(institution=home, company=company, external_id="SIS-1", title="Old title")
    data = csv_bytes([row(title="New title", external_id="SIS-1"), row(title="Another", external_id="SIS-9")])
    response = upload(officer_client, data, "import")
    assert "Imported: 1 jobs added, 1 updated." in response.content.decode()
    existing.refresh_from_db()
    assert existing.title == "New title" and existing.status == JobStatus.PUBLISHED
    assert Job.objects.count() == 2
    upload(officer_client, data, "import")  # the same file again changes no count
    assert Job.objects.count() == 2


def test_the_same_external_id_twice_in_a_file_is_an_error(officer_client, company):
    response = upload(officer_client, csv_bytes([row(external_id="A"), row(external_id="A")]), "import")
    assert response.context["result"].failed[0].errors == [("external_id", "Row 2 has the same external id.")]
    assert not Job.objects.exists()


def test_semicolons_and_a_byte_order_mark_are_read(officer_client, company):
    data = csv_bytes([row(city="Torino", skills="Excel; Word")], delimiter=";", bom=True)
    upload(officer_client, data, "import")
    job = Job.objects.get()
    assert (job.city, job.skills) == ("Torino", ["Excel", "Word"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("title,city\nCaffè,Milano\n".encode("latin-1"), "The file is not UTF-8 text."),
        (b"%PDF-1.7\x00\x01\x02binary", "The file is not a CSV file with a header row."),
        (b"name,colour\nx,red\n", "The file is not a CSV file with a header row."),
        (b"title,colour\nx,red\n", "Unknown columns: colour."),
        (b"title,title\nx,y\n", "A column appears twice in the header."),
        (b"title,city\n", "The file has no jobs below its header row."),
        (b"title\n" + b"Intern\n" * 1001, "The file has 1001 jobs; import at most 1000 at a time."),
        (b"title\n" + b"x" * (2 * 1024 * 1024), "The file is larger than 2 MB"),
    ],
)
def test_a_file_that_is_not_a_usable_csv_is_refused_naming_the_field(officer_client, data, message):
    response = upload(officer_client, data, "import")
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert error.startswith(message)
    assert not Job.objects.exists()


def test_students_academics_and_anonymous_visitors_cannot_import(client, people, make_user):
    for person in (people["student"], make_user(Role.ACADEMIC)):
        client.force_login(person)
        assert client.get(reverse("jobs:import")).status_code == 404
        assert client.get(reverse("jobs:import-template")).status_code == 404
        assert upload(client, csv_bytes([row()]), "import").status_code == 404
    client.logout()
    assert client.get(reverse("jobs:import")).status_code == 302
    assert not Job.objects.exists()


def test_another_institutions_officer_imports_into_their_own_institution_only(client, people, company, home, other):
    ours = JobFactory(institution=home, company=company, external_id="SIS-1", title="Ours")
    client.force_login(people["other_officer"])
    upload(client, csv_bytes([row(title="Theirs", external_id="SIS-1")]), "import")
    ours.refresh_from_db()
    assert ours.title == "Ours"
    assert Job.objects.get(institution=other).title == "Theirs"


def test_the_service_refuses_people_who_may_not_post(people, home, company):
    with pytest.raises(PermissionDenied):
        import_jobs(institution=home, data=csv_bytes([row()]), by=people["student"], dry_run=False)
    with pytest.raises(PermissionDenied):
        import_jobs(institution=home, data=csv_bytes([row()]), by=people["other_officer"], dry_run=False)
    assert not Job.objects.exists()
