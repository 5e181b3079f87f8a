"""Campaign analysis for teachers (reference pix-domain §7): tube recommendations and collective results.

``tube_recommendation_score`` is pure: per participant and tube, 40 points for the level reached, 30 for
the tube's difficulty within the profile, 20 for progress through its skills, 10 for closeness to the
next step. The tube's pertinence is the mean over participants who shared; a low mean means the tube is
poorly mastered, hence strongly recommended (4 bubbles).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

BUBBLES = ((25, 4, "Fortement recommandé"), (50, 3, "Très recommandé"), (75, 2, "Recommandé"))


def tube_recommendation_score(
    *, tube_levels: list[int], validated_levels: Iterable[int], profile_max_level: int
) -> float:
    """One participant's score on one tube (0–100). ``tube_levels``: difficulties of the tube's targeted skills."""
    max_level = max(tube_levels)
    validated = sorted(set(validated_levels) & set(tube_levels))
    reached = max(validated) if validated else 0
    score = 40 * reached / max_level + 30 * max_level / profile_max_level + 20 * len(validated) / len(tube_levels)
    if validated:
        remaining = [level for level in sorted(tube_levels) if level not in validated]
        next_step = remaining[0] if remaining else max_level
        score += 10 * reached / next_step
    return score


def bubbles(average_score: float) -> tuple[int, str]:
    for limit, count, label in BUBBLES:
        if average_score <= limit:
            return count, label
    return 1, "Assez recommandé"


@dataclass
class TubeRecommendation:
    tube_id: str
    title: str
    description: str
    competence_code: str
    competence_name: str
    area_code: str
    average_score: float | None
    bubbles: int = 0
    label: str = ""
    tutorials: list = field(default_factory=list)


@dataclass
class CompetenceCollectiveResult:
    code: str
    name: str
    area_code: str
    total_skills_count: int
    average_validated_skills: float

    @property
    def percentage(self) -> int:
        return round(self.average_validated_skills * 100 / self.total_skills_count) if self.total_skills_count else 0


def analyse(
    *,
    skills: list[tuple[str, str, int, str]],
    validated_by_participant: Mapping[int, set[str]],
) -> tuple[dict[str, float | None], dict[str, float]]:
    """Per tube the mean recommendation score, per competence the mean number of validated skills.

    ``skills``: (skill name, tube id, level, competence code) of the campaign; one entry of
    ``validated_by_participant`` per participant who shared.
    """
    tubes: dict[str, list[tuple[str, int]]] = defaultdict(list)
    competence_skills: dict[str, set[str]] = defaultdict(set)
    for name, tube, level, competence in skills:
        tubes[tube].append((name, level))
        competence_skills[competence].add(name)
    profile_max = max((level for _, _, level, _ in skills), default=1)
    participants = list(validated_by_participant.values())
    tube_scores: dict[str, float | None] = {}
    for tube, items in tubes.items():
        levels = [level for _, level in items]
        if not participants:
            tube_scores[tube] = None
            continue
        # Participants share few distinct situations on a tube: score each situation once.
        names = {name for name, _ in items}
        situations = Counter(frozenset(validated & names) for validated in participants)
        level_of = dict(items)
        total = sum(
            count
            * tube_recommendation_score(
                tube_levels=levels,
                validated_levels=[level_of[name] for name in situation],
                profile_max_level=profile_max,
            )
            for situation, count in situations.items()
        )
        tube_scores[tube] = total / len(participants)
    averages = {
        code: (sum(len(names & v) for v in participants) / len(participants) if participants else 0.0)
        for code, names in competence_skills.items()
    }
    return tube_scores, averages
