"""Certification quality: synthetic candidates go through the real v2 selection, answer checker and scoring.

Usage::

    .venv/bin/python -m pixorga.embedded --temp -- .venv/bin/python bench/simulate_certification.py [per-group]

The content is loaded in the database with `content_load` and read back as the certification reads it
(active skills, validated French challenges). ``per-group`` sincere and as many inflated candidates
(1 000 each by default). Each has 5 to 10 positioned competences, a profile level 1–5 in each (weights
30/30/22/12/6 %); the validated skills are every skill of the competence up to that level, its pix the
uncapped positioning score of those skills, and during positioning it answered one variant of each.
A sincere candidate's true level is its profile level; an inflated one answered its positioning with help:
its true level is 1 or 2 below (drawn per competence, never under 0). The course is built by
`select_certification_challenges`; each question is answered right with the response model of
`simulate_learners.py`, p = 0.05 + 0.9 / (1 + e^(-3(t - d + 0.5))) for true level t and skill level d
(94 % at d = t - 1, 79 % at d = t, 21 % at d = t + 1, 6 % at d = t + 2), the answer text going through
`crcn.answers.check_answer`; no neutralisation, no abort. `score_certification` gives the result.
A candidate is "caught" (inflated) or "penalised" (sincere) when rejected or when at least one competence
is certified below its profile level (one level lower or not certified).

Two response models are run, because the figures depend on them more than on anything else:
- « indépendant »: every answer is a fresh draw of the curve above, so a skill the candidate validated at
  its own level is answered right again only 79 % of the time;
- « maîtrise »: the curve gives the prior that the candidate masters a skill; a master answers right
  with probability 1 - SLIP (0.95), anyone else guesses (GUESS = 0.10). A sincere candidate answered the
  skill right alone during positioning, so it masters it with the posterior probability (Bayes); an
  inflated one was helped, so positioning says nothing and the prior holds.
Goal (issue "certification"): ≥ 90 % of inflated candidates caught, ≤ 5 % of sincere ones penalised.
"""

from __future__ import annotations

import math
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bench_settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from assessments.algorithm.scoring import competence_score  # noqa: E402
from bench.simulate_learners import wrong_answer  # noqa: E402
from certification.scoring import (  # noqa: E402
    CertificationScore,
    ChallengeOutcome,
    CompetencePositioning,
    score_certification,
)
from certification.selection import SelectedChallenge, ValidatedSkill, select_certification_challenges  # noqa: E402
from crcn.answers import check_answer  # noqa: E402
from crcn.content_schema import right_answer_of  # noqa: E402
from crcn.models import Challenge, Skill  # noqa: E402
from crcn.services import content_load  # noqa: E402

SEED = 2026
COMPETENCES_PER_CANDIDATE = (5, 10)
PROFILE_LEVEL_WEIGHTS = {1: 30, 2: 30, 3: 22, 4: 12, 5: 6}
INFLATION = (1, 2)
SLIP, GUESS = 0.05, 0.10
MODELS = ("indépendant", "maîtrise")
GOAL_CAUGHT, GOAL_PENALISED = 0.90, 0.05


@dataclass(frozen=True)
class ContentSkill:
    name: str
    tube: str
    level: int
    competence: str
    pix_value: float
    challenge_ids: tuple[str, ...]


@dataclass
class Candidate:
    kind: str  # "sincère" | "gonflé"
    profile_levels: dict[str, int]
    true_levels: dict[str, int]


def load_content() -> tuple[dict[str, list[ContentSkill]], dict[str, dict]]:
    challenges: dict[str, dict] = {}
    by_skill: dict[str, list[str]] = defaultdict(list)
    for row in (
        Challenge.objects.filter(status=Challenge.Status.VALIDATED, locale="fr", skill__status=Skill.Status.ACTIVE)
        .order_by("id")
        .values("id", "skill_id", "type", "solution", "proposals", "typo_tolerance")
    ):
        challenges[row["id"]] = row
        by_skill[row["skill_id"]].append(row["id"])
    skills: dict[str, list[ContentSkill]] = defaultdict(list)
    for name, tube, level, competence, pix in (
        Skill.objects.filter(status=Skill.Status.ACTIVE)
        .order_by("name")
        .values_list("name", "tube_id", "level", "tube__competence_id", "pix_value")
    ):
        skills[competence].append(ContentSkill(name, tube, level, competence, float(pix), tuple(by_skill[name])))
    return dict(skills), challenges


