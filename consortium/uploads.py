"""Uploaded documents checked by what they contain, never by their name or the browser's content type."""

import enum
import zipfile

from django.core.exceptions import ValidationError
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


# Office Open XML: the package manifest plus the part folder of the application.
_OOXML_FOLDERS = {FileKind.DOCX: "word/", FileKind.PPTX: "ppt/"}
# OpenDocument: the type is spelled out in a small `mimetype` entry.
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
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                for kind, folder in _OOXML_FOLDERS.items():
                    if any(name.startswith(folder) for name in names):
                        return kind
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(_MIMETYPE_BYTES).strip()
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
