"""Jobs imported from a spreadsheet: every row checked by the API's rules, all rows or none written."""

import csv
import dataclasses
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import serializers

from consortium.models import AuditAction, Institution, User
from consortium.permissions import require
from consortium.services.audit import record_audit

from .. import permissions
from ..api import JobSerializer
from ..models import EDITABLE_FIELDS, Job

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
COLUMNS = [*EDITABLE_FIELDS, "skills", "languages", "publish"]
LIST_COLUMNS = {"skills", "fields_of_study", "partner_institutions"}
BOOLEAN_COLUMNS = {"paid", "erasmus_eligible", "visa_sponsorship", "require_login", "publish"}
EXAMPLE_ROW = {
    "title": "Marketing intern",
    "company": "example-company",
    "kind": "internship",
    "description": "Help our **marketing** team plan campaigns.",
    "country": "IT",
    "city": "Milano",
    "work_mode": "hybrid",
    "duration_months": "6",
    "paid": "yes",
    "salary_min": "900",
    "salary_max": "1100",
    "salary_currency": "EUR",
    "salary_period": "MONTH",
    "fields_of_study": "04; 03",
    "start_kind": "flexible",
    "apply_method": "platform",
    "deadline": "2030-06-30",
    "audience": "consortium",
    "external_id": "SIS-1001",
    "skills": "Social media; Copywriting",
    "languages": "en B2; it B1",
    "publish": "no",
}


@dataclasses.dataclass
class ImportRow:
    number: int  # as a spreadsheet numbers it: the header is row 1
    title: str
    external_id: str
    errors: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (column, message)
    job: Job | None = None
    created: bool = False


