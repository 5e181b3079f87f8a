"""Reads of the certification context. Every read of a centre's data starts from the centre.

Access to a centre: an explicit member, or an active admin of the matching organisation (the school's
head is the centre's admin by default, reference §8.1). Anything else is a 404.

Results leave the centre only once released: published, and — for a certification flagged « not
trustable » — decided by the centre (``CertificationCourse.is_released``). The candidate, the school, the
public verification and the livret scolaire all read through ``_released()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, Organization, User
from certification.models import (
    Candidate,
    CenterMembership,
    CertificationCenter,
    CertificationCourse,
    CertificationSession,
    CompetenceMark,
)
from crcn.models import Competence
from students.selectors import learners_list_for_organization


@dataclass(frozen=True)
class CenterAccess:
    center: CertificationCenter
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == CenterMembership.Role.ADMIN


def centers_list_for_user(*, user: User) -> list[CenterAccess]:
    if not user.is_authenticated:
        return []
    roles: dict[int, str] = {}
    centers: dict[int, CertificationCenter] = {}
    for m in CenterMembership.objects.filter(
        user=user, disabled_at__isnull=True, center__archived_at__isnull=True
    ).select_related("center__organization"):
        roles[m.center_id], centers[m.center_id] = m.role, m.center
    for center in CertificationCenter.objects.filter(
        archived_at__isnull=True,
        organization__memberships__user=user,
        organization__memberships__role=Membership.Role.ADMIN,
        organization__memberships__disabled_at__isnull=True,
        organization__archived_at__isnull=True,
    ).select_related("organization"):
        roles[center.pk], centers[center.pk] = CenterMembership.Role.ADMIN, center
    return [CenterAccess(centers[pk], roles[pk]) for pk in sorted(centers, key=lambda pk: centers[pk].name)]


def center_access_get_for_user(*, user: User, center_id: int) -> CenterAccess:
    for access in centers_list_for_user(user=user):
        if access.center.pk == center_id:
            return access
    raise Http404


def center_for_organization(*, organization: Organization) -> CertificationCenter | None:
    return organization.certification_centers.filter(archived_at__isnull=True).first()


def center_members(*, center: CertificationCenter) -> list[tuple[User, str, bool]]:
    """(user, role, implicit) — implicit: admin of the matching organisation, without a centre row."""
    rows = [
        (m.user, m.role, False)
        for m in center.memberships.filter(disabled_at__isnull=True).select_related("user").order_by("user__last_name")
    ]
    explicit = {user.pk for user, _, _ in rows}
    if center.organization_id:
        rows += [
            (m.user, CenterMembership.Role.ADMIN, True)
            for m in center.organization.memberships.filter(role=Membership.Role.ADMIN, disabled_at__isnull=True)
            .select_related("user")
            .order_by("user__last_name")
            if m.user_id not in explicit
        ]
    return rows


def sessions_list_for_center(
    *, center: CertificationCenter, period: str = "upcoming"
) -> QuerySet[CertificationSession]:
    sessions = center.sessions.annotate(
        candidates_count=Count("candidates", distinct=True),
        started_count=Count("courses", distinct=True),
    )
    today = timezone.localdate()
    if period == "past":
        return sessions.filter(Q(date__lt=today) | Q(finalized_at__isnull=False)).order_by("-date", "-time")
    return sessions.filter(date__gte=today, finalized_at__isnull=True).order_by("date", "time")


def session_get_for_center(*, center: CertificationCenter, session_id: int) -> CertificationSession:
    session = center.sessions.select_related("center__organization").filter(pk=session_id).first()
    if session is None:
        raise Http404
    return session


def session_get_for_user(*, user: User, session_id: int) -> tuple[CertificationSession, CenterAccess]:
    """For API routes under /api/sessions/{id}/: the session if the user may see its centre, else 404."""
    session = CertificationSession.objects.filter(pk=session_id).only("center_id").first()
    if session is None:
        raise Http404
    access = center_access_get_for_user(user=user, center_id=session.center_id)
    return session_get_for_center(center=access.center, session_id=session_id), access


def candidates_list_for_session(*, session: CertificationSession) -> QuerySet[Candidate]:
    return session.candidates.select_related("organization_learner__user", "course__assessment", "user").annotate(
        answers_count=Count("course__assessment__answers", distinct=True),
        challenges_count=Count("course__challenges", distinct=True),
    )


def enrolment_learners_for_session(*, session: CertificationSession, division: str = "", search: str = ""):
    """The school's active learners of a class, each with certificability and whether already enrolled."""
    organization = session.center.organization
    learners = learners_list_for_organization(
        organization=organization, divisions=[division] if division else None, search=search
    )
    enrolled = set(session.candidates.exclude(organization_learner=None).values_list("organization_learner", flat=True))
    return [(learner, learner.pk in enrolled) for learner in learners]


def certifiability_of_learners(*, organization: Organization, learner_ids: list[int]) -> dict[int, bool | None]:
    """Each learner's certificability from their latest shared profile (None: unknown), for those ids only."""
    learners = learners_list_for_organization(organization=organization, include_disabled=True)
    return dict(learners.filter(pk__in=learner_ids).values_list("pk", "certifiable"))


def candidate_state(candidate: Candidate) -> tuple[str, str]:
    """(code, label) of where a candidate is, for the invigilator."""
    course = getattr(candidate, "course", None)
    if course is None:
        if candidate.authorized_to_start:
            return "authorized", "Autorisé à commencer"
        if candidate.user_id:
            return "waiting", "En attente d'autorisation"
        return "absent", "Pas encore arrivé"
    state = course.assessment.state
    if state == "completed":
        return "finished", "Test terminé"
    if state == "endedBySupervisor":
        return "ended", "Test arrêté par le surveillant"
    if candidate.authorized_to_start:
        return "authorized_resume", "Autorisé à reprendre"
    return "in_test", "En cours de test"


