"""Certification PDFs: attestations, attendance sheets ("feuilles d'émargement") and convocations.

Pure functions from plain frozen dataclasses to PDF bytes: no model, no query, the services build the data.
Rules kept here:
- every text goes through one embedded TTF family (Bitstream Vera, shipped inside reportlab), so accented
  names (é, ç, œ, Œ, ł…) render; a letter outside the font falls back to its unaccented base letter;
- one page per attestation and per convocation, in one PDF for a whole batch;
- the invigilator password is not part of the data, and the session access code is never printed: it is
  given to the candidates in the room.
"""

from __future__ import annotations

import datetime
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


@dataclass(frozen=True)
class CompetenceLevel:
    code: str
    name: str
    area_code: str
    area_name: str
    level: int  # -1 or 0: not certified


@dataclass(frozen=True)
class AttestationData:
    first_name: str
    last_name: str
    birthdate: datetime.date
    birthplace: str
    certification_center: str
    certification_date: datetime.date
    delivered_at: datetime.date
    valid_until: datetime.date
    pix_score: int
    max_reachable_level: int
    max_reachable_pix: int
    verification_code: str
    competences: tuple[CompetenceLevel, ...]
    verification_url: str


@dataclass(frozen=True)
class CandidateLine:
    last_name: str
    first_name: str
    birthdate: datetime.date
    division: str = ""
    external_id: str = ""
    extra_time_percentage: int = 0
    login: str = ""  # the candidate's Pix Orga login when known (SCO learners with an account)


@dataclass(frozen=True)
class SessionSheetData:
    session_id: int
    center_name: str
    address: str
    room: str
    examiner: str
    date: datetime.date
    time: datetime.time
    access_code: str  # never printed: the invigilator gives it in the room
    candidates: tuple[CandidateLine, ...]


# --- Fonts, colours, text helpers -------------------------------------------------------------------------

_FONT_DIR = Path(reportlab.__file__).parent / "fonts"
FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC = "PixVera", "PixVera-Bold", "PixVera-Italic", "PixVera-BoldItalic"
for _name, _file in (
    (FONT, "Vera.ttf"),
    (FONT_BOLD, "VeraBd.ttf"),
    (FONT_ITALIC, "VeraIt.ttf"),
    (FONT_BOLD_ITALIC, "VeraBI.ttf"),
):
    pdfmetrics.registerFont(TTFont(_name, str(_FONT_DIR / _file)))
pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC)
_COVERED = frozenset.intersection(
    *(frozenset(pdfmetrics.getFont(n).face.charToGlyph) for n in (FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC))
)

NAVY = colors.HexColor("#253858")
BLUE = colors.HexColor("#3D68FF")
GREY = colors.HexColor("#5E6C84")
LIGHT = colors.HexColor("#EEF1FB")
RULE = colors.HexColor("#C1C7D0")
HEADER_BG = colors.HexColor("#DFE3EB")

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm


def _clean(value: object) -> str:
    """One line of text the embedded font can draw: whitespace collapsed, uncovered letters unaccented."""
    text = " ".join(str(value).split())
    if all(ord(ch) in _COVERED for ch in text):
        return text
    out = []
    for ch in text:
        if ord(ch) in _COVERED:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and all(ord(c) in _COVERED for c in base) else "?")
    return "".join(out)


def _markup(value: object) -> str:
    """User data inside a Paragraph: cleaned and XML-escaped (Paragraph parses markup)."""
    return escape(_clean(value))


