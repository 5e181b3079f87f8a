"""What teachers read on a campaign: activity, results per participant, collective analysis.

Reads only (selectors), starting from a campaign already fetched through the teacher's organisation.
Shared results are read as they were when shared (``campaigns.knowledge``): the analysis lets PostgreSQL
group the sharers by what they had validated in each tube; a participant's page reads its own knowledge in
Python. The number of queries never grows with the number of participants.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone

from assessments.models import KnowledgeElement
from campaigns.analysis import CompetenceCollectiveResult, TubeRecommendation, analyse_situations, bubbles
from campaigns.knowledge import LATEST_AT_SHARE_PARAMS, knowledge_at_share, latest_at_share_sql
from campaigns.models import Campaign, CampaignParticipation
from campaigns.results import profile_at_share
from crcn.models import Competence, Skill, Tube, Tutorial
from pixorga.names import fold_name
from students.models import OrganizationLearner

PARTICIPATIONS = CampaignParticipation._meta.db_table
LEARNERS = OrganizationLearner._meta.db_table
STATUS_LABELS = {"STARTED": "En cours de test", "TO_SHARE": "En attente d'envoi", "SHARED": "Résultats envoyés"}


def participations_filtered(
    campaign: Campaign,
    *,
    divisions: list[str] | None = None,
    status: str = "",
    search: str = "",
    stage_id: int | None = None,
    certifiable: str = "",
) -> QuerySet[CampaignParticipation]:
    rows = campaign.participations.filter(is_improved=False, deleted_at__isnull=True).select_related(
        "organization_learner"
    )
    if divisions:
        rows = rows.filter(organization_learner__division__in=divisions)
    if status in STATUS_LABELS:
        rows = rows.filter(status=status)
    for word in fold_name(search).split()[:5]:
        rows = rows.filter(organization_learner__search_text__contains=word)
    if stage_id and campaign.target_profile_id:
        stages = list(campaign.target_profile.stages.order_by("threshold").values_list("pk", "threshold"))
        for index, (pk, threshold) in enumerate(stages):
            if pk == stage_id:
                rows = rows.filter(mastery_rate__gte=Decimal(threshold) / 100)
                if index + 1 < len(stages):
                    rows = rows.filter(mastery_rate__lt=Decimal(stages[index + 1][1]) / 100)
    if certifiable in ("oui", "non"):
        rows = rows.filter(is_certifiable=certifiable == "oui")
    return rows.order_by("organization_learner__last_name", "organization_learner__first_name", "id")


@dataclass
class Activity:
    total: int
    by_status: dict[str, int]
    per_day: list[tuple[date, int]]
    chart: list[dict] = field(default_factory=list)

    @property
    def shared_percentage(self) -> int:
        return round(self.by_status.get("SHARED", 0) * 100 / self.total) if self.total else 0


def campaign_activity(campaign: Campaign) -> Activity:
    current = campaign.participations.filter(is_improved=False, deleted_at__isnull=True)
    by_status = dict(current.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    days = Counter(
        timezone.localtime(created).date() for created in current.values_list("created_at", flat=True).iterator()
    )
    activity = Activity(total=sum(by_status.values()), by_status=by_status, per_day=[])
    if days:
        first, last = min(days), max(max(days), timezone.localdate())
        span = min((last - first).days, 59)
        start = last - timedelta(days=span)
        activity.per_day = [
            (start + timedelta(days=i), days.get(start + timedelta(days=i), 0)) for i in range(span + 1)
        ]
        peak = max(count for _, count in activity.per_day) or 1
        width = 600 / len(activity.per_day)
        activity.chart = [
            {
                "x": round(i * width + 1, 1),
                "width": round(max(width - 2, 1), 1),
                "height": round(count * 160 / peak, 1),
                "y": round(170 - count * 160 / peak, 1),
                "day": day,
                "count": count,
            }
            for i, (day, count) in enumerate(activity.per_day)
        ]
    return activity


@dataclass
class ResultRow:
    participation: CampaignParticipation
    mastery_percentage: int | None
    stage_title: str
    stage_number: int | None  # as in the CSV: stages acquired, the zero stage not counted
    sendings: int
    evolution: str | None
    stages_total: int | None = None  # as in the CSV header « Palier obtenu (/N) »


EVOLUTION_LABELS = {"increase": "↗ en progrès", "decrease": "↘ en baisse", "stable": "→ stable"}


def stage_number_as_exported(thresholds: Sequence[int], mastery_percentage: int) -> int:
    """The « Palier obtenu » figure of the CSV export: stages acquired minus the zero stage (0 to N)."""
    return sum(1 for threshold in thresholds if threshold <= mastery_percentage) - 1


def evolution(before: float | None, now: float | None) -> str | None:
    """Against the learner's previous sending (reference pix-domain §5.4); None when there is nothing to compare."""
    if before is None or now is None:
        return None
    return "increase" if now > before else "decrease" if now < before else "stable"


