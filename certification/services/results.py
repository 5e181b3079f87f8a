"""After the session: finalisation by the centre, scoring, publication (reference pix-domain §8.6–8.7).

Finalising says what happened in the room — the examiner's comment, the incidents, why each unfinished
test stopped — and scores every certification. A question that could not be answered through no fault
of the candidate (an in-question incident on a question answered wrong) is neutralised, as Pix's
automatic jury does. Publishing makes the results visible to candidates and schools.

Pix sends two kinds of certification to its jury: the « not trustable » ones (fewer answers than two
thirds of the questions, reference algorithms §8.2.9) and those its scoring could not compute (§8.2.2).
We have no jury: the centre's admin decides for each — publish the computed result, or cancel the
certification (a computation error can only be cancelled) —, the decision and its author are kept on the
certification and in the school's audit log, and the session cannot be published while one is undecided.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import AuditLogEntry, User
from assessments.models import Assessment
from certification.models import (
    CertificationCourse,
    CertificationSession,
    CompetenceMark,
    IssueReport,
)
from certification.scoring import (
    CertificationScoringError,
    ChallengeOutcome,
    CompetencePositioning,
    score_certification,
)
from certification.services.course import course_end
from pixorga.errors import ApplicationError

ALREADY_FINALIZED = "Cette session est déjà finalisée."
NO_STARTED_COURSE = "Aucun candidat n'a commencé son test : la session ne peut pas être finalisée."
ABORT_REASON_MISSING = "Indiquez la raison de l'abandon pour chaque test non terminé ({names})."
ABORT_REASON_UNKNOWN = "Raison d'abandon inconnue : choisissez « candidate » ou « technical »."
INCIDENT_CATEGORY_UNKNOWN = "Catégorie de signalement inconnue : {category}."
INCIDENT_CANDIDATE_UNKNOWN = "Un signalement concerne un candidat qui n'a pas commencé son test."
QUESTION_NUMBER_REQUIRED = "Indiquez le numéro de la question concernée par le problème."
NOT_FINALIZED = "La session doit être finalisée avant d'en publier les résultats."
ALREADY_PUBLISHED = "Les résultats de cette session sont déjà publiés."
COURSES_IN_ERROR = (
    "Certaines certifications n'ont pas pu être calculées ({names}) : annulez-les sur la page de la session "
    "avant de publier, ou contactez l'administrateur de la plateforme."
)
NOT_TRUSTABLE_UNDECIDED = (
    "Des certifications sont signalées comme non fiables ({names}) : pour chacune, choisissez « Publier le "
    "résultat calculé » ou « Annuler la certification » avant de publier les résultats."
)
INVALID_DECISION = "Décision inconnue : choisissez « Publier le résultat calculé » ou « Annuler la certification »."
COURSE_NOT_IN_SESSION = "Cette certification n'appartient pas à cette session."
NOTHING_TO_DECIDE = "Cette certification est fiable : son résultat est publié tel qu'il a été calculé."
ERROR_CANNOT_BE_PUBLISHED = "Cette certification n'a pas pu être calculée : elle ne peut qu'être annulée."
DECISION_AFTER_PUBLICATION = "Les résultats sont publiés : la décision ne peut plus être changée."

# In-question incidents that are not the candidate's doing: the question is neutralised if answered wrong.
NEUTRALIZING_SUBCATEGORIES = {
    IssueReport.Subcategory.IMAGE_NOT_DISPLAYING,
    IssueReport.Subcategory.EMBED_NOT_WORKING,
    IssueReport.Subcategory.FILE_NOT_OPENING,
    IssueReport.Subcategory.WEBSITE_UNAVAILABLE,
    IssueReport.Subcategory.WEBSITE_BLOCKED,
    IssueReport.Subcategory.SOFTWARE_NOT_WORKING,
    IssueReport.Subcategory.ACCESSIBILITY_ISSUE,
}


def _issue_report(course: CertificationCourse, data: dict) -> IssueReport:
    category = data.get("category", "")
    if category not in IssueReport.Category.values:
        raise ApplicationError(INCIDENT_CATEGORY_UNKNOWN.format(category=category), "INVALID_CATEGORY")
    subcategory = data.get("subcategory") or ""
    if subcategory and subcategory not in IssueReport.Subcategory.values:
        raise ApplicationError(INCIDENT_CATEGORY_UNKNOWN.format(category=subcategory), "INVALID_CATEGORY")
    number = data.get("question_number") or None
    if category == IssueReport.Category.IN_CHALLENGE and not number:
        raise ApplicationError(QUESTION_NUMBER_REQUIRED, "QUESTION_NUMBER_REQUIRED")
    report = IssueReport(
        course=course,
        category=category,
        subcategory=subcategory,
        description=(data.get("description") or "").strip()[:2000],
        question_number=int(number) if number else None,
    )
    report.full_clean(exclude=["course"])
    return report


@transaction.atomic(durable=True)
def issue_report_add(*, session: CertificationSession, candidate_id: int, data: dict) -> IssueReport:
    """An incident noted by the invigilator during the session."""
    course = CertificationCourse.objects.filter(session=session, candidate_id=candidate_id).first()
    if course is None:
        raise ApplicationError(INCIDENT_CANDIDATE_UNKNOWN, "COURSE_NOT_STARTED", status_code=409)
    report = _issue_report(course, data)
    report.save()
    return report


def _neutralize_from_reports(course: CertificationCourse) -> None:
    numbers = {
        r.question_number
        for r in course.issue_reports.all()
        if r.category == IssueReport.Category.IN_CHALLENGE and r.subcategory in NEUTRALIZING_SUBCATEGORIES
    }
    if not numbers:
        return
    results = dict(course.assessment.answers.values_list("challenge_id", "result"))
    for challenge in course.challenges.filter(index__in=numbers):
        if results.get(challenge.challenge_id) != "ok":
            challenge.is_neutralized = True
            challenge.save(update_fields=["is_neutralized"])


def course_score(*, course: CertificationCourse) -> CertificationCourse:
    """Compute and store the result of one certification (pure scoring, reference algorithms §8.2)."""
    _neutralize_from_reports(course)
    results = dict(course.assessment.answers.values_list("challenge_id", "result"))
    outcomes = [
        ChallengeOutcome(
            competence_code=c.competence_code, result=results.get(c.challenge_id), is_neutralized=c.is_neutralized
        )
        for c in course.challenges.order_by("index")
    ]
    positioning = [CompetencePositioning(p["code"], p["level"], p["pix"]) for p in course.positioning]
    course.competence_marks.all().delete()
    try:
        score = score_certification(
            positioning=positioning,
            outcomes=outcomes,
            max_level=course.max_reachable_level,
            abort_reason=course.abort_reason or None,
        )
    except CertificationScoringError as error:
        course.status, course.pix_score, course.reproducibility_rate = CertificationCourse.Status.ERROR, 0, 0
        course.rejection_reason, course.error_message = "", str(error)[:500]
        course.is_trustable, course.scored_answers, course.scored_challenges = True, 0, len(outcomes)
    else:
        course.status = score.status
        course.pix_score = score.pix_score
        course.reproducibility_rate = score.reproducibility_rate
        course.rejection_reason = score.reason or ""
        course.error_message = ""
        course.is_trustable = score.is_trustable
        course.scored_answers, course.scored_challenges = score.answered, score.challenges
        CompetenceMark.objects.bulk_create(
            CompetenceMark(course=course, competence_code=m.code, level=m.level, score=m.score) for m in score.marks
        )
    course.scored_at = timezone.now()
    course.save(
        update_fields=[
            "status",
            "pix_score",
            "reproducibility_rate",
            "rejection_reason",
            "error_message",
            "is_trustable",
            "scored_answers",
            "scored_challenges",
            "scored_at",
        ]
    )
    return course


@transaction.atomic(durable=True)
def session_finalize(
    *,
    session: CertificationSession,
    examiner_global_comment: str = "",
    has_incident: bool = False,
    has_joining_issue: bool = False,
    abort_reasons: dict[int, str] | None = None,
    incidents: list[dict] | None = None,
) -> CertificationSession:
    """Close the session: every unfinished test needs its abort reason, then each certification is scored."""
    session = CertificationSession.objects.select_for_update().get(pk=session.pk)
    if session.is_finalized:
        raise ApplicationError(ALREADY_FINALIZED, "SESSION_ALREADY_FINALIZED", status_code=409)
    courses = list(session.courses.select_related("assessment", "candidate").order_by("candidate__last_name"))
    if not courses:
        raise ApplicationError(NO_STARTED_COURSE, "SESSION_WITHOUT_STARTED_CERTIFICATION", status_code=409)
    reasons = {int(k): v for k, v in (abort_reasons or {}).items() if v}
    for reason in reasons.values():
        if reason not in CertificationCourse.AbortReason.values:
            raise ApplicationError(ABORT_REASON_UNKNOWN, "INVALID_ABORT_REASON")
    by_candidate = {c.candidate_id: c for c in courses}
    unfinished = [c for c in courses if not c.is_completed]
    missing = [c for c in unfinished if c.candidate_id not in reasons]
    if missing:
        names = ", ".join(str(c.candidate) for c in missing)
        raise ApplicationError(
            ABORT_REASON_MISSING.format(names=names),
            "ABORT_REASON_MISSING",
            extra={"candidate_ids": [c.candidate_id for c in missing]},
        )
    reports = []
    for incident in incidents or []:
        course = by_candidate.get(int(incident.get("candidate_id") or 0))
        if course is None:
            raise ApplicationError(INCIDENT_CANDIDATE_UNKNOWN, "COURSE_NOT_STARTED")
        reports.append(_issue_report(course, incident))
    IssueReport.objects.bulk_create(reports)
    now = timezone.now()
    for course in courses:
        course.abort_reason = reasons.get(course.candidate_id, "") if not course.is_completed else ""
        course.save(update_fields=["abort_reason"])
        if course.assessment.is_started:  # still in the test when the room closed
            course_end(course=course, state=Assessment.State.ENDED_BY_SUPERVISOR)
        course_score(course=course)
    session.examiner_global_comment = (examiner_global_comment or "").strip()[:5000]
    session.has_incident = bool(has_incident or reports or session.courses.filter(issue_reports__isnull=False).exists())
    session.has_joining_issue = bool(has_joining_issue)
    session.finalized_at = now
    session.save(update_fields=["examiner_global_comment", "has_incident", "has_joining_issue", "finalized_at"])
    session.candidates.filter(authorized_to_start=True).update(authorized_to_start=False)
    return session


@transaction.atomic(durable=True)
def session_publish(*, session: CertificationSession) -> CertificationSession:
    """Results become visible to candidates (Mes certifications), verifiable, and in the school's exports."""
    session = CertificationSession.objects.select_for_update().get(pk=session.pk)
    if session.is_published:
        raise ApplicationError(ALREADY_PUBLISHED, "SESSION_ALREADY_PUBLISHED", status_code=409)
    if not session.is_finalized:
        raise ApplicationError(NOT_FINALIZED, "SESSION_NOT_FINALIZED", status_code=409)
    courses = session.courses.select_related("candidate").order_by("candidate__last_name", "candidate__first_name")
    unscored = (CertificationCourse.Status.ERROR, CertificationCourse.Status.STARTED)
    in_error = [c for c in courses if c.status in unscored]
    if in_error:
        raise ApplicationError(
            COURSES_IN_ERROR.format(names=_names(in_error)),
            "CERTIFICATION_IN_ERROR",
            status_code=409,
            extra={"certification_course_ids": [c.pk for c in in_error]},
        )
    undecided = [c for c in courses if c.awaits_decision]
    if undecided:
        raise ApplicationError(
            NOT_TRUSTABLE_UNDECIDED.format(names=_names(undecided)),
            "NOT_TRUSTABLE_UNDECIDED",
            status_code=409,
            extra={"certification_course_ids": [c.pk for c in undecided]},
        )
    now = timezone.now()
    session.published_at = now
    session.save(update_fields=["published_at"])
    session.courses.update(published_at=now)
    return session


