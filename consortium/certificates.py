"""The PDF of a certificate, shared by every app that certifies something (training weeks, summer
schools): an A4 landscape page with a frame and centred lines; each app writes its own lines.

DejaVu Sans is used when the machine has it, so that any name prints as written; without it,
fpdf2's core Helvetica, which knows only Latin-1, gets the text transliterated to plain letters.
"""

import logging
import unicodedata
from pathlib import Path

from django.utils import formats, translation
from fpdf import FPDF

# fontTools reports every glyph it subsets at INFO level.
logging.getLogger("fontTools").setLevel(logging.WARNING)
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]

# Latin letters that Unicode does not decompose into a base letter and an accent.
UNDECOMPOSABLE = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe",
                                "ı": "i", "Ħ": "H", "ħ": "h"})  # fmt: skip


def _font_file(name: str) -> Path | None:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    return None


def plain(text: str) -> str:
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


def format_date(day) -> str:
    return formats.date_format(day, "DATE_FORMAT", use_l10n=True) if translation.get_language() else day.isoformat()


class CertificatePDF:
    """One framed landscape page: write centred lines top down, then the footer, then bytes()."""

    def __init__(self, title: str):
        self.pdf = pdf = FPDF(orientation="landscape", format="A4")
        pdf.set_title(title)
        pdf.set_creator("Career Consortium")
        regular, bold = _font_file("DejaVuSans.ttf"), _font_file("DejaVuSans-Bold.ttf")
        if regular and bold:
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            self.family, self.clean = "DejaVu", str
        else:
            self.family, self.clean = "Helvetica", plain
        pdf.add_page()
        pdf.set_margins(25, 20, 25)
        pdf.set_draw_color(10, 61, 145)
        pdf.set_line_width(1.2)
        pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
        pdf.set_y(28)

    def line(self, text: str, size: int, style: str = "", gap: float = 4) -> None:
        self.pdf.set_font(self.family, style, size)
        self.pdf.multi_cell(0, size * 0.5, self.clean(text), align="C", new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(gap)

    def footer(self, *lines: str) -> None:
        """Small lines at the foot of the page, or below the text when it runs long."""
        self.pdf.set_y(max(self.pdf.get_y() + 6, self.pdf.h - 32 - 6 * len(lines)))
        for text in lines:
            self.line(text, 10, gap=1)

    def __bytes__(self) -> bytes:
        return bytes(self.pdf.output())
