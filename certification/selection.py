"""Certification v2 challenge selection (reference pix-algorithms §8.1), pure Python.

For each certifiable competence, up to 3 challenges from the skills the candidate validated directly,
hardest first; within one level, skills of a tube the competence's selection does not use yet come
first. Each challenge is a variant of its skill the candidate has never answered when there is one: a skill
whose every variant was answered gives way to the next skill down. Only when that leaves the competence
short of its 3 challenges are answered variants of the skills not asked yet taken (hardest first), as Pix
allows them: a competence the candidate is positioned on is never left without a question (a certification
error, reference §8.2).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from certification.scoring import CERTIFICATION_CHALLENGES_PER_COMPETENCE


@dataclass(frozen=True)
class ValidatedSkill:
    name: str  # "@cheminFichier3"
    tube: str
    level: int  # difficulty 1..8
    competence_code: str
    challenge_ids: tuple[str, ...]  # the validated challenges (variants) of that skill, French locale


@dataclass(frozen=True)
class SelectedChallenge:
    challenge_id: str
    skill_name: str
    competence_code: str


def _code_key(code: str) -> tuple[int, ...] | tuple[str]:
    parts = code.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else (code,)


def _select_for_competence(
    skills: Sequence[ValidatedSkill], already_answered: Collection[str], rng: random.Random, per_competence: int
) -> list[SelectedChallenge]:
    by_level: dict[int, list[ValidatedSkill]] = defaultdict(list)
    for skill in skills:
        by_level[skill.level].append(skill)
    selected: list[SelectedChallenge] = []
    used_tubes: set[str] = set()
    asked: set[str] = set()
    for unseen_only in (True, False):
        for level in sorted(by_level, reverse=True):
            group = sorted(by_level[level], key=lambda s: (s.tube in used_tubes, s.name))
            for skill in group:
                if len(selected) >= per_competence:
                    return selected
                variants = sorted(set(skill.challenge_ids))
                if unseen_only:
                    variants = [c for c in variants if c not in already_answered]
                if skill.name in asked or not variants:
                    continue
                selected.append(SelectedChallenge(rng.choice(variants), skill.name, skill.competence_code))
                used_tubes.add(skill.tube)
                asked.add(skill.name)
    return selected


def select_certification_challenges(
    *,
    certifiable_competences: Sequence[str],
    validated_skills: Sequence[ValidatedSkill],
    already_answered: Collection[str],
    rng: random.Random,
    per_competence: int = CERTIFICATION_CHALLENGES_PER_COMPETENCE,
) -> list[SelectedChallenge]:
    """The certification course, by competence code then selection order; the same for the same rng seed."""
    answered = frozenset(already_answered)
    skills_by_competence: dict[str, dict[str, ValidatedSkill]] = defaultdict(dict)
    for skill in validated_skills:
        skills_by_competence[skill.competence_code].setdefault(skill.name, skill)  # one entry per skill name
    course: list[SelectedChallenge] = []
    for code in sorted(set(certifiable_competences), key=_code_key):
        skills = list(skills_by_competence[code].values())
        course.extend(_select_for_competence(skills, answered, rng, per_competence))
    return course
