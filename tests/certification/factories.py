"""Centres, sessions, candidates and certifiable profiles; everything stays in the school it is given.

A centre of a school is made by the service (same name and UAI as the school); a session by
``session_create`` (its codes come from the generators). ``give_certifiable_profile`` writes what a
campaign would have left behind: answers on one variant of each skill and the validated knowledge
elements, so the placement profile gives a level in those competences.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from accounts.models import Organization, User
from assessments.models import Answer, Assessment, KnowledgeElement
from certification.models import (
    Candidate,
    CenterMembership,
    CertificationCenter,
    CertificationCourse,
    CertificationSession,
)
from certification.services import course as course_services
from certification.services import entry
from certification.services.sessions import center_create_for_organization, session_create
from crcn.models import Challenge, Skill
from students.models import OrganizationLearner
from tests.accounts.factories import UserFactory
from tests.crcn.bank import competence_data, write_bank
from tests.students.factories import OrganizationLearnerFactory

# Six competences: one more than the five a profile needs to be certifiable.
COMPETENCES = ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3")
BIRTHDATE = datetime.date(2008, 3, 14)  # Léa Martin, the `student` persona


def load_content(tmp_path, competences: Iterable[str] = COMPETENCES) -> None:
    """A tiny content bank: 3 tubes of 6 levels per competence, 2 variants per skill."""
    from crcn.services import content_load

    content_load(content_dir=write_bank(tmp_path, competences=[competence_data(c) for c in competences]))


def sco_center_for(school: Organization) -> CertificationCenter:
    """The centre of a school that manages its students (SCO enrolment, reconciliation at entry)."""
    if not school.is_managing_students:
        school.is_managing_students = True
        school.save(update_fields=["is_managing_students"])
    return center_create_for_organization(organization=school)


def sup_center_with_member(*, role: str = CenterMembership.Role.ADMIN) -> tuple[CertificationCenter, User]:
    """A centre without a Pix Orga organisation: candidates are typed in or imported, not enrolled."""
    center = CertificationCenter.objects.create(name="Université Lumière", type=CertificationCenter.Type.SUP)
    member = UserFactory()
    CenterMembership.objects.create(center=center, user=member, role=role)
    return center, member


def session_for(
    center: CertificationCenter, *, created_by: User | None = None, date: datetime.date | None = None, **fields
) -> CertificationSession:
    values = {
        "address": "Lycée Victor Hugo, bâtiment B",
        "room": "Salle 12",
        "examiner": "M. Dupont",
        "date": date or timezone.localdate() + datetime.timedelta(days=7),
        "time": datetime.time(9, 0),
        "description": "",
        **fields,
    }
    return session_create(center=center, created_by=created_by, **values)


def learner_of(school: Organization, user: User | None = None, **fields) -> OrganizationLearner:
    """A learner of the school; ``user`` given: the learner is reconciled with that account."""
    if user is not None:
        fields = {"first_name": user.first_name, "last_name": user.last_name, **fields}
    return OrganizationLearnerFactory(organization=school, user=user, **fields)


def give_certifiable_profile(user: User, competences: Iterable[str], up_to_level: int) -> Assessment:
    """Right answers on ONE variant of each skill up to that level, and its direct validated knowledge."""
    assessment = Assessment.objects.create(
        user=user, type=Assessment.Type.COMPETENCE_EVALUATION, state=Assessment.State.COMPLETED
    )
    skills = list(
        Skill.objects.filter(tube__competence_id__in=list(competences), level__lte=up_to_level)
        .select_related("tube")
        .order_by("name")
    )
    first_variant = {}
    for challenge in Challenge.objects.filter(skill__in=skills).order_by("id"):
        first_variant.setdefault(challenge.skill_id, challenge)
    answers = Answer.objects.bulk_create(
        Answer(assessment=assessment, challenge=first_variant[skill.pk], value="", result=Answer.Result.OK)
        for skill in skills
    )
    KnowledgeElement.objects.bulk_create(
        KnowledgeElement(
            user=user,
            skill=skill,
            competence_code=skill.tube.competence_id,
            status=KnowledgeElement.Status.VALIDATED,
            source=KnowledgeElement.Source.DIRECT,
            earned_pix=skill.pix_value,
            answer=answer,
            assessment=assessment,
        )
        for skill, answer in zip(skills, answers, strict=True)
    )
    return assessment


def right_answer(challenge: Challenge):
    """The value the answer checker accepts for the bank's challenges."""
    if challenge.type == Challenge.Type.QCU:
        return str(challenge.solution)
    if challenge.type == Challenge.Type.QCM:
        return ",".join(str(n) for n in sorted(challenge.solution))
    if challenge.type == Challenge.Type.QROC:
        return challenge.solution[0]
    return {key: values[0] for key, values in challenge.solution.items()}


def wrong_answer(challenge: Challenge):
    if challenge.type == Challenge.Type.QCU:
        return "1"
    if challenge.type == Challenge.Type.QCM:
        return "2"
    if challenge.type == Challenge.Type.QROC:
        return "autre chose"
    return dict.fromkeys(challenge.solution, "faux")


def enter_the_test(session: CertificationSession, candidate: Candidate, user: User) -> CertificationCourse:
    """The candidate identifies, the invigilator authorises, the candidate types the access code."""
    entry.candidate_identify(
        session_id=session.pk,
        user=user,
        first_name=candidate.first_name,
        last_name=candidate.last_name,
        birthdate=candidate.birthdate,
    )
    entry.candidate_authorize(session=session, candidate_id=candidate.pk)
    return entry.course_start(session_id=session.pk, user=user, access_code=session.access_code)


def take_the_test(course: CertificationCourse, *, wrong_at: Iterable[int] = ()) -> CertificationCourse:
    """Answer every question in order, right except at the given question numbers (1-based)."""
    wrong_at = set(wrong_at)
    number = 0
    while True:
        course = CertificationCourse.objects.select_related("assessment", "candidate").get(pk=course.pk)
        challenge = course_services.course_next_challenge(course=course)
        if challenge is None:
            return course
        number += 1
        value = wrong_answer(challenge) if number in wrong_at else right_answer(challenge)
        course_services.course_answer(
            assessment_id=course.assessment_id, user=course.user, challenge_id=challenge.pk, value=value
        )
