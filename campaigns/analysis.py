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
    names: dict[str, set[str]] = defaultdict(set)
    for name, tube, _, _ in skills:
        names[tube].add(name)
    situations = {
        tube: Counter(frozenset(validated & tube_names) for validated in validated_by_participant.values())
        for tube, tube_names in names.items()
    }
    return analyse_situations(skills=skills, situations=situations, participants=len(validated_by_participant))


def analyse_situations(
    *,
    skills: list[tuple[str, str, int, str]],
    situations: Mapping[str, Mapping[frozenset[str], int]],
    participants: int,
) -> tuple[dict[str, float | None], dict[str, float]]:
    """``analyse`` from the situations only: per tube, how many sharers validated exactly each set of its skills.

    Participants share few distinct situations on a tube, so each is scored once; sharers not counted in a
    tube's situations validated none of its skills.
    """
    tubes: dict[str, list[tuple[str, int]]] = defaultdict(list)
    competence_of: dict[str, str] = {}
    for name, tube, level, competence in skills:
        tubes[tube].append((name, level))
        competence_of[name] = competence
    profile_max = max((level for _, _, level, _ in skills), default=1)
    validated_total: Counter[str] = Counter()
    tube_scores: dict[str, float | None] = {}
    for tube, items in tubes.items():
        if not participants:
            tube_scores[tube] = None
            continue
        levels = [level for _, level in items]
        level_of = dict(items)
        counted = dict(situations.get(tube, {}))
        counted[frozenset()] = counted.get(frozenset(), 0) + participants - sum(counted.values())
        total = 0.0
        for situation, count in counted.items():
            total += count * tube_recommendation_score(
                tube_levels=levels,
                validated_levels=[level_of[name] for name in situation],
                profile_max_level=profile_max,
            )
            for name in situation:
                validated_total[competence_of[name]] += count
        tube_scores[tube] = total / participants
    averages = {
        code: validated_total[code] / participants if participants else 0.0
        for code in dict.fromkeys(competence_of.values())
    }
    return tube_scores, averages
