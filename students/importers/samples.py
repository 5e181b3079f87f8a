"""Synthetic SIECLE files, shaped like real exports, for tests, benchmarks and the demo.

They are written with the exact structure of reference §3.3 (ISO-8859-15 by default, like SIECLE).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from xml.sax.saxutils import escape

FIRST_NAMES = ["Léa", "Noah", "Chloé", "Lucas", "Inès", "Hugo", "Zoé", "Gaël", "Maëlys", "Éloïse", "Jérôme", "Cœline"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Lefèvre", "Nguyen", "Da Silva", "N'Diaye", "Bœuf", "Leroy", "Müller"]


@dataclass
class SampleStudent:
    eleve_id: str
    ine: str
    first_name: str
    last_name: str
    birthdate: str = "14/03/2010"
    sex: str = "2"
    division: str = "2NDE 3"
    country: str = "100"
    city_code: str = "69123"
    city: str = ""
    date_sortie: str = ""
    extra_structures: list[tuple[str, str]] = field(default_factory=list)
    preferred_last_name: str = ""


def fake_students(count: int, *, seed: int = 1, divisions: int = 30) -> list[SampleStudent]:
    rng = random.Random(seed)  # noqa: S311 - reproducible fake data
    students = []
    for index in range(count):
        born = date(2008, 9, 1) + timedelta(days=rng.randrange(0, 1500))
        students.append(
            SampleStudent(
                eleve_id=str(100000 + index),
                ine=f"{index:09d}{chr(65 + index % 26)}{chr(65 + (index // 26) % 26)}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                birthdate=born.strftime("%d/%m/%Y"),
                sex=rng.choice("12"),
                division=f"{rng.choice(['2NDE', '1ERE', 'TLE'])} {index % divisions + 1}",
            )
        )
    return students


def siecle_xml(students: list[SampleStudent], *, uaj: str, encoding: str = "ISO-8859-15", bom: bool = False) -> bytes:
    """A full ``BEE_ELEVES`` document: PARAMETRES/UAJ, DONNEES/ELEVES and DONNEES/STRUCTURES."""
    parts = [
        f'<?xml version="1.0" encoding="{encoding}"?>\n<BEE_ELEVES VERSION="3.1">\n<PARAMETRES>'
        f"<UAJ>{escape(uaj)}</UAJ><ANNEE_SCOLAIRE>2026</ANNEE_SCOLAIRE></PARAMETRES>\n<DONNEES>\n<ELEVES>\n"
    ]
    for s in students:
        parts.append(
            f'<ELEVE ELEVE_ID="{s.eleve_id}" ELENOET="{s.eleve_id}">'
            f"<ID_NATIONAL>{escape(s.ine)}</ID_NATIONAL><NOM_DE_FAMILLE>{escape(s.last_name)}</NOM_DE_FAMILLE>"
            f"<NOM_USAGE>{escape(s.preferred_last_name)}</NOM_USAGE><PRENOM>{escape(s.first_name)}</PRENOM>"
            f"<PRENOM2></PRENOM2><PRENOM3></PRENOM3><DATE_NAISS>{s.birthdate}</DATE_NAISS>"
            f"<CODE_PAYS>{s.country}</CODE_PAYS><CODE_DEPARTEMENT_NAISS>069</CODE_DEPARTEMENT_NAISS>"
            f"<CODE_COMMUNE_INSEE_NAISS>{s.city_code}</CODE_COMMUNE_INSEE_NAISS>"
            f"<VILLE_NAISS>{escape(s.city)}</VILLE_NAISS><CODE_SEXE>{s.sex}</CODE_SEXE>"
            f"<CODE_MEF>20010018110</CODE_MEF><CODE_STATUT>ST</CODE_STATUT>"
            f"<DATE_SORTIE>{s.date_sortie}</DATE_SORTIE></ELEVE>\n"
        )
    parts.append("</ELEVES>\n<STRUCTURES>\n")
    for s in students:
        structures = [(s.division, "D"), *s.extra_structures]
        inner = "".join(
            f"<STRUCTURE><CODE_STRUCTURE>{escape(code)}</CODE_STRUCTURE><TYPE_STRUCTURE>{kind}</TYPE_STRUCTURE></STRUCTURE>"
            for code, kind in structures
            if code
        )
        parts.append(f'<STRUCTURES_ELEVE ELEVE_ID="{s.eleve_id}" ELENOET="{s.eleve_id}">{inner}</STRUCTURES_ELEVE>\n')
    parts.append("</STRUCTURES>\n</DONNEES>\n</BEE_ELEVES>\n")
    data = "".join(parts).encode(encoding.lower().replace("iso-8859-15", "iso8859_15"))
    return (b"\xef\xbb\xbf" + data) if bom else data
