"""What every student-file parser produces: learner rows and import issues, in plain data.

Messages are written for a school secretary: they say which student, what is wrong and what to do.
No Django import: parsers are benchmarked and tested on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

# Codes of reference pix-domain §3.3–3.5, and the French sentence shown for each.
MESSAGES = {
    "UAI_MISMATCHED": (
        "Ce fichier SIECLE est celui de l'établissement {uaj}, pas de {organization} ({uai}). "
        "Exportez le fichier depuis SIECLE pour votre établissement, puis recommencez."
    ),
    "UAI_MISSING": (
        "Le fichier ne contient pas l'UAI de l'établissement (balise UAJ) : exportez-le à nouveau depuis SIECLE."
    ),
    "INE_UNIQUE": (
        "L'INE {ine} est présent deux fois dans le fichier : {first} et {second}. "
        "Corrigez SIECLE puis exportez à nouveau."
    ),
    "INE_REQUIRED": "{student} n'a pas d'identifiant unique (INE).",
    "IDENTIFIER_UNIQUE": "L'identifiant {ine} est présent deux fois dans le fichier (lignes {first} et {second}).",
    "STUDENT_NUMBER_UNIQUE": (
        "Le numéro étudiant {ine} est présent deux fois dans le fichier (lignes {first} et {second})."
    ),
    "SEX_CODE_REQUIRED": "Le sexe de {student} n'est pas renseigné (ou pas reconnu).",
    "BIRTHDATE_REQUIRED": "La date de naissance de {student} n'est pas renseignée.",
    "INVALID_BIRTHDATE_FORMAT": "La date de naissance de {student} ({value}) n'est pas au format jj/mm/aaaa.",
    "BIRTH_CITY_CODE_REQUIRED_FOR_FR_STUDENT": (
        "{student} est né(e) en France mais le code INSEE de sa commune de naissance n'est pas renseigné."
    ),
    "BIRTH_CITY_REQUIRED": "{student} est né(e) à l'étranger mais sa commune de naissance n'est pas renseignée.",
    "LAST_NAME_REQUIRED": "Le nom de famille de l'élève {ine} n'est pas renseigné.",
    "FIRST_NAME_REQUIRED": "Le prénom de l'élève {ine} n'est pas renseigné.",
    "INVALID_CHAR_DETECTED": "La fiche de {student} contient un caractère invalide dans « {column} ».",
    "EMPTY": "Le fichier ne contient aucun élève à importer (élèves sortis, sans INE ou sans classe).",
    "INVALID_FILE": "Le fichier n'est pas un export SIECLE lisible : {reason}",
    "ENCODING_NOT_SUPPORTED": (
        "L'encodage du fichier n'est pas reconnu ({encoding}). Exportez-le à nouveau depuis SIECLE."
    ),
    "INVALID_FILE_EXTENSION": "Le fichier doit être un .xml ou un .zip exporté de SIECLE (reçu : {filename}).",
    "FILE_TOO_LARGE": "Le fichier dépasse la taille maximale de {limit} Mo.",
    "HEADER_REQUIRED": "La colonne obligatoire « {column} » est absente de la première ligne du fichier.",
    "HEADER_UNKNOWN": "La colonne « {column} » n'est pas reconnue. Utilisez le modèle de fichier CSV.",
    "BAD_CSV_FORMAT": "Le fichier n'est pas un CSV valide (séparateur « ; » ou « , » attendu).",
    "FIELD_REQUIRED": "Ligne {line} : la colonne « {column} » est obligatoire.",
    "FIELD_MAX_LENGTH": "Ligne {line} : « {column} » dépasse {limit} caractères.",
    "FIELD_DATE_FORMAT": "Ligne {line} : « {column} » ({value}) n'est pas une date au format jj/mm/aaaa.",
    "FIELD_BAD_VALUES": "Ligne {line} : « {column} » vaut « {value} », valeurs possibles : {allowed}.",
    "FIELD_EMAIL_FORMAT": "Ligne {line} : « {column} » ({value}) n'est pas une adresse e-mail valide.",
    "INSEE_CODE_INVALID": "Ligne {line} : « {column} » ({value}) n'est pas un code INSEE valide.",
}

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class ImportIssue:
    code: str
    detail: str
    ine: str | None = None
    line: int | None = None

    def as_dict(self) -> dict:
        data = {"code": self.code, "detail": self.detail}
        if self.ine:
            data["ine"] = self.ine
        if self.line is not None:
            data["line"] = self.line
        return data


def issue(code: str, *, ine: str | None = None, line: int | None = None, **values) -> ImportIssue:
    return ImportIssue(code=code, detail=MESSAGES[code].format(ine=ine, line=line, **values), ine=ine, line=line)


class ImportFileError(Exception):
    """The file cannot be read at all (not XML, bad zip, wrong UAI…): nothing else can be checked."""

    def __init__(self, problem: ImportIssue):
        super().__init__(problem.detail)
        self.issue = problem


@dataclass(slots=True)
class ParsedLearner:
    """One student as the file describes it; field names are those of ``OrganizationLearner``."""

    national_student_id: str | None = None
    first_name: str = ""
    middle_name: str = ""
    third_name: str = ""
    last_name: str = ""
    preferred_last_name: str = ""
    sex: str = ""
    birthdate: date | None = None
    birth_city: str = ""
    birth_city_code: str = ""
    birth_province_code: str = ""
    birth_country_code: str = ""
    mef_code: str = ""
    status: str = "ST"
    division: str = ""
    student_number: str = ""
    email: str = ""
    department: str = ""
    educational_team: str = ""
    group: str = ""
    diploma: str = ""
    study_scheme: str = ""
    line: int | None = None

    @property
    def label(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip() or "un élève sans nom"
        return f"{name} (INE {self.national_student_id})" if self.national_student_id else name


@dataclass
class ParseResult:
    learners: list[ParsedLearner] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    encoding: str = ""


def parse_french_date(value: str) -> date | None:
    """``jj/mm/aaaa`` (also ``jj/mm/aa``) → date; None when it is not a real date.

    Hand-split rather than ``strptime``, which costs a third of the parse of a large SIECLE file.
    """
    parts = value.strip().split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[2]) not in (2, 4):
        return None
    day, month, year = (int(p) for p in parts)
    if len(parts[2]) == 2:
        year += 1900 if year >= 69 else 2000  # the pivot strptime's %y uses
    try:
        return date(year, month, day)
    except ValueError:
        return None


def has_control_chars(value: str) -> bool:
    return bool(_CONTROL_CHARS.search(value))


def check_identity(learner: ParsedLearner, issues: list[ImportIssue], *, birthdate_raw: str, sex_raw: str) -> None:
    """Checks shared by SIECLE XML and CSV: names, sex, birthdate, French birthplace code."""
    who = learner.label
    ine = learner.national_student_id
    if not learner.last_name:
        issues.append(issue("LAST_NAME_REQUIRED", ine=ine, line=learner.line))
    if not learner.first_name:
        issues.append(issue("FIRST_NAME_REQUIRED", ine=ine, line=learner.line))
    if not learner.sex:
        issues.append(issue("SEX_CODE_REQUIRED", ine=ine, line=learner.line, student=who, value=sex_raw))
    if not birthdate_raw:
        issues.append(issue("BIRTHDATE_REQUIRED", ine=ine, line=learner.line, student=who))
    elif learner.birthdate is None:
        issues.append(issue("INVALID_BIRTHDATE_FORMAT", ine=ine, line=learner.line, student=who, value=birthdate_raw))
    if learner.birth_country_code == "100" and not learner.birth_city_code:
        issues.append(issue("BIRTH_CITY_CODE_REQUIRED_FOR_FR_STUDENT", ine=ine, line=learner.line, student=who))
    for column in ("first_name", "last_name", "preferred_last_name", "division", "birth_city"):
        if has_control_chars(getattr(learner, column)):
            issues.append(issue("INVALID_CHAR_DETECTED", ine=ine, line=learner.line, student=who, column=column))


def check_unique_ine(learners: list[ParsedLearner], issues: list[ImportIssue]) -> None:
    """Every duplicate INE is reported with both students, so the school fixes SIECLE in one go."""
    first_seen: dict[str, ParsedLearner] = {}
    for learner in learners:
        ine = learner.national_student_id
        if not ine:
            continue
        if ine in first_seen:
            issues.append(issue("INE_UNIQUE", ine=ine, first=first_seen[ine].label, second=learner.label))
        else:
            first_seen[ine] = learner