def campaign_results(campaign: Campaign, participations: list[CampaignParticipation]) -> list[ResultRow]:
    """The Résultats rows: stage numbered as in the export, evolution from the previous sending (mastery or pix)."""
    stages = list(campaign.target_profile.stages.order_by("threshold")) if campaign.target_profile_id else []
    thresholds = [s.threshold for s in stages]
    users = [p.user_id for p in participations if p.user_id]
    sendings = Counter(
        campaign.participations.filter(user_id__in=users, status="SHARED", deleted_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    collects_profiles = campaign.type == Campaign.Type.PROFILES_COLLECTION

    def compared(rate: Decimal | None, pix: int | None) -> float | None:
        value = pix if collects_profiles else rate
        return None if value is None else float(value)

    previous: dict[int, float | None] = {}
    for user_id, rate, pix in (
        campaign.participations.filter(user_id__in=users, is_improved=True, status="SHARED")
        .order_by("user_id", "-shared_at")
        .values_list("user_id", "mastery_rate", "pix_score")
    ):
        previous.setdefault(user_id, compared(rate, pix))
    rows = []
    for participation in participations:
        shared = participation.status == "SHARED"
        assessed = shared and participation.mastery_rate is not None
        percentage = round(float(participation.mastery_rate) * 100) if assessed else None
        stage_title, stage_number, stages_total = "", None, None
        if assessed and stages:
            number = stage_number_as_exported(thresholds, percentage)
            if number >= 0:
                stage_title, stage_number, stages_total = stages[number].prescriber_title, number, len(stages) - 1
        change = None
        if shared and participation.user_id in previous:
            change = evolution(
                previous[participation.user_id], compared(participation.mastery_rate, participation.pix_score)
            )
        rows.append(
            ResultRow(
                participation,
                percentage,
                stage_title,
                stage_number,
                sendings.get(participation.user_id, 0),
                change,
                stages_total,
            )
        )
    return rows


def _situations_at_share(
    campaign: Campaign, *, skills: list[tuple[str, str, int, str]], divisions: list[str] | None
) -> tuple[int, dict[str, Counter[frozenset[str]]]]:
    """How many shared, and per tube how many sharers had validated each set of its skills — two SQL queries.

    PostgreSQL reads each sharer's knowledge at share time (``knowledge.latest_at_share_sql``) and groups
    the sharers by situation: Python receives a few rows per tube whatever the number of participants.
    """
    sharers = f"FROM {PARTICIPATIONS} p JOIN {LEARNERS} l ON l.id = p.organization_learner_id"
    current = """
        WHERE p.campaign_id = %(campaign)s AND p.status = %(shared)s AND NOT p.is_improved
          AND p.deleted_at IS NULL AND p.user_id IS NOT NULL
    """
    if divisions:
        current += " AND l.division = ANY(%(divisions)s)"
    situations_sql = f"""
        WITH validated AS (
            SELECT p.id AS participation, t.tube_id, t.skill_id
            {sharers}
            CROSS JOIN LATERAL ({latest_at_share_sql(targeted_only=True)}) latest
            JOIN unnest(%(skills)s::text[], %(tubes)s::text[]) AS t(skill_id, tube_id) USING (skill_id)
            {current} AND latest.status = %(validated)s
        ), situations AS (
            SELECT tube_id, array_agg(skill_id ORDER BY skill_id) AS skills
            FROM validated GROUP BY participation, tube_id
        )
        SELECT tube_id, skills, count(*) FROM situations GROUP BY tube_id, skills
    """
    params = {
        **LATEST_AT_SHARE_PARAMS,
        "campaign": campaign.pk,
        "divisions": divisions or [],
        "skills": [name for name, _, _, _ in skills],
        "tubes": [tube for _, tube, _, _ in skills],
    }
    situations: dict[str, Counter[frozenset[str]]] = defaultdict(Counter)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {sharers} {current}", params)
        (participants,) = cursor.fetchone()
        cursor.execute(situations_sql, params)
        for tube, validated, count in cursor.fetchall():
            situations[tube][frozenset(validated)] = count
    return participants, situations


@dataclass
class Analysis:
    participants: int
    competences: list[CompetenceCollectiveResult]
    tubes: list[TubeRecommendation]


def campaign_analysis(campaign: Campaign, *, divisions: list[str] | None = None) -> Analysis:
    skills = list(
        Skill.objects.filter(campaign_links__campaign=campaign).values_list(
            "name", "tube_id", "level", "tube__competence_id"
        )
    )
    participants, situations = _situations_at_share(campaign, skills=skills, divisions=divisions)
    tube_scores, averages = analyse_situations(skills=skills, situations=situations, participants=participants)
    competences = {c.code: c for c in Competence.objects.filter(code__in=averages)}
    totals = Counter(s[3] for s in skills)
    competence_rows = [
        CompetenceCollectiveResult(
            code, competences[code].name, competences[code].area_id, totals[code], averages[code]
        )
        for code in sorted(averages)
    ]
    tutorials: dict[str, list[Tutorial]] = defaultdict(list)
    for tutorial in Tutorial.objects.filter(skills__name__in=[s[0] for s in skills]).distinct().order_by("title"):
        tutorials[tutorial.tube_id].append(tutorial)
    tubes = []
    for tube in Tube.objects.filter(name__in=tube_scores).select_related("competence"):
        score = tube_scores[tube.name]
        count, label = bubbles(score) if score is not None else (0, "")
        tubes.append(
            TubeRecommendation(
                tube.name,
                tube.title,
                tube.description,
                tube.competence_id,
                tube.competence.name,
                tube.competence.area_id,
                score,
                count,
                label,
                tutorials.get(tube.name, []),
            )
        )
    tubes.sort(key=lambda t: (t.average_score is None, t.average_score or 0, t.title))
    return Analysis(participants, competence_rows, tubes)


@dataclass
class TubeDetail:
    title: str
    validated: int
    total: int


@dataclass
class ParticipantDetail:
    participation: CampaignParticipation
    competences: list[tuple[Competence, int, int, list[TubeDetail]]]
    answers: list
    tutorials: list[Tutorial]
    profile: list | None = None


def participant_detail(campaign: Campaign, participation: CampaignParticipation) -> ParticipantDetail:
    """One participant as the teacher sees them: results per competence and tube, answers, tutorials.

    All read as they were when shared, the profile of a profile collection too (the profile as sent).
    """
    from assessments.models import Answer

    skills = list(Skill.objects.filter(campaign_links__campaign=campaign).select_related("tube__competence"))
    state = {}
    if participation.status == "SHARED":
        state = knowledge_at_share([participation], [s.name for s in skills] if skills else None).get(
            participation.pk, {}
        )
    validated = {k for k, (status, _) in state.items() if status == KnowledgeElement.Status.VALIDATED}
    failed = {k for k, (status, _) in state.items() if status == KnowledgeElement.Status.INVALIDATED}
    by_competence: dict[str, dict[str, list[Skill]]] = defaultdict(lambda: defaultdict(list))
    for skill in skills:
        by_competence[skill.tube.competence_id][skill.tube_id].append(skill)
    competences = []
    for code in sorted(by_competence):
        tubes = by_competence[code]
        competence = next(iter(tubes.values()))[0].tube.competence
        details = [
            TubeDetail(items[0].tube.title, sum(1 for s in items if s.name in validated), len(items))
            for items in tubes.values()
        ]
        competences.append((competence, sum(t.validated for t in details), sum(t.total for t in details), details))
    answers = list(
        Answer.objects.filter(assessment__participation=participation)
        .select_related("challenge")
        .order_by("created_at")
    )
    tutorials = list(Tutorial.objects.filter(skills__name__in=failed).distinct().order_by("title")[:12])
    profile = None
    if (
        campaign.type == Campaign.Type.PROFILES_COLLECTION
        and participation.status == "SHARED"
        and participation.user_id
    ):
        profile = profile_at_share(participation=participation)[0]
    return ParticipantDetail(participation, competences, answers, tutorials, profile)
