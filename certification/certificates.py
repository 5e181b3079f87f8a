"""What a certificate says, built once for the page, the PDF, the public check and the APIs."""

from __future__ import annotations

from django.utils import timezone

from assessments.algorithm.scoring import PIX_PER_LEVEL
from certification.documents import AttestationData, CandidateLine, CompetenceLevel, SessionSheetData
from certification.models import CertificationCourse, CertificationSession
from certification.selectors import competence_results
from crcn.models import COMPETENCE_CODES
from pixorga.spreadsheet import csv_text, formula_guarded

STATUS_LABELS = {
    CertificationCourse.Status.VALIDATED: "Validée",
    CertificationCourse.Status.REJECTED: "Rejetée",
    CertificationCourse.Status.CANCELLED: "Annulée",
    CertificationCourse.Status.ERROR: "En erreur",
    CertificationCourse.Status.STARTED: "Démarrée",
}


def attestation_data(course: CertificationCourse, *, verification_url: str) -> AttestationData:
    candidate = course.candidate
    return AttestationData(
        first_name=candidate.first_name,
        last_name=candidate.last_name,
        birthdate=candidate.birthdate,
        birthplace=candidate.birthplace,
        certification_center=course.session.center.name,
        certification_date=course.session.date,
        delivered_at=timezone.localdate(course.published_at),
        valid_until=course.valid_until,
        pix_score=course.pix_score,
        max_reachable_level=course.max_reachable_level,
        max_reachable_pix=course.max_reachable_level * PIX_PER_LEVEL * len(COMPETENCE_CODES),
        verification_code=course.verification_code,
        competences=tuple(
            CompetenceLevel(r.code, r.name, r.area_code, r.area_name, r.level) for r in competence_results(course)
        ),
        verification_url=verification_url,
    )


def attestation_filename(course: CertificationCourse) -> str:
    return f"attestation-pix-{timezone.localdate(course.published_at):%Y%m%d}.pdf"


def verification_payload(course: CertificationCourse) -> dict:
    """API.md's public shape: only what the attestation shows."""
    return {
        "first_name": course.candidate.first_name,
        "last_name": course.candidate.last_name,
        "birthdate": course.candidate.birthdate.isoformat(),
        "certification_center": course.session.center.name,
        "certification_date": course.session.date.isoformat(),
        "delivered_at": timezone.localdate(course.published_at).isoformat(),
        "valid_until": course.valid_until.isoformat(),
        "pix_score": course.pix_score,
        "competences": [{"code": r.code, "name": r.name, "level": max(r.level, 0)} for r in competence_results(course)],
    }


def session_sheet_data(session: CertificationSession, candidates) -> SessionSheetData:
    return SessionSheetData(
        session_id=session.pk,
        center_name=session.center.name,
        address=session.address,
        room=session.room,
        examiner=session.examiner,
        date=session.date,
        time=session.time,
        access_code=session.access_code,
        candidates=tuple(
            CandidateLine(
                last_name=c.last_name,
                first_name=c.first_name,
                birthdate=c.birthdate,
                division=c.organization_learner.division if c.organization_learner_id else "",
                external_id=c.external_id,
                extra_time_percentage=c.extra_time_percentage,
                login=_login_of(c),
            )
            for c in candidates
        ),
    )


def _login_of(candidate) -> str:
    """The account the candidate will log in with: linked at entry, or the school record's account."""
    user = candidate.user or (candidate.organization_learner.user if candidate.organization_learner_id else None)
    return (user.username or user.email or "") if user else ""


def _results_rows(courses, *, with_center: bool) -> str:
    """Reference §8.9's columns; the session variant adds the centre after the session date."""
    header = [
        "Numéro de certification",
        "Prénom",
        "Nom",
        "Date de naissance",
        "Lieu de naissance",
        "Identifiant Externe",
        "Statut",
        "Nombre de Pix",
        *COMPETENCE_CODES,
        "Commentaire jury pour l’organisation",
        "Session",
        "Date de passage de la certification",
        *(["Centre de certification"] if with_center else []),
    ]
    return csv_text([header, *(_results_row(course, with_center=with_center) for course in courses)])


def _results_row(course: CertificationCourse, *, with_center: bool) -> list:
    candidate = course.candidate
    validated = course.status == CertificationCourse.Status.VALIDATED
    levels = {m.competence_code: m.level for m in course.competence_marks.all()}
    return [
        course.pk,
        formula_guarded(candidate.first_name),
        formula_guarded(candidate.last_name),
        candidate.birthdate.strftime("%d/%m/%Y"),
        formula_guarded(candidate.birthplace),
        formula_guarded(candidate.external_id),
        STATUS_LABELS.get(course.status, course.status),
        course.pix_score if validated else 0,
        *[(str(levels[code]) if levels.get(code, -1) >= 0 else "-") if validated else "-" for code in COMPETENCE_CODES],
        formula_guarded(course.jury_comment_for_organization),
        course.session_id,
        course.session.date.strftime("%d/%m/%Y"),
        *([formula_guarded(course.session.center.name)] if with_center else []),
    ]


def division_results_csv(courses, *, division: str) -> tuple[bytes, str]:
    """The school's results of one class (reference §8.9): columns, labels and order as Pix's."""
    stamp = timezone.localtime().strftime("%Y%m%d_%H%M")
    safe_division = "".join(ch if ch.isalnum() else "_" for ch in division) or "sans_classe"
    return _results_rows(courses, with_center=False).encode("utf-8"), f"{stamp}_resultats_{safe_division}.csv"


def session_results_csv(courses, *, session_id: int) -> tuple[bytes, str]:
    """The centre's results of one session (reference §8.9, session variant)."""
    stamp = timezone.localtime().strftime("%Y%m%d_%H%M")
    return _results_rows(courses, with_center=True).encode("utf-8"), f"{stamp}_resultats_session_{session_id}.csv"