def _names(courses: list[CertificationCourse]) -> str:
    return ", ".join(str(c.candidate) for c in courses)


@transaction.atomic(durable=True)
def certification_decide(
    *, session: CertificationSession, course_id: int, decided_by: User, decision: str
) -> CertificationCourse:
    """The centre's word on a certification its jury would examine: publish as computed, or cancel.

    Changeable until the session is published; after that only a certification still undecided (one
    published before the flag existed) can be decided, once.
    """
    if decision not in CertificationCourse.Decision.values:
        raise ApplicationError(INVALID_DECISION, "INVALID_DECISION")
    session = CertificationSession.objects.select_for_update().select_related("center").get(pk=session.pk)
    if not session.is_finalized:
        raise ApplicationError(NOT_FINALIZED, "SESSION_NOT_FINALIZED", status_code=409)
    course = (
        session.courses.select_for_update(of=("self",))
        .select_related("assessment", "candidate")
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise ApplicationError(COURSE_NOT_IN_SESSION, "NOT_FOUND", status_code=404)
    if course.is_trustable and not course.error_message:
        raise ApplicationError(NOTHING_TO_DECIDE, "NOTHING_TO_DECIDE", status_code=409)
    if course.is_published and course.decision:
        raise ApplicationError(DECISION_AFTER_PUBLICATION, "ALREADY_PUBLISHED", status_code=409)
    if decision == CertificationCourse.Decision.PUBLISH and course.error_message:
        raise ApplicationError(ERROR_CANNOT_BE_PUBLISHED, "CERTIFICATION_IN_ERROR", status_code=409)
    if course.status == CertificationCourse.Status.CANCELLED:
        course = course_score(course=course)  # back to the computed result before deciding again
    computed_status = course.status
    if decision == CertificationCourse.Decision.CANCEL:
        course.status = CertificationCourse.Status.CANCELLED
    course.decision, course.decided_by, course.decided_at = decision, decided_by, timezone.now()
    course.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    if session.center.organization_id:
        AuditLogEntry.objects.create(
            organization_id=session.center.organization_id,
            actor=decided_by,
            kind=AuditLogEntry.Kind.CERTIFICATION_DECIDED,
            extra={
                "session_id": session.pk,
                "certification_course_id": course.pk,
                "candidate": str(course.candidate),
                "decision": decision,
                "computed_status": computed_status,
                "answers": course.scored_answers,
                "challenges": course.scored_challenges,
            },
        )
    return course
