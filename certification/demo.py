"""Demo data for Pix Certif: the demo school's centre, a session next week with four 2nde 3 students,
two of whom have a certifiable profile (positioned in six competences) so a visitor can take the test."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from assessments.models import Answer, Assessment, KnowledgeElement
from certification.services.enrolment import candidates_enrol_learners
from certification.services.sessions import center_create_for_organization, session_create
from crcn.models import Challenge, Skill

DEMO_COMPETENCES = ("1.1", "1.2", "2.1", "2.2", "3.1", "4.1")
DEMO_LEVEL = 2


@transaction.atomic
def demo_positioning_create(user: User) -> None:
    """What a student who trained alone would have: right answers up to level 2 in six competences."""
    if KnowledgeElement.objects.filter(user=user).exists():
        return
    assessment = Assessment.objects.create(
        user=user,
        type=Assessment.Type.COMPETENCE_EVALUATION,
        state=Assessment.State.COMPLETED,
        completed_at=timezone.now(),
    )
    skills = Skill.objects.filter(
        tube__competence__in=DEMO_COMPETENCES, level__lte=DEMO_LEVEL, status=Skill.Status.ACTIVE
    ).select_related("tube")
    for skill in skills:
        challenge = Challenge.objects.filter(skill=skill, status=Challenge.Status.VALIDATED).order_by("id").first()
        if challenge is None:
            continue
        answer = Answer.objects.create(assessment=assessment, challenge=challenge, value="", result=Answer.Result.OK)
        KnowledgeElement.objects.create(
            user=user,
            skill=skill,
            competence_code=skill.tube.competence_id,
            status=KnowledgeElement.Status.VALIDATED,
            source=KnowledgeElement.Source.DIRECT,
            earned_pix=skill.pix_value,
            answer=answer,
            assessment=assessment,
        )


def demo_certification_load(*, lycee: Organization, admin: User) -> list[tuple[str, str, str]]:
    """(who, login, password) lines for the printed demo logins; nothing when the content is not loaded."""
    if not Skill.objects.exists():
        return []
    center = center_create_for_organization(organization=lycee)
    session = center.sessions.filter(description="Session de démonstration").first()
    learners = list(lycee.learners.filter(division="2nde 3").order_by("-birthdate")[:4])  # not Léa, the campaign demo
    if session is None:
        session = session_create(
            center=center,
            created_by=admin,
            address=lycee.name,
            room="Salle informatique B12",
            examiner="Mme Proviseure, M. Enseignant",
            date=timezone.localdate() + datetime.timedelta(days=7),
            time=datetime.time(9, 0),
            description="Session de démonstration",
        )
        candidates_enrol_learners(session=session, learner_ids=[learner.pk for learner in learners])
    for learner in learners[:2]:
        demo_positioning_create(learner.user)
    return [
        ("Session de certification (numéro)", str(session.pk), "—"),
        ("Espace surveillant : mot de passe de la session", session.invigilator_password, "—"),
        ("Code d'accès des candidats", session.access_code, "—"),
        *[
            (f"Candidat certifiable ({learner.first_name} {learner.last_name})", learner.user.username, "")
            for learner in learners[:2]
        ],
    ]
