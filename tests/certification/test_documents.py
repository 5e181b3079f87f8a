"""Certification PDFs: one page per attestation / convocation, the right texts, no secret on paper.

No database: the documents are pure functions of frozen dataclasses. Text is read back from the PDF with a
small reader of what ReportLab writes (Flate streams, TrueType subsets with a ToUnicode map), so the tests
need neither poppler nor pypdf.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import re
import zlib

import pytest

from certification.documents import (
    AttestationData,
    CandidateLine,
    CompetenceLevel,
    SessionSheetData,
    attendance_sheet_pdf,
    attestation_pdf,
    convocations_pdf,
)

# --- A reader for ReportLab's PDFs --------------------------------------------------------------------------

_OBJECT = re.compile(rb"(\d+) 0 obj\s*")
_STREAM = re.compile(rb">>\s*stream\r?\n")
_TOKEN = re.compile(rb"\((?P<string>(?:\\.|[^\\()])*)\)|/(?P<name>[^\s/\[\]()<>]+)|(?P<op>[A-Za-z*'\"]+)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number -> (dictionary text, decoded stream or None), scanning the file in order."""
    objects, position = {}, 0
    while match := _OBJECT.search(pdf, position):
        start = match.end()
        end = pdf.index(b"endobj", start)
        stream = _STREAM.search(pdf, start, end)  # not a bare "stream": "BitstreamVeraSans" has one
        if not stream:
            objects[int(match[1])] = (pdf[start:end], None)
            position = end
            continue
        head, data_start = pdf[start : stream.start()], stream.end()
        length = int(re.search(rb"/Length (\d+)", head)[1])
        data = pdf[data_start : data_start + length]
        if b"/ASCII85Decode" in head:
            data = base64.a85decode(data.strip().removeprefix(b"<~").removesuffix(b"~>"))
        if b"/FlateDecode" in head:
            data = zlib.decompress(data)
        objects[int(match[1])] = (head, data)
        position = pdf.index(b"endobj", data_start + length)
    return objects


def _unescape(raw: bytes) -> bytes:
    def replace(match: re.Match) -> bytes:
        escaped = match[1]
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8) & 0xFF])
        if escaped in (b"\n", b"\r\n", b"\r"):
            return b""
        return _ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|\r\n|.)", replace, raw, flags=re.S)


def pdf_pages_text(pdf: bytes) -> list[str]:
    """The text of each page, in page order, whitespace collapsed."""
    objects = _objects(pdf)
    fonts: dict[bytes, dict[int, str]] = {}
    for head, _ in objects.values():
        name = re.search(rb"/Type /Font\b", head) and re.search(rb"/Name /(\S+)", head)
        if not name:
            continue
        cmap: dict[int, str] = {}
        if to_unicode := re.search(rb"/ToUnicode (\d+) 0 R", head):
            stream = objects[int(to_unicode[1])][1]
            for code, char in re.findall(rb"<([0-9A-F]{2})> <([0-9A-F]{4})>", stream):
                cmap[int(code, 16)] = chr(int(char, 16))
        fonts[name[1]] = cmap
    pages_head = next(head for head, _ in objects.values() if re.search(rb"/Type /Pages\b", head))
    pages = []
    for page in re.findall(rb"(\d+) 0 R", re.search(rb"/Kids \[(.*?)\]", pages_head, re.S)[1]):
        contents = int(re.search(rb"/Contents (\d+) 0 R", objects[int(page)][0])[1])
        pages.append(_content_text(objects[contents][1], fonts))
    return pages


def _content_text(content: bytes, fonts: dict[bytes, dict[int, str]]) -> str:
    parts, pending, name, cmap = [], [], b"", {}
    for token in _TOKEN.finditer(content):
        if token["string"] is not None:
            pending.append(_unescape(token["string"]))
        elif token["name"] is not None:
            name = token["name"]
        elif token["op"] == b"Tf":
            cmap = fonts.get(name, {})
        elif token["op"] in (b"Tj", b"TJ", b"'", b'"'):
            parts += ["".join(cmap.get(byte, chr(byte)) for byte in string) for string in pending]
        if token["op"]:
            pending = []
            if token["op"] in (b"Td", b"TD", b"Tm", b"T*", b"ET", b"'", b'"'):
                parts.append("\n")
    return " ".join("".join(parts).split())


# --- Data ---------------------------------------------------------------------------------------------------

AREAS = {
    "1": "Informations et données",
    "2": "Communication et collaboration",
    "3": "Création de contenu",
    "4": "Protection et sécurité",
    "5": "Environnement numérique",
}
COMPETENCES = (
    ("1.1", "Mener une recherche et une veille d'information"),
    ("1.2", "Gérer des données"),
    ("1.3", "Traiter des données"),
    ("2.1", "Interagir"),
    ("2.2", "Partager et publier"),
    ("2.3", "Collaborer"),
    ("2.4", "S'insérer dans le monde numérique"),
    ("3.1", "Développer des documents textuels"),
    ("3.2", "Développer des documents multimédia"),
    ("3.3", "Adapter les documents à leur finalité"),
    ("3.4", "Programmer"),
    ("4.1", "Sécuriser l'environnement numérique"),
    ("4.2", "Protéger les données personnelles et la vie privée"),
    ("4.3", "Protéger la santé, le bien-être et l'environnement"),
    ("5.1", "Résoudre des problèmes techniques"),
    ("5.2", "Construire un environnement numérique"),
)
LEVELS = {"1.1": 4, "1.2": 3, "2.3": 0, "5.2": -1}
ACCESS_CODE = "BKQT48"
INVIGILATOR_PASSWORD = "7KX3P"
ENTRY_URL = "https://pix.example.fr/certification/"