def probability_right(true_level: int, skill_level: int) -> float:
    return 0.05 + 0.9 / (1 + math.exp(-3 * (true_level - skill_level + 0.5)))


def probability_right_in_certification(
    rng: random.Random, model: str, sincere: bool, true_level: int, skill_level: int
) -> float:
    prior = probability_right(true_level, skill_level)
    if model == "indépendant":
        return prior
    mastered = prior * (1 - SLIP) / (prior * (1 - SLIP) + (1 - prior) * GUESS) if sincere else prior
    return 1 - SLIP if rng.random() < mastered else GUESS


def answer(rng: random.Random, p_right: float, challenge: dict) -> str:
    value = right_answer_of(challenge) if rng.random() < p_right else None
    return check_answer(
        challenge_type=challenge["type"],
        solution=challenge["solution"],
        raw_value=wrong_answer(challenge) if value is None else value,
        proposals_count=len(challenge.get("proposals") or []) or None,
        typo_tolerance=bool(challenge.get("typo_tolerance")),
    )


def draw_candidates(rng: random.Random, codes: list[str], per_group: int) -> list[Candidate]:
    levels, weights = list(PROFILE_LEVEL_WEIGHTS), list(PROFILE_LEVEL_WEIGHTS.values())
    candidates = []
    for kind in ("sincère", "gonflé"):
        for _ in range(per_group):
            chosen = sorted(rng.sample(codes, rng.randint(*COMPETENCES_PER_CANDIDATE)))
            profile = {code: rng.choices(levels, weights)[0] for code in chosen}
            if kind == "sincère":
                true = dict(profile)
            else:
                true = {code: max(0, level - rng.choice(INFLATION)) for code, level in profile.items()}
            candidates.append(Candidate(kind, profile, true))
    return candidates


def certify(
    index: int,
    candidate: Candidate,
    skills: dict[str, list[ContentSkill]],
    challenges: dict[str, dict],
    model: str,
) -> tuple[CertificationScore, list[CompetencePositioning], list[SelectedChallenge]]:
    rng = random.Random(f"{SEED}:{index}")
    positioning, validated, answered = [], [], set()
    for code, level in candidate.profile_levels.items():
        mine = [s for s in skills[code] if s.level <= level]
        score = competence_score(code, [s.pix_value for s in mine], max_level=8)  # uncapped, as for placement
        positioning.append(CompetencePositioning(code, score.level, score.pix))
        for s in mine:
            validated.append(ValidatedSkill(s.name, s.tube, s.level, code, s.challenge_ids))
            answered.add(rng.choice(sorted(s.challenge_ids)))
    course = select_certification_challenges(
        certifiable_competences=[p.code for p in positioning if p.level >= 1],
        validated_skills=validated,
        already_answered=answered,
        rng=rng,
    )
    level_of = {s.name: s.level for code in candidate.profile_levels for s in skills[code]}
    outcomes = [
        ChallengeOutcome(
            c.competence_code,
            answer(
                rng,
                probability_right_in_certification(
                    rng,
                    model,
                    candidate.kind == "sincère",
                    candidate.true_levels[c.competence_code],
                    level_of[c.skill_name],
                ),
                challenges[c.challenge_id],
            ),
        )
        for c in course
    ]
    result = score_certification(
        positioning=positioning, outcomes=outcomes, max_level=settings.MAX_REACHABLE_LEVEL, abort_reason=None
    )
    return result, positioning, course


def verdict(reached: bool) -> str:
    return "OK" if reached else "EN DESSOUS DE L'OBJECTIF"