def course_get_for_candidate(*, user: User, course_id: int) -> CertificationCourse:
    """A candidate's own certification (the test pages); anyone else's is a 404."""
    course = (
        CertificationCourse.objects.select_related("assessment", "candidate", "session__center")
        .filter(pk=course_id, user=user)
        .first()
    )
    if course is None:
        raise Http404
    return course


def _released() -> Q:
    """Published and shown as such: same rule as ``CertificationCourse.is_released``."""
    return (
        Q(published_at__isnull=False)
        & ~Q(status=CertificationCourse.Status.ERROR)
        & (Q(is_trustable=True) | ~Q(decision=""))
    )


def certificates_pending_for_user(*, user: User) -> QuerySet[CertificationCourse]:
    """Tests taken whose results the centre has not released yet."""
    return CertificationCourse.objects.filter(user=user).exclude(_released()).select_related("session__center")


def session_open_for_invigilation(*, session_id: int) -> CertificationSession | None:
    """The session an invigilator may still act on (not finalised); None otherwise."""
    session = CertificationSession.objects.select_related("center").filter(pk=session_id).first()
    if session is None or session.status != CertificationSession.Status.CREATED:
        return None
    return session


def certificates_list_for_user(*, user: User) -> QuerySet[CertificationCourse]:
    return (
        CertificationCourse.objects.filter(_released(), user=user)
        .select_related("session__center", "candidate")
        .order_by("-session__date")
    )


def certificate_get_for_user(*, user: User, course_id: int) -> CertificationCourse:
    course = certificates_list_for_user(user=user).filter(pk=course_id).first()
    if course is None:
        raise Http404
    return course


def certificate_get_by_verification_code(*, code: str) -> CertificationCourse | None:
    """Only a released, validated certification can be verified (what the attestation shows)."""
    code = (code or "").strip().upper()
    if not code.replace("-", "").isalnum():  # P- and letters or digits; PostgreSQL would refuse some others (NUL)
        return None
    return (
        CertificationCourse.objects.filter(
            _released(),
            verification_code=code,
            status=CertificationCourse.Status.VALIDATED,
        )
        .select_related("session__center", "candidate")
        .first()
    )


@dataclass(frozen=True)
class CompetenceResult:
    code: str
    name: str
    area_code: str
    area_name: str
    area_color: str
    level: int


def competence_results(course: CertificationCourse) -> list[CompetenceResult]:
    """The 16 competences with the certified level (-1 / absent: not certified)."""
    marks = {m.competence_code: m.level for m in course.competence_marks.all()}
    return [
        CompetenceResult(c.code, c.name, c.area_id, c.area.name, c.area.color, marks.get(c.code, -1))
        for c in Competence.objects.select_related("area").order_by("code")
    ]


def divisions_with_results_for_organization(*, organization: Organization) -> list[tuple[str, int]]:
    """Classes of the school with released certifications, and how many."""
    return list(
        CertificationCourse.objects.filter(_released(), candidate__organization_learner__organization=organization)
        .values_list("candidate__organization_learner__division")
        .annotate(count=Count("id"))
        .order_by("candidate__organization_learner__division")
    )


def results_list_for_division(*, organization: Organization, division: str) -> QuerySet[CertificationCourse]:
    return (
        CertificationCourse.objects.filter(
            _released(),
            candidate__organization_learner__organization=organization,
            candidate__organization_learner__division=division,
        )
        .select_related("candidate__organization_learner", "session")
        .prefetch_related(Prefetch("competence_marks", queryset=CompetenceMark.objects.order_by("competence_code")))
        .order_by("candidate__last_name", "candidate__first_name")
    )


def results_list_for_session(*, session: CertificationSession) -> QuerySet[CertificationCourse]:
    return (
        session.courses.select_related("candidate", "session__center")
        .prefetch_related(Prefetch("competence_marks", queryset=CompetenceMark.objects.order_by("competence_code")))
        .order_by("candidate__last_name", "candidate__first_name")
    )


def courses_to_decide_for_session(*, session: CertificationSession) -> list[CertificationCourse]:
    """Certifications the centre must look at before (or, published undecided, after) publication.

    Not trustable ones — decided or not, so the page keeps saying what was decided and by whom — and the
    ones the scoring could not compute (in error, or cancelled because of it).
    """
    return list(
        session.courses.filter(Q(is_trustable=False) | ~Q(error_message=""))
        .select_related("candidate", "decided_by")
        .order_by("candidate__last_name", "candidate__first_name")
    )


def course_get_for_session(*, session: CertificationSession, course_id: int) -> CertificationCourse:
    course = session.courses.select_related("candidate").filter(pk=course_id).first()
    if course is None:
        raise Http404
    return course


def livret_certifications_for_uai(*, uai: str) -> QuerySet[CertificationCourse] | None:
    """Certifications of the learners of the SCO organisation with that UAI (reference §8.10); None: no school.

    Cancelled certifications are left out, as Pix does; the others not released read as « pending ».
    """
    if not uai.isalnum():  # a UAI is 7 digits and a letter; PostgreSQL would refuse some other characters (NUL)
        return None
    organization = Organization.objects.filter(
        external_id__iexact=uai, type=Organization.Type.SCO, archived_at__isnull=True
    ).first()
    if organization is None:
        return None
    return (
        CertificationCourse.objects.filter(candidate__organization_learner__organization=organization)
        .exclude(status=CertificationCourse.Status.CANCELLED)
        .select_related("candidate__organization_learner", "session__center")
        .prefetch_related("competence_marks")
        .order_by("candidate__last_name", "candidate__first_name", "id")
    )