def competences() -> tuple[CompetenceLevel, ...]:
    # Handed over out of order: the attestation sorts them by code and groups them by domain.
    return tuple(
        CompetenceLevel(code, name, code[0], AREAS[code[0]], LEVELS.get(code, 2))
        for code, name in reversed(COMPETENCES)
    )


def attestation(**overrides) -> AttestationData:
    values = {
        "first_name": "Chloé-Œlia",
        "last_name": "Lœuvre Besançon",
        "birthdate": datetime.date(2008, 10, 5),
        "birthplace": "Saint-Étienne",
        "certification_center": "Lycée Léonard de Vinci",
        "certification_date": datetime.date(2024, 6, 3),
        "delivered_at": datetime.date(2024, 7, 13),
        "valid_until": datetime.date(2027, 7, 13),
        "pix_score": 412,
        "max_reachable_level": 6,
        "max_reachable_pix": 768,
        "verification_code": "P-BCDF2346",
        "competences": competences(),
        "verification_url": "https://pix.example.fr/verifier-une-certification/",
    }
    return AttestationData(**{**values, **overrides})


def session(candidates: int = 3) -> SessionSheetData:
    first = (
        CandidateLine("Lœuvre", "Éloïse", datetime.date(2009, 2, 1), "3e B", "", 33),
        CandidateLine("Besançon", "François", datetime.date(2009, 12, 24), "3e A"),
        CandidateLine("Nguyễn", "Œdipe", datetime.date(2008, 7, 14), "3e B", "ext-9"),
    )
    more = tuple(
        CandidateLine(f"Élève{n:03d}", "Zoé", datetime.date(2009, 1, 1 + n % 28), "3e C") for n in range(candidates - 3)
    )
    return SessionSheetData(
        session_id=1234,
        center_name="Collège Jean Moulin",
        address="12 rue des Écoles, 69003 Lyon",
        room="Salle informatique B12",
        examiner="Mme Françoise Dupré",
        date=datetime.date(2025, 3, 12),
        time=datetime.time(14, 0),
        access_code=ACCESS_CODE,
        candidates=(first + more)[:candidates],
    )


# --- Attestation --------------------------------------------------------------------------------------------


def test_attestations_come_as_one_pdf_with_one_page_each():
    pdf = attestation_pdf([attestation(), attestation(first_name="Noé"), attestation(first_name="Anaïs")])

    assert pdf.startswith(b"%PDF")
    pages = pdf_pages_text(pdf)
    assert len(pages) == 3 == int(re.search(rb"/Count (\d+)", pdf)[1])
    assert ["Chloé-Œlia" in pages[0], "Noé Lœuvre" in pages[1], "Anaïs Lœuvre" in pages[2]] == [True] * 3


def test_the_attestation_says_who_where_when_and_how_long_it_is_valid():
    (text,) = pdf_pages_text(attestation_pdf([attestation()]))

    for expected in (
        "Attestation de certification Pix",
        "Ce document atteste l'obtention d'une certification Pix",
        "Chloé-Œlia Lœuvre Besançon",
        "Né(e) le 05/10/2008 à Saint-Étienne",
        "Centre de certification : Lycée Léonard de Vinci",
        "Date de passage : 03/06/2024",
        "Délivré le 13/07/2024",
        "La certification est valable trois ans à partir de la date de délivrance (jusqu'au 13/07/2027)",
    ):
        assert expected in text


def test_the_attestation_shows_the_score_and_each_competence_level_by_domain():
    (text,) = pdf_pages_text(attestation_pdf([attestation()]))

    assert "412 pix" in text
    assert "sur 768 pix" in text
    assert "Compétences certifiées (niveaux sur 6)" in text
    positions = [text.index(f"{code}. {AREAS[code].upper()}") for code in "12345"]
    assert positions == sorted(positions)
    assert "1.1 Mener une recherche et une veille d'information 4" in text
    assert "1.2 Gérer des données 3" in text
    assert "2.3 Collaborer non certifiée" in text
    assert "5.2 Construire un environnement numérique non certifiée" in text
    assert "4.3 Protéger la santé, le bien-être et l'environnement 2" in text
    assert text.index("1.1 Mener") < text.index("1.3 Traiter") < text.index("2. COMMUNICATION")


