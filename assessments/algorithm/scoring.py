"""Pix score, levels and results (reference pix-algorithms §3, §6).

Per competence: pix = Σ pix of its validated skills; level = floor(pix / 8) capped at the maximum
reachable level; certifiable = at least 5 competences at level 1 or more. A participation's mastery rate
is validated targeted skills / targeted skills; a stage is reached when its threshold ≤ mastery %.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

PIX_PER_LEVEL = 8
MIN_CERTIFIABLE_COMPETENCES = 5
MIN_CERTIFIABLE_LEVEL = 1


@dataclass(frozen=True)
class CompetenceScore:
    code: str
    pix: int
    level: int
    pix_before_next_level: int | None  # None at the maximum reachable level


def competence_score(code: str, earned_pix: Iterable[float], *, max_level: int) -> CompetenceScore:
    total = sum(earned_pix)
    level = min(math.floor(total / PIX_PER_LEVEL + 1e-9), max_level)
    pix = min(math.floor(total + 1e-9), max_level * PIX_PER_LEVEL)
    before_next = None if level >= max_level else PIX_PER_LEVEL - (pix % PIX_PER_LEVEL)
    return CompetenceScore(code, pix, level, before_next)


def profile(
    earned_pix_by_competence: Mapping[str, Iterable[float]], competence_codes: Sequence[str], *, max_level: int
) -> tuple[list[CompetenceScore], int, bool]:
    """All competences (0 where nothing is known), the total pix score, and certifiability."""
    scores = [
        competence_score(code, earned_pix_by_competence.get(code, ()), max_level=max_level) for code in competence_codes
    ]
    certifiable = sum(1 for s in scores if s.level >= MIN_CERTIFIABLE_LEVEL) >= MIN_CERTIFIABLE_COMPETENCES
    return scores, sum(s.pix for s in scores), certifiable


def mastery_rate(validated: int, targeted: int) -> float:
    """0 to 1, two decimals (what teachers read as a percentage)."""
    return round(validated / targeted, 2) if targeted else 0.0


def reached_stage_index(thresholds: Sequence[int], mastery_percentage: int) -> int:
    """Index of the highest stage whose threshold the learner reached (stages sorted, first at 0 %)."""
    reached = 0
    for index, threshold in enumerate(sorted(thresholds)):
        if threshold <= mastery_percentage:
            reached = index
    return reached
