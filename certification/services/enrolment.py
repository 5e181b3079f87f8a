"""Enrolment of candidates (reference pix-domain §8.3).

SCO centres that manage their students enrol them from the matching organisation's learners, class by
class: the candidate is built from the school record, already-enrolled learners are skipped. Other
centres type candidates one by one or import a CSV; both go through the same validation, and an import
is all-or-nothing (every error of the file is reported with its line).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from certification.models import Candidate, CertificationSession
from certification.services.sessions import SESSION_FINALIZED, session_has_started
from pixorga.errors import ApplicationError
from students.models import OrganizationLearner

NOT_SCO_ENROLMENT = "Ce centre n'inscrit pas ses candidats depuis la liste des élèves."
SCO_ENROLS_FROM_LEARNERS = "Dans un établissement qui gère ses élèves, inscrivez-les depuis la liste des élèves."
LEARNER_NOT_IN_ORGANIZATION = "Certains élèves choisis n'appartiennent pas à votre établissement."
NO_LEARNER_CHOSEN = "Choisissez au moins un élève."
LEARNER_WITHOUT_BIRTHDATE = (
    "Ces élèves n'ont pas de date de naissance dans la base de l'établissement : {names}. Réimportez le fichier "
    "SIECLE à jour, puis inscrivez-les. Aucun élève n'a été inscrit."
)
CANDIDATE_HAS_STARTED = "Ce candidat a commencé son test : il ne peut plus être désinscrit."
IMPORT_AFTER_START = "La session a commencé : l'import de candidats n'est plus possible, ajoutez-les un par un."
IMPORT_TOO_BIG = "Le fichier est trop volumineux (1 Mo au maximum)."
IMPORT_EMPTY = "Le fichier ne contient aucun candidat."
IMPORT_BAD_HEADER = (
    "La première ligne du fichier doit reprendre les colonnes du modèle (colonne manquante : « {column} »)."
)
CANDIDATE_ALREADY_ENROLLED = "Un candidat avec ces nom, prénom et date de naissance est déjà inscrit à cette session."
IMPORT_HAS_ERRORS = "Le fichier contient {count} erreur{s} : aucun candidat n'a été inscrit. Corrigez et recommencez."
INVIGILATORS_PER_CANDIDATES = 20
MAX_IMPORT_BYTES = 1024 * 1024

INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)
POSTAL_CODE = re.compile(r"^\d{5}$")
FRANCE = "FRANCE"


def _open_for_enrolment(session: CertificationSession) -> CertificationSession:
    session = (
        CertificationSession.objects.select_for_update(of=("self",))
        .select_related("center__organization")
        .get(pk=session.pk)
    )
    if session.is_finalized:
        raise ApplicationError(SESSION_FINALIZED, "SESSION_FINALIZED", status_code=409)
    return session


def invigilators_needed(candidates_count: int) -> int:
    """One invigilator per 20 candidates (the seeds' rule of thumb), at least one."""
    return max(1, -(-candidates_count // INVIGILATORS_PER_CANDIDATES))


def _birth_country(learner: OrganizationLearner) -> str:
    code = learner.birth_country_code
    return FRANCE if code in ("", "100", "99100") else f"Code pays INSEE 99{code[-3:]}"


@transaction.atomic(durable=True)
def candidates_enrol_learners(*, session: CertificationSession, learner_ids: list[int]) -> list[Candidate]:
    """Enrol chosen learners of the centre's school; those already enrolled are skipped, not doubled."""
    session = _open_for_enrolment(session)
    if not session.center.is_sco_managing_students:
        raise ApplicationError(NOT_SCO_ENROLMENT, "NOT_SCO_MANAGING_STUDENTS", status_code=422)
    wanted = {int(i) for i in learner_ids}
    if not wanted:
        raise ApplicationError(NO_LEARNER_CHOSEN, "NO_LEARNER_CHOSEN")
    learners = list(
        session.center.organization.learners.filter(pk__in=wanted, is_disabled=False).order_by(
            "last_name", "first_name"
        )
    )
    if len(learners) != len(wanted):
        raise ApplicationError(LEARNER_NOT_IN_ORGANIZATION, "LEARNER_NOT_IN_ORGANIZATION", status_code=404)
    undated = [f"{learner.first_name} {learner.last_name}" for learner in learners if learner.birthdate is None]
    if undated:
        raise ApplicationError(
            LEARNER_WITHOUT_BIRTHDATE.format(names=", ".join(undated)), "BIRTHDATE_REQUIRED", status_code=422
        )
    enrolled = set(
        session.candidates.filter(organization_learner__in=wanted).values_list("organization_learner", flat=True)
    )
    new = [
        Candidate(
            session=session,
            organization_learner=learner,
            first_name=learner.first_name.strip(),
            last_name=learner.last_name.strip(),
            sex=learner.sex,
            birthdate=learner.birthdate,
            birth_insee_code=learner.birth_city_code,
            birth_city=learner.birth_city,
            birth_country=_birth_country(learner),
        )
        for learner in learners
        if learner.pk not in enrolled
    ]
    return Candidate.objects.bulk_create(new)


@dataclass
class CandidateInput:
    first_name: str
    last_name: str
    birthdate: datetime.date | str | None
    sex: str = ""
    birth_insee_code: str = ""
    birth_postal_code: str = ""
    birth_city: str = ""
    birth_country: str = FRANCE
    email: str = ""
    result_recipient_email: str = ""
    external_id: str = ""
    extra_time_percentage: int | str | None = 0


def _parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    text = (value or "").strip()
    for parse in (datetime.date.fromisoformat, lambda t: datetime.datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def candidate_validate(data: CandidateInput) -> dict:
    """The reference's validation rules, every error at once, keyed by field; returns clean fields."""
    errors: dict[str, str] = {}
    first_name, last_name = (data.first_name or "").strip(), (data.last_name or "").strip()
    if not first_name:
        errors["first_name"] = "Le prénom est obligatoire."
    if not last_name:
        errors["last_name"] = "Le nom de naissance est obligatoire."
    sex = (data.sex or "").strip().upper()
    if sex not in ("M", "F"):
        errors["sex"] = "Le sexe doit être « M » ou « F »."
    birthdate = _parse_date(data.birthdate)
    if birthdate is None or birthdate <= datetime.date(1900, 1, 1) or birthdate > datetime.date.today():
        errors["birthdate"] = "La date de naissance est invalide (format JJ/MM/AAAA)."
    country = (data.birth_country or FRANCE).strip().upper()
    insee, postal, city = (
        (data.birth_insee_code or "").strip().upper(),
        (data.birth_postal_code or "").strip(),
        (data.birth_city or "").strip(),
    )
    if country == FRANCE:
        if insee and postal:
            errors["birth_insee_code"] = "Indiquez soit le code INSEE, soit le code postal et la commune, pas les deux."
        elif insee:
            if not INSEE_CODE.match(insee):
                errors["birth_insee_code"] = "Le code INSEE de la commune de naissance est invalide (5 caractères)."
        elif postal or city:
            if not POSTAL_CODE.match(postal):
                errors["birth_postal_code"] = "Le code postal de la commune de naissance est invalide (5 chiffres)."
            if not city:
                errors["birth_city"] = "Indiquez le nom de la commune de naissance avec le code postal."
        else:
            errors["birth_insee_code"] = (
                "Né(e) en France : indiquez le code INSEE ou le code postal et le nom de la commune de naissance."
            )
    else:
        if not city:
            errors["birth_city"] = "Né(e) à l'étranger : indiquez la ville de naissance."
        if insee and insee != "99":
            errors["birth_insee_code"] = "Né(e) à l'étranger : le code INSEE doit être « 99 » ou vide."
        insee, postal = "99", ""
    for field in ("email", "result_recipient_email"):
        value = (getattr(data, field) or "").strip()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                errors[field] = "L'adresse e-mail est invalide."
    extra = str(data.extra_time_percentage if data.extra_time_percentage is not None else "").strip().rstrip("%")
    extra = extra.strip() or "0"
    if not extra.isdigit() or not 0 <= int(extra) <= 99:
        errors["extra_time_percentage"] = "Le temps majoré est un pourcentage entier entre 0 et 99 (ex. : 33)."
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    return {
        "first_name": first_name,
        "last_name": last_name,
        "sex": sex,
        "birthdate": birthdate,
        "birth_insee_code": insee,
        "birth_postal_code": postal,
        "birth_city": city,
        "birth_country": country,
        "email": (data.email or "").strip(),
        "result_recipient_email": (data.result_recipient_email or "").strip(),
        "external_id": (data.external_id or "").strip()[:255],
        "extra_time_percentage": int(extra),
    }


def _is_duplicate(session: CertificationSession, fields: dict) -> bool:
    return session.candidates.filter(
        first_name__iexact=fields["first_name"], last_name__iexact=fields["last_name"], birthdate=fields["birthdate"]
    ).exists()


@transaction.atomic(durable=True)
def candidate_add(*, session: CertificationSession, data: CandidateInput) -> Candidate:
    session = _open_for_enrolment(session)
    if session.center.is_sco_managing_students:
        raise ApplicationError(SCO_ENROLS_FROM_LEARNERS, "SCO_ENROLS_FROM_LEARNERS", status_code=422)
    fields = candidate_validate(data)
    if _is_duplicate(session, fields):
        raise ApplicationError(CANDIDATE_ALREADY_ENROLLED, "CANDIDATE_ALREADY_ENROLLED", status_code=409)
    return Candidate.objects.create(session=session, **fields)


# Columns of the enrolment file a centre downloads, fills in a spreadsheet and uploads.
IMPORT_COLUMNS = (
    ("Nom de naissance", "last_name"),
    ("Prénom", "first_name"),
    ("Sexe (M ou F)", "sex"),
    ("Date de naissance (JJ/MM/AAAA)", "birthdate"),
    ("Code INSEE de la commune de naissance", "birth_insee_code"),
    ("Code postal de la commune de naissance", "birth_postal_code"),
    ("Nom de la commune de naissance", "birth_city"),
    ("Pays de naissance", "birth_country"),
    ("E-mail du destinataire des résultats", "result_recipient_email"),
    ("E-mail de convocation", "email"),
    ("Identifiant externe", "external_id"),
    ("Temps majoré (%)", "extra_time_percentage"),
)


def import_template_csv() -> bytes:
    return ("\ufeff" + ";".join(header for header, _ in IMPORT_COLUMNS) + "\n").encode("utf-8")


def _read_rows(upload: BinaryIO) -> list[dict[str, str]]:
    data = upload.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ApplicationError(IMPORT_TOO_BIG, "FILE_TOO_BIG", status_code=413)
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise ApplicationError(IMPORT_EMPTY, "EMPTY_FILE") from None
    for column, _field in IMPORT_COLUMNS[:4]:
        if column not in header:
            raise ApplicationError(IMPORT_BAD_HEADER.format(column=column), "HEADER_REQUIRED")
    positions = {field: header.index(column) for column, field in IMPORT_COLUMNS if column in header}
    rows = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            rows.append({field: cells[i].strip() if i < len(cells) else "" for field, i in positions.items()})
    except csv.Error:
        raise ApplicationError("Le fichier n'est pas un CSV valide.", "BAD_CSV_FORMAT") from None
    if not rows:
        raise ApplicationError(IMPORT_EMPTY, "EMPTY_FILE")
    return rows


@transaction.atomic(durable=True)
def candidates_import(*, session: CertificationSession, upload: BinaryIO) -> list[Candidate]:
    """All the file or nothing: every line is validated first; one error anywhere and none is enrolled."""
    session = _open_for_enrolment(session)
    if session.center.is_sco_managing_students:
        raise ApplicationError(SCO_ENROLS_FROM_LEARNERS, "SCO_ENROLS_FROM_LEARNERS", status_code=422)
    if session_has_started(session):
        raise ApplicationError(IMPORT_AFTER_START, "SESSION_STARTED", status_code=409)
    errors: list[dict] = []
    candidates: list[Candidate] = []
    seen: set[tuple] = set()
    for line, row in enumerate(_read_rows(upload), start=2):
        try:
            fields = candidate_validate(CandidateInput(**row))
        except ValidationError as error:
            errors.extend(
                {"line": line, "field": field, "detail": message}
                for field, messages in error.message_dict.items()
                for message in messages
            )
            continue
        key = (fields["first_name"].lower(), fields["last_name"].lower(), fields["birthdate"])
        if key in seen or _is_duplicate(session, fields):
            errors.append({"line": line, "field": "last_name", "detail": CANDIDATE_ALREADY_ENROLLED})
            continue
        seen.add(key)
        candidates.append(Candidate(session=session, **fields))
    if errors:
        raise ApplicationError(
            IMPORT_HAS_ERRORS.format(count=len(errors), s="s" if len(errors) > 1 else ""),
            "INVALID_CANDIDATES_FILE",
            status_code=422,
            extra={"errors": errors},
        )
    return Candidate.objects.bulk_create(candidates)


@transaction.atomic(durable=True)
def candidate_remove(*, session: CertificationSession, candidate_id: int) -> None:
    session = _open_for_enrolment(session)
    candidate = session.candidates.filter(pk=candidate_id).first()
    if candidate is None:
        raise ApplicationError("Ce candidat n'est pas inscrit à cette session.", "NOT_FOUND", status_code=404)
    if hasattr(candidate, "course"):
        raise ApplicationError(CANDIDATE_HAS_STARTED, "CANDIDATE_HAS_STARTED", status_code=409)
    try:
        candidate.delete()
    except IntegrityError as exc:  # a course created meanwhile
        raise ApplicationError(CANDIDATE_HAS_STARTED, "CANDIDATE_HAS_STARTED", status_code=409) from exc