@dataclasses.dataclass
class JobImport:
    rows: list[ImportRow]
    dry_run: bool

    @property
    def failed(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.failed

    @property
    def created(self) -> int:
        return sum(row.created for row in self.rows if not row.errors)

    @property
    def updated(self) -> int:
        return sum(not row.created for row in self.rows if not row.errors)


def template_csv() -> str:
    """The header row and one example row, for people to fill in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE_ROW.get(column, "") for column in COLUMNS])
    return out.getvalue()


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def read_job_csv(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the numbered rows of an uploaded CSV; ValidationError on "file" if it is not one."""
    if len(data) > MAX_BYTES:
        raise _file_error(_("The file is larger than 2 MB: split it into smaller files."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(_("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")) from None
    first_line = text.partition("\n")[0]
    if "\x00" in text or not first_line.strip():
        raise _file_error(_("The file is not a CSV file with a header row. Start from the template."))
    # Column names hold neither separator, so the header tells which one the spreadsheet used.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        raise _file_error(_("The file is not a CSV file with a header row. Start from the template.")) from None
    header = [name.strip().lower() for name in records[0]]
    if not set(header) & set(COLUMNS):
        raise _file_error(_("The file is not a CSV file with a header row. Start from the template."))
    if unknown := [name for name in header if name not in COLUMNS]:
        raise _file_error(_("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
    if len(set(header)) != len(header):
        raise _file_error(_("A column appears twice in the header."))
    rows = [(number, cells) for number, cells in enumerate(records[1:], start=2) if any(c.strip() for c in cells)]
    if not rows:
        raise _file_error(_("The file has no jobs below its header row."))
    if len(rows) > MAX_ROWS:
        raise _file_error(
            _("The file has %(count)d jobs; import at most %(max)d at a time.") % {"count": len(rows), "max": MAX_ROWS}
        )
    return header, rows


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(";") if item.strip()]


def _cell_value(column: str, value: str):
    """A cell as the API would receive it; an empty cell means the field's default, or nothing."""
    if column in LIST_COLUMNS:
        items = _split(value)
        if column == "fields_of_study":
            # Spreadsheets drop the leading zero of ISCED codes such as 04.
            return [item.zfill(2) if item.isdigit() else item for item in items]
        return items
    if column == "languages":
        return [{"language": code.lower(), "level": level.upper()} for code, level in map(str.split, _split(value))]
    if column == "publish":
        return value.lower() or False
    if value:
        return value.lower() if column in BOOLEAN_COLUMNS else value
    field = Job._meta.get_field(column)
    if field.has_default():
        return field.get_default()
    return None if field.null else ""


def _payload(values: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    """The API's input for one row, and the errors of cells the API could not even read."""
    errors = []
    for item in _split(values.get("languages", "")):
        if len(item.split()) != 2:
            message = _("“%(item)s” is not a language code and a level such as en B2.") % {"item": item}
            errors.append(("languages", message))
    if errors:
        values = {**values, "languages": ""}
    return {column: _cell_value(column, value) for column, value in values.items()}, errors


def _messages(detail) -> list[str]:
    """The messages of one column's DRF errors, numbering those of a list's items."""
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list) and not all(isinstance(item, str) for item in detail):
        return [f"{index}: {message}" for index, item in enumerate(detail, start=1) for message in _messages(item)]
    return [str(item) for item in detail] if isinstance(detail, list) else [str(detail)]


def _column_errors(error: ValidationError | serializers.ValidationError) -> list[tuple[str, str]]:
    if isinstance(error, serializers.ValidationError):
        detail = error.detail if isinstance(error.detail, dict) else {"": error.detail}
        return [(column, message) for column, value in detail.items() for message in _messages(value)]
    if hasattr(error, "error_dict"):
        return [(column, message) for column, messages in error.message_dict.items() for message in messages]
    return [("", message) for message in error.messages]


def _import_row(row: ImportRow, data: dict, existing: Job | None, institution: Institution, by: User) -> None:
    """Validate one row and, if it has no errors so far, save it in a savepoint of its own."""
    serializer = JobSerializer(existing, data=data, context={"request": None})
    try:
        with transaction.atomic():
            serializer.is_valid(raise_exception=True)
            if not row.errors:
                row.job = serializer.save_job(job=existing or Job(institution=institution), by=by)
    except (ValidationError, serializers.ValidationError) as error:
        row.errors += [("" if column == "__all__" else column, message) for column, message in _column_errors(error)]
    except PermissionDenied as error:
        row.errors.append(("", str(error)))
    else:
        row.created = existing is None


def import_jobs(*, institution: Institution, data: bytes, by: User, dry_run: bool, name: str = "") -> JobImport:
    """Check every row of a CSV of jobs and, unless it is a dry run, save them all in one transaction.

    Rows with an external id the institution already uses update that job. Any row with errors, or
    a dry run, rolls everything back, so nothing is written (no job, notification or webhook); the
    result lists every row's errors by column. A file that is not a usable CSV raises
    ValidationError on "file".
    """
    require(permissions.can_post_job(by, institution))
    header, records = read_job_csv(data)
    rows, payloads = [], []
    for number, cells in records:
        values = dict(zip(header, (cell.strip() for cell in cells), strict=False))
        row = ImportRow(number=number, title=values.get("title", ""), external_id=values.get("external_id", ""))
        if len(cells) != len(header):
            counts = {"cells": len(cells), "columns": len(header)}
            row.errors.append(("", _("This row has %(cells)d cells; the header has %(columns)d.") % counts))
        payload, cell_errors = _payload(values)
        row.errors += cell_errors
        payloads.append(payload)
        rows.append(row)
    _flag_repeated_external_ids(rows)
    external_ids = {row.external_id for row in rows if row.external_id}
    jobs = Job.objects.filter(institution=institution, external_id__in=external_ids).select_related("institution")
    existing = {job.external_id: job for job in jobs}
    with transaction.atomic():
        for row, payload in zip(rows, payloads, strict=True):
            _import_row(row, payload, existing.get(row.external_id), institution, by)
            row.errors.sort(key=lambda error: COLUMNS.index(error[0]) if error[0] in COLUMNS else -1)
        result = JobImport(rows=rows, dry_run=dry_run)
        if result.written:
            record_audit(
                actor=by,
                action=AuditAction.JOBS_IMPORTED,
                target=institution,
                institution=institution,
                details={"file": name[:200], "created": result.created, "updated": result.updated},
            )
        else:
            transaction.set_rollback(True)
    if not result.written:
        for row in rows:
            row.job = None  # rolled back: no longer in the database
    return result


def _flag_repeated_external_ids(rows: list[ImportRow]) -> None:
    first_row: dict[str, int] = {}
    for row in rows:
        if not row.external_id:
            continue
        if row.external_id in first_row:
            row.errors.append(
                ("external_id", _("Row %(row)d has the same external id.") % {"row": first_row[row.external_id]})
            )
        else:
            first_row[row.external_id] = row.number


def summary(result: JobImport) -> str:
    """One sentence on what an import did or would do."""
    if result.failed:
        return ngettext(
            "%(count)d row has errors: nothing was imported.",
            "%(count)d rows have errors: nothing was imported.",
            len(result.failed),
        ) % {"count": len(result.failed)}
    counts = {"created": result.created, "updated": result.updated}
    if result.dry_run:
        return _("No errors: importing would add %(created)d jobs and update %(updated)d.") % counts
    return _("Imported: %(created)d jobs added, %(updated)d updated.") % counts
