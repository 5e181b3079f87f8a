"""CSV student files: the SIECLE-CSV of SCO schools (reference §3.4) and the SUP file (§3.5).

Encodings tried in order utf-8 (with or without BOM), Windows-1252, Mac Roman: the first under which the
header decodes to known columns wins. Separator ``;`` or ``,`` from the header line. Every error of the
file is collected (not only the first), each with its line number (line 1 is the header).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import BinaryIO

from students.importers.common import (
    ImportFileError,
    ParsedLearner,
    ParseResult,
    has_control_chars,
    issue,
    parse_french_date,
)

ENCODINGS = ("utf-8-sig", "cp1252", "mac_roman")
MAX_FIELD_LENGTH = 255
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CITY_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)
COUNTRY_CODE = re.compile(r"^99[1-5]\d{2}$")


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False


SIECLE_CSV_COLUMNS = (
    Column("Identifiant unique*", "national_student_id", True),
    Column("Premier prénom*", "first_name", True),
    Column("Deuxième prénom", "middle_name"),
    Column("Troisième prénom", "third_name"),
    Column("Nom de famille*", "last_name", True),
    Column("Nom d'usage", "preferred_last_name"),
    Column("Code sexe*", "sex", True),
    Column("Date de naissance (jj/mm/aaaa)*", "birthdate", True),
    Column("Code commune naissance**", "birth_city_code"),
    Column("Libellé commune naissance**", "birth_city"),
    Column("Code département naissance*", "birth_province_code", True),
    Column("Code pays naissance*", "birth_country_code", True),
    Column("Statut*", "status", True),
    Column("Code MEF*", "mef_code", True),
    Column("Division*", "division", True),
)

SUP_CSV_COLUMNS = (
    Column("Premier prénom", "first_name", True),
    Column("Deuxième prénom", "middle_name"),
    Column("Troisième prénom", "third_name"),
    Column("Nom de famille", "last_name", True),
    Column("Nom d'usage", "preferred_last_name"),
    Column("Date de naissance (jj/mm/aaaa)", "birthdate", True),
    Column("Email", "email"),
    Column("Numéro étudiant", "student_number", True),
    Column("Composante", "department"),
    Column("Équipe pédagogique", "educational_team"),
    Column("Groupe", "group"),
    Column("Diplôme", "diploma"),
    Column("Régime", "study_scheme"),
)


def template_csv(columns: tuple[Column, ...]) -> str:
    """The header line teachers download as a model (with BOM so Excel opens it in UTF-8)."""
    return "\ufeff" + ";".join(c.header for c in columns) + "\n"


def _decode(data: bytes, first_header: str) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if first_header in text.splitlines()[0] if text else False:
            return text, encoding
    raise ImportFileError(issue("ENCODING_NOT_SUPPORTED", encoding="ni UTF-8, ni Windows-1252, ni Mac Roman"))


def _rows(data: bytes, columns: tuple[Column, ...], anchor: str) -> tuple[list[dict[str, str]], str]:
    text, encoding = _decode(data, anchor)
    header_line = text.splitlines()[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ImportFileError(issue("BAD_CSV_FORMAT")) from exc
    known = {c.header for c in columns}
    unknown = [h for h in header if h and h not in known]
    if unknown:
        raise ImportFileError(issue("HEADER_UNKNOWN", column=unknown[0]))
    missing = [c.header for c in columns if c.required and c.header not in header]
    if missing:
        raise ImportFileError(issue("HEADER_REQUIRED", column=missing[0]))
    rows = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise ImportFileError(issue("BAD_CSV_FORMAT"))
            rows.append({h: v.strip() for h, v in zip(header, values, strict=True)})
    except csv.Error as exc:
        raise ImportFileError(issue("BAD_CSV_FORMAT")) from exc
    return rows, encoding


def _common_field_checks(row: dict[str, str], line: int, columns: tuple[Column, ...], issues: list) -> bool:
    ok = True
    for column in columns:
        value = row.get(column.header, "")
        if column.required and not value:
            issues.append(issue("FIELD_REQUIRED", line=line, column=column.header))
            ok = False
        elif len(value) > MAX_FIELD_LENGTH:
            issues.append(issue("FIELD_MAX_LENGTH", line=line, column=column.header, limit=MAX_FIELD_LENGTH))
            ok = False
    return ok


def _birthdate(row: dict[str, str], header: str, line: int, issues: list):
    raw = row.get(header, "")
    value = parse_french_date(raw) if raw else None
    if raw and value is None:
        issues.append(issue("FIELD_DATE_FORMAT", line=line, column=header, value=raw))
    return value


def parse_siecle_csv(source: BinaryIO) -> ParseResult:
    rows, encoding = _rows(source.read(), SIECLE_CSV_COLUMNS, "Premier prénom*")
    result = ParseResult(encoding=encoding)
    first_line_of: dict[str, int] = {}
    for index, row in enumerate(rows):
        line = index + 2
        issues_before = len(result.issues)
        _common_field_checks(row, line, SIECLE_CSV_COLUMNS, result.issues)
        learner = ParsedLearner(line=line)
        for column in SIECLE_CSV_COLUMNS:
            if column.field not in ("sex", "birthdate"):
                setattr(learner, column.field, row.get(column.header, ""))
        sex_raw = row.get("Code sexe*", "")
        learner.sex = sex_raw[:1].upper() if sex_raw[:1].upper() in ("M", "F") else ""
        if sex_raw and not learner.sex:
            result.issues.append(
                issue(
                    "FIELD_BAD_VALUES", line=line, column="Code sexe*", value=sex_raw, allowed="M, F, Masculin, Féminin"
                )
            )
        learner.birthdate = _birthdate(row, "Date de naissance (jj/mm/aaaa)*", line, result.issues)
        learner.division = " ".join(learner.division.split())
        if learner.status and learner.status not in ("ST", "AP"):
            result.issues.append(
                issue("FIELD_BAD_VALUES", line=line, column="Statut*", value=learner.status, allowed="ST, AP")
            )
        country = learner.birth_country_code
        if country and not COUNTRY_CODE.match(country):
            result.issues.append(issue("INSEE_CODE_INVALID", line=line, column="Code pays naissance*", value=country))
        elif country:
            learner.birth_country_code = country[-3:]
            if country == "99100":
                code = learner.birth_city_code
                if not code:
                    result.issues.append(issue("FIELD_REQUIRED", line=line, column="Code commune naissance**"))
                elif not CITY_CODE.match(code):
                    result.issues.append(
                        issue("INSEE_CODE_INVALID", line=line, column="Code commune naissance**", value=code)
                    )
            elif not learner.birth_city:
                result.issues.append(issue("FIELD_REQUIRED", line=line, column="Libellé commune naissance**"))
        for column in SIECLE_CSV_COLUMNS:
            if has_control_chars(row.get(column.header, "")):
                result.issues.append(
                    issue("INVALID_CHAR_DETECTED", line=line, student=learner.label, column=column.header)
                )
        ine = learner.national_student_id
        if ine:
            if ine in first_line_of:
                result.issues.append(
                    issue("IDENTIFIER_UNIQUE", ine=ine, line=line, first=first_line_of[ine], second=line)
                )
            else:
                first_line_of[ine] = line
        if len(result.issues) == issues_before:
            result.learners.append(learner)
    if not rows:
        result.issues.append(issue("EMPTY"))
    return result


def parse_sup_csv(source: BinaryIO) -> ParseResult:
    rows, encoding = _rows(source.read(), SUP_CSV_COLUMNS, "Premier prénom")
    result = ParseResult(encoding=encoding)
    first_line_of: dict[str, int] = {}
    for index, row in enumerate(rows):
        line = index + 2
        issues_before = len(result.issues)
        _common_field_checks(row, line, SUP_CSV_COLUMNS, result.issues)
        learner = ParsedLearner(line=line, national_student_id=None)
        for column in SUP_CSV_COLUMNS:
            if column.field != "birthdate":
                setattr(learner, column.field, row.get(column.header, ""))
        learner.birthdate = _birthdate(row, "Date de naissance (jj/mm/aaaa)", line, result.issues)
        if learner.email and not EMAIL.match(learner.email):
            result.issues.append(issue("FIELD_EMAIL_FORMAT", line=line, column="Email", value=learner.email))
        number = learner.student_number
        if number:
            if number in first_line_of:
                result.issues.append(
                    issue("STUDENT_NUMBER_UNIQUE", ine=number, line=line, first=first_line_of[number], second=line)
                )
            else:
                first_line_of[number] = line
        if len(result.issues) == issues_before:
            result.learners.append(learner)
    if not rows:
        result.issues.append(issue("EMPTY"))
    return result
