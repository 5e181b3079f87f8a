"""Smart random: the adaptive choice of the next question (reference pix-algorithms §4.2).

Among the target skills not yet known, keep the most informative ones for the learner's estimated level
(logistic model on the skills answered directly), never one more than 2 levels above it, easy tubes
first, and stop when no skill would teach anything. The challenge is then picked deterministically from
the assessment's seed, so a reload shows the same question and a simulation can be replayed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assessments.algorithm.knowledge import Skill, Status

LEVELS = [step / 2 for step in range(1, 16)]  # 0.5 … 7.5
DEFAULT_LEVEL = 2
MAX_LEVEL_OF_AN_EASY_TUBE = 3
MAX_GAP_ABOVE_ESTIMATE = 2


@dataclass(frozen=True, slots=True)
class Candidate:
    """A target skill that has at least one challenge (the others make no tube: reference §4.2 Preparation)."""

    skill: Skill
    challenge_ids: tuple[str, ...]  # validated challenges not yet answered in this assessment
    timed: bool = False  # its first remaining challenge is timed
    archived_ids: tuple[str, ...] = ()  # campaigns: archived ones, asked only once no validated one remains

    @property
    def is_playable(self) -> bool:
        return bool(self.challenge_ids or self.archived_ids)


@dataclass
class Choice:
    skill: Skill
    challenge_id: str
    estimated_level: float
    candidates: list[str] = field(default_factory=list)


def probability(level: float, difficulty: float) -> float:
    return 1.0 / (1.0 + math.exp(-(level - difficulty)))


def estimated_level(direct: Sequence[tuple[int, bool]]) -> float:
    """Level whose predictions best balance the observed outcomes, with a virtual success at 0 and failure at 7."""
    observations = [*direct, (0, True), (7, False)]
    best_level, best_score = LEVELS[0], -math.inf
    for level in LEVELS:
        score = -abs(sum((1.0 if ok else 0.0) - probability(level, difficulty) for difficulty, ok in observations))
        if score > best_score:
            best_level, best_score = level, score
    return best_level


_UINT32 = 0xFFFFFFFF


def hash_int(value: int) -> int:
    """The ``hash-int`` npm package Pix picks with (Thomas Wang's 7-shift hash, unsigned 32 bits).

    Same seed, same question as Pix: the input is taken as its low 32 bits (JavaScript's ``x | 0``).
    """
    a = value & _UINT32
    a = (a - (a << 6)) & _UINT32
    a ^= a >> 17
    a = (a - (a << 9)) & _UINT32
    a = (a ^ (a << 4)) & _UINT32
    a = (a - (a << 3)) & _UINT32
    a = (a ^ (a << 10)) & _UINT32
    a ^= a >> 15
    return a


def _reward(skill: Skill, level: float, unknown_by_tube: Mapping[str, list[Skill]]) -> float:
    p = probability(level, skill.difficulty)
    tube = unknown_by_tube[skill.tube]
    gain_if_solved = sum(1 for s in tube if s.difficulty <= skill.difficulty)
    gain_if_failed = sum(1 for s in tube if s.difficulty >= skill.difficulty)
    return p * gain_if_solved + (1 - p) * gain_if_failed


def next_challenge(
    *,
    candidates: Sequence[Candidate],
    known: Mapping[str, Status],
    direct: Sequence[tuple[int, bool]],
    answered_count: int,
    last_challenge_timed: bool = False,
    seed: int = 0,
) -> Choice | None:
    """The next question, or None when the test is over.

    ``candidates``: the target skills having at least one challenge, even if all were answered (they still
    shape their tube's maximum level and the gains); ``known``: skill name → status of every knowledge element
    (direct or inferred) on the targets; ``direct``: (difficulty, validated) of the direct ones, which feed the
    level estimate; ``last_challenge_timed``: the previous question had a timer (Pix's ``lastAnswer.timeout``).
    """
    by_tube: dict[str, list[Skill]] = defaultdict(list)
    for candidate in candidates:
        by_tube[candidate.skill.tube].append(candidate.skill)
    max_level_of_tube = {tube: max(s.difficulty for s in skills) for tube, skills in by_tube.items()}

    pool = [c for c in candidates if c.is_playable and c.skill.name not in known]
    easy = [c for c in pool if max_level_of_tube[c.skill.tube] <= MAX_LEVEL_OF_AN_EASY_TUBE]
    pool = easy or pool
    if not pool:
        return None

    if answered_count == 0:
        untimed = [c for c in pool if not c.timed] or pool
        level_order = sorted({c.skill.difficulty for c in untimed}, key=lambda d: (d != DEFAULT_LEVEL, d))
        chosen = [c for c in untimed if c.skill.difficulty == level_order[0]]
        level = float(DEFAULT_LEVEL)
    else:
        level = estimated_level(direct)
        if last_challenge_timed:
            pool = [c for c in pool if not c.timed] or pool
        pool = [c for c in pool if c.skill.difficulty - level <= MAX_GAP_ABOVE_ESTIMATE]
        unknown_by_tube = {tube: [s for s in skills if s.name not in known] for tube, skills in by_tube.items()}
        rewards = {c.skill.name: _reward(c.skill, level, unknown_by_tube) for c in pool}
        best = max(rewards.values(), default=0.0)
        chosen = [c for c in pool if rewards[c.skill.name] == best and best > 0]
    if not chosen:
        return None
    chosen.sort(key=lambda c: c.skill.name)
    picked = chosen[hash_int(seed) % len(chosen)]
    challenges = picked.challenge_ids or picked.archived_ids  # validated ones preferred
    challenge = challenges[hash_int(seed + 1) % len(challenges)]
    return Choice(picked.skill, challenge, level, [c.skill.name for c in chosen])