def _date(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def _time(value: datetime.time) -> str:
    return value.strftime("%Hh%M")


def _fit(text: str, font: str, size: float, width: float, min_size: float = 7) -> tuple[str, float]:
    """Shrink the font down to min_size, then cut with an ellipsis, so one line never leaves its box."""
    while size > min_size and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    if pdfmetrics.stringWidth(text, font, size) > width:
        while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
            text = text[:-1]
        text = text.rstrip() + "…"
    return text, size


def _wrap(text: str, font: str, size: float, width: float, *, min_size: float, max_lines: int) -> tuple[list, float]:
    """Shrink down to min_size, then wrap onto at most max_lines, the last one cut with an ellipsis."""
    while size > min_size and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    lines = simpleSplit(text, font, size, width) or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    return [_fit(line, font, size, width, min_size=size)[0] for line in lines], size


def _draw_fitted(
    c: canvas.Canvas, x: float, y: float, text: str, font: str, size: float, width: float, **wrap
) -> float:
    """Draw text within width (see _wrap; one line unless max_lines is given); return the height used."""
    lines, size = _wrap(text, font, size, width, min_size=wrap.get("min_size", 7), max_lines=wrap.get("max_lines", 1))
    c.setFont(font, size)
    for index, line in enumerate(lines):
        c.drawString(x, y - index * size * 1.25, line)
    return (len(lines) - 1) * size * 1.25


def _draw_label_value(
    c: canvas.Canvas, x: float, y: float, label: str, value: str, size: float, width: float, max_lines: int = 2
) -> float:
    """'Label : value', the label in grey, the value in bold, wrapped beside the label; return the extra height."""
    c.setFillColor(GREY)
    c.setFont(FONT, size)
    c.drawString(x, y, label)
    offset = pdfmetrics.stringWidth(label + " ", FONT, size)
    c.setFillColor(NAVY)
    return _draw_fitted(
        c, x + offset, y, _clean(value), FONT_BOLD, size, width - offset, min_size=size - 1.5, max_lines=max_lines
    )


def _natural_key(code: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in code.split("."))


# --- Attestation ------------------------------------------------------------------------------------------


def attestation_pdf(attestations: Sequence[AttestationData]) -> bytes:
    """One A4 portrait page per attestation, in one PDF (a class prints one file, not thirty)."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    c.setTitle("Attestation de certification Pix")
    c.setAuthor("Pix Orga")
    for attestation in attestations:
        _draw_attestation(c, attestation)
        c.showPage()
    if not attestations:
        c.setFont(FONT, 12)
        c.drawString(MARGIN, PAGE_HEIGHT - MARGIN - 12, "Aucune attestation.")
        c.showPage()
    c.save()
    return buffer.getvalue()


def _draw_attestation(c: canvas.Canvas, a: AttestationData) -> None:
    left, right = MARGIN, PAGE_WIDTH - MARGIN
    width = right - left

    c.setFillColor(BLUE)
    c.rect(0, PAGE_HEIGHT - 6, PAGE_WIDTH, 6, stroke=0, fill=1)

    y = PAGE_HEIGHT - MARGIN - 16
    c.setFillColor(BLUE)
    c.setFont(FONT_BOLD, 13)
    c.drawString(left, y + 22, "Pix")
    c.setFillColor(NAVY)
    c.setFont(FONT_BOLD, 21)
    c.drawString(left, y, "Attestation de certification Pix")
    y -= 18
    c.setFillColor(GREY)
    c.setFont(FONT, 10.5)
    c.drawString(left, y, "Ce document atteste l'obtention d'une certification Pix")
    y -= 12
    c.setStrokeColor(RULE)
    c.setLineWidth(0.6)
    c.line(left, y, right, y)

    # Score badge on the right: a hexagon, as on Pix's own certificates.
    radius = 56
    cx, cy = right - radius + 4, y - 18 - radius
    _hexagon(c, cx, cy, radius)
    c.setFillColor(colors.white)
    c.setFont(FONT_BOLD, 32)
    c.drawCentredString(cx, cy + 2, str(a.pix_score))
    c.setFont(FONT, 13)
    c.drawCentredString(cx, cy - 18, "pix")
    c.setFillColor(GREY)
    c.setFont(FONT, 9)
    c.drawCentredString(cx, cy - radius - 13, f"sur {a.max_reachable_pix} pix")

    # Identity, on the left of the badge.
    column = width - 2 * radius - 22
    y -= 36
    c.setFillColor(NAVY)
    y -= _draw_fitted(
        c, left, y, _clean(f"{a.first_name} {a.last_name}"), FONT_BOLD, 19, column, min_size=14, max_lines=2
    )
    y -= 22
    born = f"Né(e) le {_date(a.birthdate)}" + (f" à {_clean(a.birthplace)}" if _clean(a.birthplace) else "")
    c.setFillColor(NAVY)
    y -= _draw_fitted(c, left, y, born, FONT, 10.5, column, min_size=9, max_lines=2)
    for label, value in (
        ("Centre de certification :", a.certification_center),
        ("Date de passage :", _date(a.certification_date)),
        ("Délivré le", _date(a.delivered_at)),
    ):
        y -= 17
        y -= _draw_label_value(c, left, y, label, value, 10.5, column)
    y -= 20
    c.setFillColor(GREY)
    c.setFont(FONT_ITALIC, 8.5)
    validity = (
        f"La certification est valable trois ans à partir de la date de délivrance (jusqu'au {_date(a.valid_until)})."
    )
    for line in simpleSplit(validity, FONT_ITALIC, 8.5, column):
        c.drawString(left, y, line)
        y -= 11

    y = min(y, cy - radius - 16) - 22
    y = _draw_competences(c, a, left, y, width)

    # Footnote on the maximum score, then the verification box at the bottom.
    box_height = 62
    if a.max_reachable_level < 8:
        c.setFillColor(GREY)
        c.setFont(FONT, 7.5)
        note = (
            f"Score maximal atteignable à cette date : {a.max_reachable_pix} pix (niveau {a.max_reachable_level} "
            "dans les 16 compétences). Lorsque les 8 niveaux seront ouverts, le maximum sera de 1024 pix."
        )
        lines = simpleSplit(note, FONT, 7.5, width)
        for index, line in enumerate(lines):
            c.drawString(left, MARGIN + box_height + 12 + (len(lines) - 1 - index) * 9.5, line)
    _draw_verification(c, a, left, MARGIN, width, box_height)


def _hexagon(c: canvas.Canvas, cx: float, cy: float, radius: float) -> None:
    path = c.beginPath()
    points = [(cx, cy + radius), (cx + 0.866 * radius, cy + radius / 2), (cx + 0.866 * radius, cy - radius / 2)]
    points += [(cx, cy - radius), (cx - 0.866 * radius, cy - radius / 2), (cx - 0.866 * radius, cy + radius / 2)]
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    c.setFillColor(NAVY)
    c.drawPath(path, stroke=0, fill=1)


def _draw_competences(c: canvas.Canvas, a: AttestationData, left: float, y: float, width: float) -> float:
    right = left + width
    c.setFillColor(NAVY)
    c.setFont(FONT_BOLD, 12)
    c.drawString(left, y, f"Compétences certifiées (niveaux sur {a.max_reachable_level})")
    y -= 10
    if not a.competences:
        c.setFillColor(GREY)
        c.setFont(FONT, 10)
        c.drawString(left, y - 14, "Aucune compétence certifiée.")
        return y - 14
    areas: dict[str, list[CompetenceLevel]] = {}
    for competence in sorted(a.competences, key=lambda comp: _natural_key(comp.code)):
        areas.setdefault(competence.area_code, []).append(competence)
    band, row = 18, 17
    for area_code, competences in areas.items():
        y -= band + 4
        c.setFillColor(LIGHT)
        c.rect(left, y, width, band, stroke=0, fill=1)
        c.setFillColor(NAVY)
        title = _clean(f"{area_code}. {competences[0].area_name}".upper())
        _draw_fitted(c, left + 6, y + 5, title, FONT_BOLD, 8.5, width - 70)
        c.setFillColor(GREY)
        c.setFont(FONT, 7.5)
        c.drawRightString(right - 6, y + 5.5, "NIVEAU")
        for competence in competences:
            y -= row
            c.setFillColor(GREY)
            c.setFont(FONT, 8.5)
            c.drawString(left + 6, y + 4.5, _clean(competence.code))
            c.setFillColor(NAVY)
            _draw_fitted(c, left + 30, y + 4.5, _clean(competence.name), FONT, 9.5, width - 120)
            if competence.level >= 1:
                c.setFont(FONT_BOLD, 10)
                c.drawRightString(right - 6, y + 4.5, str(competence.level))
            else:
                c.setFillColor(GREY)
                c.setFont(FONT_ITALIC, 8.5)
                c.drawRightString(right - 6, y + 4.5, "non certifiée")
            c.setStrokeColor(RULE)
            c.setLineWidth(0.3)
            c.line(left + 6, y, right - 6, y)
    return y


def _draw_verification(c: canvas.Canvas, a: AttestationData, x: float, y: float, width: float, height: float) -> None:
    c.setStrokeColor(BLUE)
    c.setLineWidth(0.8)
    c.roundRect(x, y, width, height, 6, stroke=1, fill=0)
    c.setFillColor(GREY)
    c.setFont(FONT, 8.5)
    c.drawString(x + 12, y + height - 18, "Code de vérification")
    c.setFillColor(NAVY)
    c.setFont(FONT_BOLD, 17)
    c.drawString(x + 12, y + 16, _clean(a.verification_code))
    text_x = x + 150
    c.setFillColor(NAVY)
    c.setFont(FONT, 9)
    c.drawString(text_x, y + height - 18, "Vérifier l'authenticité de la certification :")
    c.setFillColor(BLUE)
    url, size = _fit(_clean(a.verification_url), FONT_BOLD, 9.5, width - 162)
    c.setFont(FONT_BOLD, size)
    c.drawString(text_x, y + height - 33, url)
    c.linkURL(a.verification_url, (text_x, y + height - 37, x + width - 12, y + height - 23), relative=0)
    c.setFillColor(GREY)
    c.setFont(FONT, 8)
    c.drawString(text_x, y + 14, "en saisissant le code de vérification ci-contre.")


# --- Session documents ------------------------------------------------------------------------------------

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14.5, textColor=NAVY)
_CELL = ParagraphStyle("cell", parent=_BODY, fontSize=9, leading=11)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=9, leading=12, textColor=GREY)
_TITLE = ParagraphStyle("title", parent=_BODY, fontName=FONT_BOLD, fontSize=19, leading=24)
_HEADING = ParagraphStyle("heading", parent=_BODY, fontName=FONT_BOLD, fontSize=12, leading=16, spaceBefore=8)
_CELL_HEADER = ParagraphStyle("cell_header", parent=_CELL, fontName=FONT_BOLD, fontSize=8.5, alignment=TA_CENTER)
_CELL_HEADER_LEFT = ParagraphStyle("cell_header_left", parent=_CELL_HEADER, alignment=TA_LEFT)
_CALLOUT = ParagraphStyle("callout", parent=_BODY, fontName=FONT_BOLD, alignment=TA_CENTER)


def _extra_time(candidate: CandidateLine) -> str:
    return f"{candidate.extra_time_percentage}\u00a0%" if candidate.extra_time_percentage > 0 else ""


class _NumberedCanvas(canvas.Canvas):
    """Holds the pages back until the end, to print 'Page n / total' on each of them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFillColor(GREY)
            self.setFont(FONT, 8)
            self.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 10, f"Page {self._pageNumber} / {total}")
            super().showPage()
        super().save()


