"""Certificates of attendance: what they say (shared by the printable page and the PDF) and the PDF.

The PDF uses DejaVu Sans when the machine has it, so that any name prints as written; without it,
fpdf2's core Helvetica, which knows only Latin-1, gets names transliterated to plain letters.
"""

import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import Attendance, Module

# fontTools reports every glyph it subsets at INFO level.
logging.getLogger("fontTools").setLevel(logging.WARNING)
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]


@dataclass
class Certificate:
    registration: object
    person: str
    week: object
    host: str
    days: list
    modules: list
    issued_on: object


def certificate_for(registration) -> Certificate | None:
    """The certificate of a registration, or None when the person attended no session."""
    attended = list(
        Attendance.objects.filter(registration=registration).select_related("session").order_by("session__day")
    )
    if not attended:
        return None
    module_ids = {a.session.module_id for a in attended if a.session.module_id}
    return Certificate(
        registration=registration,
        person=registration.person.full_name or registration.person.email,
        week=registration.week,
        host=registration.week.host.name,
        days=sorted({a.session.day for a in attended}),
        modules=list(Module.objects.filter(pk__in=module_ids)),
        issued_on=timezone.localdate(),
    )


def _font_file(name: str) -> Path | None:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    return None


# Latin letters that Unicode does not decompose into a base letter and an accent.
UNDECOMPOSABLE = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe",
                                "ı": "i", "Ħ": "H", "ħ": "h"})  # fmt: skip


def _plain(text: str) -> str:
    """Latin-1 text for the core fonts: accents kept where Latin-1 has them, other Latin letters
    reduced to their base letter, letters of other scripts replaced by "?"."""
    result = []
    for char in text.translate(UNDECOMPOSABLE):
        try:
            char.encode("latin-1")
            result.append(char)
        except UnicodeEncodeError:
            result.append(unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode() or "?")
    return "".join(result)


def certificate_pdf(certificate: Certificate) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_("Certificate of attendance"))
    pdf.set_creator("Career Consortium")
    regular, bold = _font_file("DejaVuSans.ttf"), _font_file("DejaVuSans-Bold.ttf")
    if regular and bold:
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        family, clean = "DejaVu", str
    else:
        family, clean = "Helvetica", _plain
    pdf.add_page()
    pdf.set_margins(25, 20, 25)
    pdf.set_draw_color(10, 61, 145)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)

    def line(text: str, size: int, style: str = "", gap: float = 4):
        pdf.set_font(family, style, size)
        pdf.multi_cell(0, size * 0.5, clean(text), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    week = certificate.week
    pdf.set_y(28)
    line(_("Certificate of attendance"), 28, "B", 8)
    line(_("This is to certify that"), 13)
    line(certificate.person, 22, "B", 6)
    line(_("took part in the staff training week"), 13)
    line(week.title, 18, "B", 4)
    line(
        _("hosted by %(host)s, %(start)s – %(end)s")
        % {"host": certificate.host, "start": _date(week.starts_on), "end": _date(week.ends_on)},
        13,
        gap=6,
    )
    days = ", ".join(_date(day) for day in certificate.days)
    line(_("Days attended (%(count)d): %(days)s") % {"count": len(certificate.days), "days": days}, 11, gap=4)
    if certificate.modules:
        line(_("Curriculum modules covered:"), 11, "B", 1)
        for module in certificate.modules:
            line(f"{module.code} · {module.title}", 11, gap=1)
    pdf.set_y(max(pdf.get_y() + 6, pdf.h - 38))
    line(_("Issued on %(date)s by the Career Consortium") % {"date": _date(certificate.issued_on)}, 10)
    return bytes(pdf.output())


def _date(day) -> str:
    return formats.date_format(day, "DATE_FORMAT", use_l10n=True) if translation.get_language() else day.isoformat()
