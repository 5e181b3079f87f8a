"""What a participation's result page shows: mastery, per competence, stage, tutorials for what was missed.

Rule (reference pix-domain §5.1): once shared, a participation shows what the learner knew when sharing
(``campaigns.knowledge.knowledge_at_share``) with the stored mastery rate and pix score; before sharing, it
shows the learner's knowledge as it is now. Training after sharing never changes what was sent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings

from assessments.algorithm.scoring import CompetenceScore, mastery_rate, profile, reached_stage_index
from assessments.models import KnowledgeElement
from assessments.selectors import profile_for_user
from assessments.services import current_knowledge
from campaigns.knowledge import knowledge_at_share
from campaigns.models import CampaignParticipation
from crcn.models import Competence, Skill, Stage, Tutorial

Profile = tuple[list[tuple[CompetenceScore, str]], int, bool]


@dataclass
class CompetenceResult:
    code: str
    name: str
    area_code: str
    validated: int
    total: int

    @property
    def percentage(self) -> int:
        return round(self.validated * 100 / self.total) if self.total else 0


@dataclass
class ParticipationResult:
    mastery_percentage: int
    validated: int
    total: int
    competences: list[CompetenceResult] = field(default_factory=list)
    stage: Stage | None = None
    stage_number: int = 0
    stages_count: int = 0
    tutorials: list[Tutorial] = field(default_factory=list)


def _is_shared(participation: CampaignParticipation) -> bool:
    return participation.status == CampaignParticipation.Status.SHARED


def _known_states(participation: CampaignParticipation, skill_ids: list[str] | None) -> dict[str, tuple]:
    """skill → (status, earned pix): as when shared once shared, as now before."""
    if _is_shared(participation):
        return knowledge_at_share([participation], skill_ids).get(participation.pk, {})
    if not participation.user_id:
        return {}
    knowledge = current_knowledge(user=participation.user_id, skill_ids=skill_ids)
    return {skill: (ke.status, ke.earned_pix) for skill, ke in knowledge.items()}


def participation_result(*, participation: CampaignParticipation) -> ParticipationResult:
    """Every figure from one state of knowledge: the one at sharing once shared, so they all agree."""
    campaign = participation.campaign
    skills = list(Skill.objects.filter(campaign_links__campaign=campaign).select_related("tube"))
    states = _known_states(participation, [s.name for s in skills])
    validated_ids = {k for k, (status, _) in states.items() if status == KnowledgeElement.Status.VALIDATED}
    failed_ids = {k for k, (status, _) in states.items() if status == KnowledgeElement.Status.INVALIDATED}
    per_competence: dict[str, list[Skill]] = defaultdict(list)
    for skill in skills:
        per_competence[skill.tube.competence_id].append(skill)
    competences = {c.code: c for c in Competence.objects.filter(code__in=per_competence)}
    rows = [
        CompetenceResult(
            code,
            competences[code].name,
            competences[code].area_id,
            sum(1 for s in items if s.name in validated_ids),
            len(items),
        )
        for code, items in sorted(per_competence.items())
    ]
    # Reference pix-algorithms §6.1: after sharing the stored rate is used.
    rate = (
        float(participation.mastery_rate)
        if _is_shared(participation) and participation.mastery_rate is not None
        else mastery_rate(len(validated_ids), len(skills))
    )
    percentage = round(rate * 100)
    result = ParticipationResult(percentage, len(validated_ids), len(skills), rows)
    if campaign.target_profile_id:
        stages = list(campaign.target_profile.stages.order_by("threshold"))
        if stages:
            index = reached_stage_index([s.threshold for s in stages], percentage)
            result.stage, result.stage_number, result.stages_count = stages[index], index + 1, len(stages)
    result.tutorials = list(
        Tutorial.objects.filter(skills__name__in=failed_ids).distinct().order_by("tube__competence", "title")[:12]
    )
    return result


def profile_at_share(*, participation: CampaignParticipation) -> Profile:
    """The profile as sent (same shape as ``profile_for_user``), with the stored total and certifiability.

    Per competence from the knowledge at sharing; the total and certifiability are the stored ones, which the
    teacher's list and export show too.
    """
    states = knowledge_at_share([participation], None).get(participation.pk, {})
    validated = {k: earned for k, (status, earned) in states.items() if status == KnowledgeElement.Status.VALIDATED}
    competence_of = dict(Skill.objects.filter(name__in=validated).values_list("name", "tube__competence_id"))
    earned: dict[str, list[float]] = defaultdict(list)
    for skill, pix in validated.items():
        earned[competence_of[skill]].append(float(pix))
    competences = list(Competence.objects.order_by("code").values_list("code", "name"))
    scores, total, certifiable = profile(
        earned, [code for code, _ in competences], max_level=settings.MAX_REACHABLE_LEVEL
    )
    if participation.pix_score is not None:
        total = participation.pix_score
    if participation.is_certifiable is not None:
        certifiable = participation.is_certifiable
    names = dict(competences)
    return [(score, names[score.code]) for score in scores], total, certifiable


def participation_profile(*, participation: CampaignParticipation) -> Profile:
    """What a profile collection's result page shows: the profile sent once shared, the current one before."""
    if _is_shared(participation):
        return profile_at_share(participation=participation)
    return profile_for_user(user=participation.user)
