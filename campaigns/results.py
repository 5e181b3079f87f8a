"""What a participation's result page shows: mastery, per competence, stage, tutorials for what was missed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from assessments.algorithm.scoring import mastery_rate, reached_stage_index
from assessments.models import KnowledgeElement
from assessments.services import current_knowledge
from campaigns.models import CampaignParticipation
from crcn.models import Competence, Skill, Stage, Tutorial


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


def participation_result(*, participation: CampaignParticipation) -> ParticipationResult:
    """Computed from the learner's knowledge; once shared, the stored mastery rate is what counts."""
    campaign = participation.campaign
    skills = list(Skill.objects.filter(campaign_links__campaign=campaign).select_related("tube"))
    knowledge = current_knowledge(user=participation.user, skill_ids=[s.name for s in skills])
    validated_ids = {k for k, ke in knowledge.items() if ke.status == KnowledgeElement.Status.VALIDATED}
    failed_ids = {k for k, ke in knowledge.items() if ke.status == KnowledgeElement.Status.INVALIDATED}
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
    rate = (
        float(participation.mastery_rate)
        if participation.mastery_rate is not None
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