def main(per_group: int) -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    content_load()
    skills, challenges = load_content()
    codes = sorted(skills)
    candidates = draw_candidates(random.Random(SEED), codes, per_group)
    content_skills = sum(len(v) for v in skills.values())
    print(f"Contenu : {len(codes)} compétences, {content_skills} acquis, {len(challenges)} épreuves (base de données)")
    print(
        f"{per_group} candidats sincères + {per_group} gonflés (graine {SEED}), niveau maximum "
        f"{settings.MAX_REACHABLE_LEVEL}, {COMPETENCES_PER_CANDIDATE[0]} à {COMPETENCES_PER_CANDIDATE[1]} compétences"
        f" positionnées, niveaux de profil 1–5 ({'/'.join(str(w) for w in PROFILE_LEVEL_WEIGHTS.values())} %)"
    )
    curve = ", ".join(
        f"d = t{delta:+d} : {probability_right(0, delta):.0%}" if delta else f"d = t : {probability_right(0, 0):.0%}"
        for delta in (-1, 0, 1, 2)
    )
    print(f"Courbe : p = 0.05 + 0.9 / (1 + e^(-3(t - d + 0.5))) — {curve}")
    for model in MODELS:
        print()
        if model == "indépendant":
            print("Modèle « indépendant » : chaque réponse est un nouveau tirage de la courbe")
        else:
            print(
                f"Modèle « maîtrise » : courbe = probabilité de maîtriser l'acquis ; maître {1 - SLIP:.0%}, "
                f"sinon {GUESS:.0%} ; le sincère l'a réussi seul (a posteriori), le gonflé non"
            )
        simulate(candidates, skills, challenges, model)
    print(f"durée : {time.perf_counter() - started:.1f} s (migrations et chargement du contenu compris)")


def simulate(
    candidates: list[Candidate], skills: dict[str, list[ContentSkill]], challenges: dict[str, dict], model: str
) -> None:
    stats: dict[str, Counter] = defaultdict(Counter)
    questions: dict[str, list[int]] = defaultdict(list)
    mismatched_levels = 0
    for index, candidate in enumerate(candidates):
        result, positioning, course = certify(index, candidate, skills, challenges, model)
        s = stats[candidate.kind]
        questions[candidate.kind].append(len(course))
        mismatched_levels += sum(1 for p in positioning if p.level != candidate.profile_levels[p.code])
        marks = {m.code: m for m in result.marks}
        below = [p for p in positioning if marks[p.code].level < min(p.level, settings.MAX_REACHABLE_LEVEL)]
        s["candidats"] += 1
        s["rejetés"] += result.status == "rejected"
        s["pénalisés"] += result.status == "rejected" or bool(below)
        s[f"raison {result.reason}"] += result.reason is not None
        s["compétences"] += len(positioning)
        s["compétences abaissées"] += sum(1 for p in below if marks[p.code].level >= 0)
        s["compétences non certifiées"] += sum(1 for p in below if marks[p.code].level < 0)
        s["compétences au-dessus du vrai niveau"] += sum(
            1 for p in positioning if marks[p.code].level > candidate.true_levels[p.code]
        )
        s["taux"] += result.reproducibility_rate
        per_competence = Counter(c.competence_code for c in course)
        s["compétences à moins de 3 questions"] += sum(1 for p in positioning if per_competence[p.code] < 3)
    if mismatched_levels:
        print(f"(attention : {mismatched_levels} niveaux de positionnement diffèrent du niveau tiré)")
    print(f"{'candidats':<10} {'questions':>10} {'taux moyen':>11} {'rejetés':>8} {'abaissés ou rejetés':>20}")
    for kind in ("sincère", "gonflé"):
        s = stats[kind]
        print(
            f"{kind:<10} {statistics.mean(questions[kind]):>10.1f} {s['taux'] / s['candidats']:>10.1f}% "
            f"{s['rejetés']:>8} {s['pénalisés'] / s['candidats']:>20.1%}"
        )
    for kind in ("sincère", "gonflé"):
        s = stats[kind]
        reasons = ", ".join(f"{k[7:]} {v}" for k, v in sorted(s.items()) if k.startswith("raison ") and v) or "aucune"
        print(
            f"  {kind} — par compétence : {s['compétences abaissées'] / s['compétences']:.1%} un niveau plus bas, "
            f"{s['compétences non certifiées'] / s['compétences']:.1%} non certifiées, "
            f"{s['compétences au-dessus du vrai niveau'] / s['compétences']:.1%} certifiées au-dessus du vrai niveau, "
            f"{s['compétences à moins de 3 questions'] / s['compétences']:.1%} à moins de 3 questions"
            f" ; raisons : {reasons}"
        )
    caught = stats["gonflé"]["pénalisés"] / stats["gonflé"]["candidats"]
    penalised = stats["sincère"]["pénalisés"] / stats["sincère"]["candidats"]
    print(f"gonflés repérés : {caught:.1%} (objectif ≥ {GOAL_CAUGHT:.0%}) — {verdict(caught >= GOAL_CAUGHT)}")
    print(
        f"sincères pénalisés : {penalised:.1%} (objectif ≤ {GOAL_PENALISED:.0%}) — "
        f"{verdict(penalised <= GOAL_PENALISED)}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