def test_the_attestation_tells_how_to_verify_it():
    (text,) = pdf_pages_text(attestation_pdf([attestation()]))

    assert "P-BCDF2346" in text
    assert "Vérifier l'authenticité de la certification : https://pix.example.fr/verifier-une-certification/" in text


def test_a_birthplace_left_empty_is_not_printed_as_a_dangling_a():
    (text,) = pdf_pages_text(attestation_pdf([attestation(birthplace="")]))

    assert "Né(e) le 05/10/2008 Centre" in text


def test_letters_outside_the_font_fall_back_to_their_base_letter():
    (text,) = pdf_pages_text(attestation_pdf([attestation(last_name="Nguyễn Ăn")]))

    assert "Chloé-Œlia Nguyen An" in text


def test_no_attestation_still_gives_a_valid_pdf():
    pdf = attestation_pdf([])

    assert pdf.startswith(b"%PDF")
    assert pdf_pages_text(pdf) == ["Aucune attestation."]


# --- Attendance sheet ---------------------------------------------------------------------------------------


def test_the_attendance_sheet_lists_the_candidates_under_the_session_header():
    pdf = attendance_sheet_pdf(session())

    assert pdf.startswith(b"%PDF")
    (text,) = pdf_pages_text(pdf)
    for expected in (
        "Feuille d'émargement",
        "Session n° 1234",
        "Centre de certification : Collège Jean Moulin",
        "Adresse : 12 rue des Écoles, 69003 Lyon",
        "Date : 12/03/2025",
        "Heure : 14h00",
        "Salle : Salle informatique B12",
        "Surveillant(s) : Mme Françoise Dupré",
        "Nom Prénom Date de naissance Classe Temps majoré Signature",
        "Lœuvre Éloïse 01/02/2009 3e B 33 %",
        "Besançon François 24/12/2009 3e A",
        "Nguyen Œdipe 14/07/2008 3e B",
        "Candidats inscrits : 3",
        "Page 1 / 1",
    ):
        assert expected in text


def test_a_long_attendance_sheet_repeats_the_header_and_numbers_its_pages():
    data = session(candidates=80)

    pages = pdf_pages_text(attendance_sheet_pdf(data))

    assert len(pages) >= 3
    for number, text in enumerate(pages, 1):
        assert "Feuille d'émargement" in text
        assert "Session n° 1234" in text
        assert "Nom Prénom Date de naissance" in text
        assert f"Page {number} / {len(pages)}" in text
    everything = " ".join(pages)
    assert all(everything.count(f"Élève{n:03d} ") == 1 for n in range(77))


def test_the_attendance_sheet_prints_no_code_of_the_session():
    text = " ".join(pdf_pages_text(attendance_sheet_pdf(session())))

    assert ACCESS_CODE not in text
    assert "mot de passe" not in text.lower()


def test_the_session_data_cannot_carry_the_invigilator_password():
    assert not [field.name for field in dataclasses.fields(SessionSheetData) if "password" in field.name]


# --- Convocations -------------------------------------------------------------------------------------------


def test_convocations_give_one_page_per_candidate():
    pdf = convocations_pdf(session(candidates=12), entry_url=ENTRY_URL)

    assert pdf.startswith(b"%PDF")
    pages = pdf_pages_text(pdf)
    assert len(pages) == 12
    assert "Éloïse Lœuvre" in pages[0]
    assert "François Besançon" in pages[1]
    assert "Éloïse" not in pages[1]
    assert "Œdipe Nguyen" in pages[2]
    assert "Zoé Élève008" in pages[11]


def test_a_convocation_says_where_when_and_how_to_enter():
    text = pdf_pages_text(convocations_pdf(session(), entry_url=ENTRY_URL))[0]

    for expected in (
        "Convocation à la certification Pix",
        "Éloïse Lœuvre",
        "Né(e) le 01/02/2009 — classe 3e B",
        "Date 12/03/2025",
        "Heure 14h00",
        "Centre de certification Collège Jean Moulin",
        "Adresse 12 rue des Écoles, 69003 Lyon",
        "Salle Salle informatique B12",
        "Numéro de session 1234",
        "Temps majoré 33 %",
        "Apportez une pièce d'identité",
        f"Rendez-vous sur {ENTRY_URL}",
        "Connectez-vous avec votre identifiant habituel",
        "« Je passe ma certification »",
        "Saisissez le numéro de session (1234), votre nom, votre prénom et votre date de naissance",
        "code d'accès que le surveillant vous communiquera dans la salle",
    ):
        assert expected in text


@pytest.mark.parametrize("secret", [ACCESS_CODE, INVIGILATOR_PASSWORD])
def test_convocations_never_print_the_access_code_or_the_invigilator_password(secret):
    pdf = convocations_pdf(session(candidates=5), entry_url=ENTRY_URL)

    assert secret not in " ".join(pdf_pages_text(pdf))


def test_convocations_for_an_empty_session_still_give_a_valid_pdf():
    pdf = convocations_pdf(session(candidates=0), entry_url=ENTRY_URL)

    assert pdf.startswith(b"%PDF")
    assert pdf_pages_text(pdf) == ["Aucun candidat inscrit."]
