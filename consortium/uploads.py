"""Uploaded documents checked by what they contain, never by their name or the browser's content type."""

import enum
import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

MB = 1024 * 1024


class FileKind(enum.StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    PPTX = "pptx"
    ODT = "odt"
    ODP = "odp"

    @property
    def label(self) -> str:
        return self.value.upper()

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self]


CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    FileKind.ODT: "application/vnd.oasis.opendocument.text",
    FileKind.ODP: "application/vnd.oasis.opendocument.presentation",
}


# Office Open XML: the package manifest, the package relationships and the main part of the application.
_OOXML_PARTS = {FileKind.DOCX: "word/document.xml", FileKind.PPTX: "ppt/presentation.xml"}
_OOXML_PACKAGE = ("[Content_Types].xml", "_rels/.rels")
# OpenDocument: the type is spelled out in a `mimetype` entry that, as the ODF specification asks,
# opens the package, stored uncompressed; the document body is `content.xml`.
_ODF_TYPES = {
    FileKind.ODT: b"application/vnd.oasis.opendocument.text",
    FileKind.ODP: b"application/vnd.oasis.opendocument.presentation",
}
# Each format's signature must open the file: an executable, a script or an HTML page renamed .pdf
# fails, and so does a self-extracting archive (an executable with a zip appended), which the zip
# reader alone would accept.
_HEAD_BYTES = 8
_MIMETYPE_BYTES = 100


def _size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    return size


def _detect(file, head: bytes) -> FileKind | None:
    if head.startswith(b"%PDF-"):
        return FileKind.PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        file.seek(0)
        # ZipFile reads the central directory from the end: the members themselves are not inflated.
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if len(names) != len(infos):
                return None  # the same name twice: which one a reader takes is anyone's guess
            if all(name in names for name in _OOXML_PACKAGE):
                for kind, part in _OOXML_PARTS.items():
                    if part in names:
                        return kind
            first = min(infos, key=lambda info: info.header_offset, default=None)
            if (
                first is not None
                and first.filename == "mimetype"
                and first.header_offset == 0
                and first.compress_type == zipfile.ZIP_STORED
                and first.file_size <= _MIMETYPE_BYTES
                and "content.xml" in names
            ):
                with archive.open(first) as entry:
                    mimetype = entry.read(_MIMETYPE_BYTES)
                for kind, expected in _ODF_TYPES.items():
                    if mimetype == expected:
                        return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError, ValueError, NotImplementedError):
        return None
    return None


def check_upload(file, *, kinds: set[FileKind] | frozenset[FileKind], max_bytes: int) -> FileKind:
    """Return the kind of an uploaded file, or raise ValidationError when it is empty, larger than
    max_bytes, or not one of the allowed kinds. Reads the start of the file and, for zip-based
    formats, the archive's directory; the file is left at position 0 for saving."""
    size = _size(file)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("The file is too large: at most %(limit)s MB.") % {"limit": f"{max_bytes / MB:g}"}, code="too_large"
        )
    file.seek(0)
    kind = _detect(file, file.read(_HEAD_BYTES))
    file.seek(0)
    if kind not in kinds:
        allowed = sorted(kinds, key=list(FileKind).index)
        if len(allowed) == 1:
            message = _("This is not a %(kind)s file. Upload a %(kind)s.") % {"kind": allowed[0].label}
        else:
            message = _("This is not an allowed kind of file. Upload one of: %(kinds)s.") % {
                "kinds": ", ".join(k.label for k in allowed)
            }
        raise ValidationError(message, code="kind")
    return kind


def private_download(field_file, *, name: str, kind: FileKind) -> FileResponse:
    """A stored upload as a download for a view that has checked who may have it: never under a
    public media URL, never displayed by the browser, named for what its content is whatever name
    it came with (so it opens as what it is), not kept in caches. Http404 when the file is gone."""
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    filename = f"{PurePath(name).stem or 'file'}.{kind}"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=kind.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
