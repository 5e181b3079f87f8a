"""Knowledge elements created by an answer (reference pix-algorithms §2).

A right answer validates the skill asked and, by inference, the easier skills of its tube; a wrong one
(or "Je passe") invalidates it and the harder ones. Skills already known are never touched again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Status = Literal["validated", "invalidated"]
Source = Literal["direct", "inferred"]


@dataclass(frozen=True, slots=True)
class Skill:
    name: str  # "@tube3"
    tube: str  # "@tube"
    difficulty: int  # 3
    pix_value: float = 0.0
    competence: str = ""


@dataclass(frozen=True, slots=True)
class NewKnowledge:
    skill: str
    status: Status
    source: Source
    earned_pix: float


def knowledge_for_answer(
    *,
    skill: Skill,
    is_ok: bool,
    target_skills: Iterable[Skill],
    known: Mapping[str, Status],
) -> list[NewKnowledge]:
    """What one answer teaches about the learner, given what was already known (``known``: skill → status)."""
    targets = list(target_skills)
    if skill.name in known or skill.name not in {s.name for s in targets}:
        return []
    status: Status = "validated" if is_ok else "invalidated"
    created = [NewKnowledge(skill.name, status, "direct", skill.pix_value if is_ok else 0.0)]
    for other in targets:
        if other.tube != skill.tube or other.name == skill.name or other.name in known:
            continue
        if is_ok and other.difficulty < skill.difficulty:
            created.append(NewKnowledge(other.name, "validated", "inferred", other.pix_value))
        elif not is_ok and other.difficulty > skill.difficulty:
            created.append(NewKnowledge(other.name, "invalidated", "inferred", 0.0))
    return created
