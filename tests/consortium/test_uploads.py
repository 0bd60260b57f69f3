"""Uploads are checked by their content: the name and the browser's content type count for nothing."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from consortium.uploads import MB, FileKind, check_upload

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OFFICE = {FileKind.PDF, FileKind.DOCX, FileKind.PPTX, FileKind.ODT, FileKind.ODP}


def zipped(entries: dict[str, bytes], prefix: bytes = b"", stored: tuple[str, ...] = ()) -> bytes:
    """A zip of the entries in order, deflated except for those named in `stored`."""
    buffer = io.BytesIO()
    buffer.write(prefix)
    with zipfile.ZipFile(buffer, "a" if prefix else "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED if name in stored else None)
    return buffer.getvalue()


def ooxml(parts: dict[str, bytes]) -> bytes:
    """An Office Open XML package laid out as Word and PowerPoint write it."""
    return zipped({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>"} | parts)


def odf(mimetype: bytes) -> bytes:
    """An OpenDocument package as LibreOffice writes it: `mimetype` first and stored."""
    return zipped(
        {
            "mimetype": mimetype,
            "content.xml": b"<office:document-content/>",
            "styles.xml": b"<office:document-styles/>",
            "META-INF/manifest.xml": b"<manifest:manifest/>",
        },
        stored=("mimetype",),
    )


DOCX = ooxml({"word/document.xml": b"<w:document/>"})
PPTX = ooxml({"ppt/presentation.xml": b"<p:presentation/>"})
XLSX = ooxml({"xl/workbook.xml": b"<workbook/>"})
ODT = odf(b"application/vnd.oasis.opendocument.text")
ODP = odf(b"application/vnd.oasis.opendocument.presentation")
ODS = odf(b"application/vnd.oasis.opendocument.spreadsheet")


def upload(content: bytes, name="cv.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PDF, FileKind.PDF), (DOCX, FileKind.DOCX), (PPTX, FileKind.PPTX), (ODT, FileKind.ODT), (ODP, FileKind.ODP)],
    # Named by kind: the zips' bytes carry the time they were built, and parallel workers must agree.
    ids=["pdf", "docx", "pptx", "odt", "odp"],
)
def test_each_kind_is_recognised_by_its_content_whatever_its_name(content, kind):
    file = upload(content, name="document.bin", content_type="application/octet-stream")
    assert check_upload(file, kinds=OFFICE, max_bytes=20 * MB) == kind
    assert file.tell() == 0, "the file must be left ready to be saved"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, id="windows executable"),
        pytest.param(b"\x7fELF\x02\x01\x01" + b"\x00" * 200, id="linux executable"),
        pytest.param(b"#!/bin/sh\nrm -rf /\n", id="script"),
        pytest.param(b"<!DOCTYPE html><html><script>alert(1)</script></html>", id="html"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, id="png"),
        pytest.param(b"PK\x03\x04 not really a zip", id="broken zip"),
        pytest.param(zipped({"readme.txt": b"hello"}), id="plain zip"),
        pytest.param(XLSX, id="spreadsheet"),
        pytest.param(ODS, id="opendocument spreadsheet"),
        pytest.param(
            zipped(
                {"[Content_Types].xml": b"", "_rels/.rels": b"", "word/document.xml": b""},
                prefix=b"MZ" + b"\x00" * 64,
            ),
            id="self-extracting",
        ),
        # Zips that merely carry some of the names of an office document.
        pytest.param(zipped({"[Content_Types].xml": b"<Types/>", "word/payload.exe": b"MZ"}), id="docx names only"),
        pytest.param(zipped({"[Content_Types].xml": b"<Types/>", "ppt/payload.exe": b"MZ"}), id="pptx names only"),
        pytest.param(
            zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
            id="docx without package relationships",
        ),
        pytest.param(
            zipped(
                {
                    "content.xml": b"<office/>",
                    "evil.html": b"<script>alert(1)</script>",
                    "mimetype": b"application/vnd.oasis.opendocument.text",
                },
                stored=("mimetype",),
            ),
            id="odt mimetype not first",
        ),
        pytest.param(
            zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}),
            id="odt mimetype compressed",
        ),
        pytest.param(
            zipped({"mimetype": b"application/vnd.oasis.opendocument.text"}, stored=("mimetype",)),
            id="odt without content",
        ),
        pytest.param(
            zipped(
                {"mimetype": b"application/vnd.oasis.opendocument.text\n\n", "content.xml": b"<office/>"},
                stored=("mimetype",),
            ),
            id="odt mimetype with more than the type",
        ),
        pytest.param(b" %PDF-1.4\n", id="pdf signature not at the start"),
    ],
)
def test_what_is_not_a_document_is_refused_whatever_its_name(content):
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(content), kinds=OFFICE, max_bytes=20 * MB)
    assert refused.value.messages == ["This is not an allowed kind of file. Upload one of: PDF, DOCX, PPTX, ODT, ODP."]


def test_a_single_allowed_kind_is_named_in_the_message():
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(DOCX, name="cv.pdf"), kinds={FileKind.PDF}, max_bytes=5 * MB)
    assert refused.value.messages == ["This is not a PDF file. Upload a PDF."]


def test_the_message_lists_the_allowed_kinds_in_a_fixed_order():
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(PPTX), kinds={FileKind.ODT, FileKind.DOCX, FileKind.PDF}, max_bytes=10 * MB)
    assert refused.value.messages == ["This is not an allowed kind of file. Upload one of: PDF, DOCX, ODT."]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(b""), kinds=OFFICE, max_bytes=MB)
    assert refused.value.messages == ["The file is empty."]


def test_a_file_over_the_limit_is_refused_with_the_limit_and_the_limit_itself_passes():
    limit = 5 * MB
    body = PDF + b"0" * (limit - len(PDF))
    assert check_upload(upload(body), kinds={FileKind.PDF}, max_bytes=limit) == FileKind.PDF
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(body + b"0"), kinds={FileKind.PDF}, max_bytes=limit)
    assert refused.value.messages == ["The file is too large: at most 5 MB."]


class CountingFile(io.BytesIO):
    """Counts the bytes a check reads, to show a large file is not read whole."""

    read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        self.read_bytes += len(data)
        return data


def test_a_large_file_is_not_read_whole():
    file = CountingFile(PDF + b"0" * (4 * MB))
    assert check_upload(file, kinds={FileKind.PDF}, max_bytes=5 * MB) == FileKind.PDF
    assert file.read_bytes < 1024
    too_big = CountingFile(PDF + b"0" * (6 * MB))
    with pytest.raises(ValidationError):
        check_upload(too_big, kinds={FileKind.PDF}, max_bytes=5 * MB)
    assert too_big.read_bytes == 0


def test_a_large_office_document_is_checked_from_its_directory():
    body = ooxml({"word/document.xml": b"<w:document/>", "word/media/big.bin": b"\x00" * (3 * MB)})
    file = CountingFile(body)
    assert check_upload(file, kinds=OFFICE, max_bytes=10 * MB) == FileKind.DOCX
    assert file.read_bytes < 64 * 1024


def test_an_upload_spooled_to_disk_is_checked_the_same_way():
    file = TemporaryUploadedFile("cv.pdf", "application/pdf", len(ODT), "utf-8")
    file.write(ODT)
    file.seek(0)
    assert check_upload(file, kinds={FileKind.ODT}, max_bytes=MB) == FileKind.ODT
    file.close()


def test_a_zip_with_a_name_twice_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", b"<office/>")
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text")
    with pytest.raises(ValidationError):
        check_upload(upload(buffer.getvalue()), kinds=OFFICE, max_bytes=MB)