_SHEET_HEADER_HEIGHT = 106
_FRAME_PADDING = 6  # platypus frames pad their content by 6 pt on each side


def _draw_sheet_header(c: canvas.Canvas, data: SessionSheetData) -> None:
    left, right = MARGIN, PAGE_WIDTH - MARGIN
    top = PAGE_HEIGHT - MARGIN
    c.saveState()
    c.setFillColor(NAVY)
    c.setFont(FONT_BOLD, 16)
    c.drawString(left, top - 16, "Feuille d'émargement")
    c.setFont(FONT_BOLD, 12)
    c.drawRightString(right, top - 16, f"Session n° {data.session_id}")
    width = right - left
    y = top - 38
    _draw_label_value(c, left, y, "Centre de certification :", data.center_name, 9.5, width, max_lines=1)
    y -= 15
    _draw_label_value(c, left, y, "Adresse :", data.address, 9.5, width, max_lines=1)
    y -= 15
    third = width / 3
    _draw_label_value(c, left, y, "Date :", _date(data.date), 9.5, third - 8, max_lines=1)
    _draw_label_value(c, left + third, y, "Heure :", _time(data.time), 9.5, third - 8, max_lines=1)
    _draw_label_value(c, left + 2 * third, y, "Salle :", data.room, 9.5, third, max_lines=1)
    y -= 15
    _draw_label_value(c, left, y, "Surveillant(s) :", data.examiner, 9.5, width, max_lines=1)
    c.setStrokeColor(RULE)
    c.setLineWidth(0.6)
    c.line(left, top - _SHEET_HEADER_HEIGHT + 6, right, top - _SHEET_HEADER_HEIGHT + 6)
    c.setFillColor(GREY)
    c.setFont(FONT, 8)
    c.drawString(left, MARGIN - 10, _clean(f"{data.center_name} — session n° {data.session_id} du {_date(data.date)}"))
    c.restoreState()


def attendance_sheet_pdf(data: SessionSheetData) -> bytes:
    """The sheet the candidates sign in the room: the session header repeated on every page, numbered pages."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN - _FRAME_PADDING,
        rightMargin=MARGIN - _FRAME_PADDING,
        topMargin=MARGIN + _SHEET_HEADER_HEIGHT,
        bottomMargin=MARGIN + 6,
        title=f"Feuille d'émargement — session n° {data.session_id}",
        author="Pix Orga",
    )
    headers = ("Nom", "Prénom", "Date de naissance", "Classe", "Temps majoré", "Signature")
    rows: list[list] = [[Paragraph(h, _CELL_HEADER if i > 1 else _CELL_HEADER_LEFT) for i, h in enumerate(headers)]]
    for candidate in data.candidates:
        rows.append(
            [
                Paragraph(_markup(candidate.last_name), _CELL),
                Paragraph(_markup(candidate.first_name), _CELL),
                _date(candidate.birthdate),
                Paragraph(_markup(candidate.division), _CELL),
                _extra_time(candidate),
                Spacer(1, 22),
            ]
        )
    width = PAGE_WIDTH - 2 * MARGIN
    widths = [106, 92, 64, 66, 46]
    table = Table(rows, colWidths=[*widths, width - sum(widths)], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8.5),
                ("TEXTCOLOR", (0, 0), (-1, -1), NAVY),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8993A4")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (2, 0), (4, -1), "CENTER"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story: list = [table]
    if not data.candidates:
        story += [Spacer(1, 4 * mm), Paragraph("Aucun candidat inscrit.", _SMALL)]
    closing = Table(
        [
            [f"Candidats inscrits : {len(data.candidates)}", "Signature du (des) surveillant(s) :"],
            ["Candidats présents : ………", ""],
        ],
        colWidths=[width / 2, width / 2],
        rowHeights=[18, 40],
    )
    closing.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9.5),
                ("TEXTCOLOR", (0, 0), (-1, -1), NAVY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 0), (1, 1), 0.5, colors.HexColor("#8993A4")),
            ]
        )
    )
    story += [Spacer(1, 6 * mm), KeepTogether([closing])]

    def on_page(c: canvas.Canvas, _document) -> None:
        _draw_sheet_header(c, data)

    document.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def convocations_pdf(data: SessionSheetData, *, entry_url: str) -> bytes:
    """One convocation page per candidate; the access code stays off paper (the invigilator gives it)."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN + 4 * mm - _FRAME_PADDING,
        rightMargin=MARGIN + 4 * mm - _FRAME_PADDING,
        topMargin=MARGIN + 6 * mm,
        bottomMargin=MARGIN,
        title=f"Convocations — session n° {data.session_id}",
        author="Pix Orga",
    )
    story: list = []
    for index, candidate in enumerate(data.candidates):
        if index:
            story.append(PageBreak())
        story += _convocation(data, candidate, entry_url, document.width - 2 * _FRAME_PADDING)
    if not data.candidates:
        story.append(Paragraph("Aucun candidat inscrit.", _BODY))

    def on_page(c: canvas.Canvas, _document) -> None:
        c.saveState()
        c.setFillColor(BLUE)
        c.rect(0, PAGE_HEIGHT - 6, PAGE_WIDTH, 6, stroke=0, fill=1)
        c.restoreState()

    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _convocation(data: SessionSheetData, candidate: CandidateLine, entry_url: str, width: float) -> list:
    name = _markup(f"{candidate.first_name} {candidate.last_name}")
    details = [
        ("Date", _date(data.date)),
        ("Heure", _time(data.time)),
        ("Centre de certification", data.center_name),
        ("Adresse", data.address),
        ("Salle", data.room),
        ("Numéro de session", str(data.session_id)),
    ]
    if candidate.extra_time_percentage > 0:
        details.append(("Temps majoré", _extra_time(candidate)))
    details_table = Table(
        [[Paragraph(label, _SMALL), Paragraph(f"<b>{_markup(value)}</b>", _BODY)] for label, value in details],
        colWidths=[48 * mm, width - 48 * mm],
    )
    details_table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, colors.white),
            ]
        )
    )
    identity = f"Né(e) le {_date(candidate.birthdate)}"
    if _clean(candidate.division):
        identity += f" — classe {_markup(candidate.division)}"
    callout = Table([[Paragraph("Apportez une pièce d'identité", _CALLOUT)]], colWidths=[width])
    callout.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, BLUE),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    url = _markup(entry_url)
    login = (
        f"Connectez-vous avec votre identifiant : <b>{_markup(candidate.login)}</b>."
        if candidate.login
        else "Connectez-vous avec votre identifiant habituel."
    )
    steps = [
        f"Rendez-vous sur <b>{url}</b>. {login}",
        "Cliquez sur « Je passe ma certification ».",
        f"Saisissez le numéro de session (<b>{data.session_id}</b>), votre nom, votre prénom et votre date de "
        "naissance.",
        "Saisissez le code d'accès que le surveillant vous communiquera dans la salle, puis attendez qu'il "
        "vous autorise à commencer.",
    ]
    steps_table = Table(
        [[Paragraph(f"<b>{number}</b>", _BODY), Paragraph(step, _BODY)] for number, step in enumerate(steps, 1)],
        colWidths=[10 * mm, width - 10 * mm],
    )
    steps_table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("TEXTCOLOR", (0, 0), (0, -1), BLUE),
            ]
        )
    )
    return [
        Paragraph('<font color="#3D68FF">Pix</font>', _HEADING),
        Paragraph("Convocation à la certification Pix", _TITLE),
        Spacer(1, 6 * mm),
        Paragraph(f"<b>{name}</b>", ParagraphStyle("name", parent=_BODY, fontSize=14, leading=18)),
        Paragraph(identity, _SMALL),
        Spacer(1, 5 * mm),
        Paragraph(
            f"Vous êtes convoqué(e) à la session de certification Pix n° {data.session_id} "
            f"du {_date(data.date)} à {_time(data.time)}.",
            _BODY,
        ),
        Spacer(1, 4 * mm),
        details_table,
        Spacer(1, 6 * mm),
        callout,
        Spacer(1, 4 * mm),
        Paragraph("Le jour de la certification", _HEADING),
        Spacer(1, 2 * mm),
        steps_table,
        Spacer(1, 4 * mm),
        Paragraph(
            "Présentez-vous quelques minutes avant l'heure indiquée. Le test se passe sur ordinateur, "
            "dans la salle, en présence du surveillant.",
            _SMALL,
        ),
    ]
