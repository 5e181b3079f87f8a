"""Assessment quality: synthetic learners answer through the real algorithm and the real answer checker.

Usage: ``.venv/bin/python bench/simulate_learners.py [learners] [target-profile-id]`` (no database: the
content is read from `crcn/content/`). Each learner has a true level per competence (tubes share it, up
to their cap); a question of difficulty d is answered right with probability 0.05 + 0.9 / (1 + e^(-3(t - d
+ 0.5))) — mostly right at or below the true level t, with slips and lucky guesses. The learner's answer
text is the stated right answer or a wrong one, and `crcn.answers.check_answer` decides.

Compared, on the same learners: the adaptive test (smart random with inference, as in production), an
exhaustive test (every targeted skill asked, no inference) and a fixed non-adaptive test of the adaptive
mean length (the same skills for everyone, spread over tubes and levels, with inference). A tube's
estimated level is the hardest validated skill of the tube; a competence's level is the rounded mean of
its tubes'. Goal: adaptive accuracy ≥ 90 % of exhaustive with ≤ 35 % of its questions, and above fixed.
Also printed: the floor of any test that reports on every tube of the parcours (the analysis recommends
tubes, so none may go unasked): one question per tube, since inference never crosses tubes.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assessments.algorithm.knowledge import Skill, knowledge_for_answer
from assessments.algorithm.smart_random import Candidate, next_challenge
from crcn.answers import check_answer
from crcn.content_schema import read_bank, right_answer_of, skill_level

SEED = 2026


def load_profile(profile_id: str):
    bank = read_bank()
    assert not bank.errors, bank.errors[:3]
    profile = next(p for p in bank.target_profiles if p["id"] == profile_id)
    caps = {t["tube"]: t["level"] for t in profile["tubes"]}
    skills, challenges = [], {}
    for code, data in bank.competences.items():
        for tube in data["tubes"]:
            if tube["name"] not in caps:
                continue
            for skill in tube["skills"]:
                level = skill_level(skill["name"])
                if level <= caps[tube["name"]]:
                    skills.append(Skill(skill["name"], tube["name"], level, 1.0, code))
                    challenges[skill["name"]] = skill["challenges"]
    return profile, caps, skills, challenges


def wrong_answer(challenge) -> object:
    kind = challenge["type"]
    if kind == "QCU":
        return "1" if challenge["solution"] != 1 else "2"
    if kind == "QCM":
        return str(next(n for n in range(1, len(challenge["proposals"]) + 1) if n not in challenge["solution"]))
    if kind == "QROC":
        return "je ne sais pas"
    return dict.fromkeys(challenge["solution"], "?")


def answers_right(rng: random.Random, true_level: float, difficulty: int, challenge) -> bool:
    p = 0.05 + 0.9 / (1 + math.exp(-3 * (true_level - difficulty + 0.5)))
    value = right_answer_of(challenge) if rng.random() < p else wrong_answer(challenge)
    result = check_answer(
        challenge_type=challenge["type"],
        solution=challenge["solution"],
        raw_value=value,
        proposals_count=len(challenge.get("proposals") or []) or None,
        typo_tolerance=bool(challenge.get("typo_tolerance")),
    )
    return result == "ok"


def estimate(skills: list[Skill], validated: set[str]) -> dict[str, float]:
    by_tube: dict[str, int] = defaultdict(int)
    competence_of = {}
    for skill in skills:
        competence_of[skill.tube] = skill.competence
        by_tube[skill.tube] = max(by_tube[skill.tube], skill.difficulty if skill.name in validated else 0)
    per_competence = defaultdict(list)
    for tube, level in by_tube.items():
        per_competence[competence_of[tube]].append(level)
    return {code: round(statistics.mean(levels)) for code, levels in per_competence.items()}


def truth(skills: list[Skill], caps: dict[str, int], levels: dict[str, int]) -> dict[str, float]:
    per_competence = defaultdict(list)
    for tube in {s.tube for s in skills}:
        code = next(s.competence for s in skills if s.tube == tube)
        top = max(s.difficulty for s in skills if s.tube == tube)
        per_competence[code].append(min(levels[code], top))
    return {code: round(statistics.mean(values)) for code, values in per_competence.items()}


def run_with_inference(rng, skills, challenges, levels, order=None, seed=0):
    """Adaptive when ``order`` is None, otherwise the fixed list of skills in that order."""
    known: dict[str, str] = {}
    direct: list[tuple[int, bool]] = []
    answered: set[str] = set()
    asked = 0
    fixed = list(order or [])
    while True:
        if order is None:
            candidates = [
                Candidate(s, tuple(c["id"] for c in challenges[s.name] if c["id"] not in answered)) for s in skills
            ]
            choice = next_challenge(candidates=candidates, known=known, direct=direct, answered_count=asked, seed=seed)
            if choice is None:
                break
            skill, challenge_id = choice.skill, choice.challenge_id
        else:
            if not fixed:
                break
            skill = fixed.pop(0)
            challenge_id = challenges[skill.name][0]["id"]
        challenge = next(c for c in challenges[skill.name] if c["id"] == challenge_id)
        ok = answers_right(rng, levels[skill.competence], skill.difficulty, challenge)
        answered.add(challenge_id)
        asked += 1
        for element in knowledge_for_answer(skill=skill, is_ok=ok, target_skills=skills, known=known):
            known[element.skill] = element.status
            if element.source == "direct":
                direct.append((skill.difficulty, ok))
    return asked, {name for name, status in known.items() if status == "validated"}


def fixed_order(skills: list[Skill], length: int) -> list[Skill]:
    """The same questions for everybody: round-robin over tubes, easiest first."""
    by_tube = defaultdict(list)
    for skill in sorted(skills, key=lambda s: s.difficulty):
        by_tube[skill.tube].append(skill)
    order = []
    while len(order) < length and any(by_tube.values()):
        for tube in sorted(by_tube):
            if by_tube[tube] and len(order) < length:
                order.append(by_tube[tube].pop(0))
    return order


def main(count: int, profile_id: str) -> None:
    profile, caps, skills, challenges = load_profile(profile_id)
    competences = sorted({s.competence for s in skills})
    rng = random.Random(SEED)
    learners = [{code: rng.randint(0, max(caps.values())) for code in competences} for _ in range(count)]
    results = {"adaptatif": [], "exhaustif": [], "fixe": []}
    lengths = {"adaptatif": [], "exhaustif": [], "fixe": []}
    for index, levels in enumerate(learners):
        true = truth(skills, caps, levels)
        asked, validated = run_with_inference(random.Random(index), skills, challenges, levels, seed=index + 1)
        results["adaptatif"].append((estimate(skills, validated), true))
        lengths["adaptatif"].append(asked)
        answer_rng = random.Random(10_000 + index)
        validated = {
            s.name
            for s in skills
            if answers_right(answer_rng, levels[s.competence], s.difficulty, challenges[s.name][0])
        }
        results["exhaustif"].append((estimate(skills, validated), true))
        lengths["exhaustif"].append(len(skills))
    fixed_length = round(statistics.mean(lengths["adaptatif"]))
    order = fixed_order(skills, fixed_length)
    for index, levels in enumerate(learners):
        asked, validated = run_with_inference(random.Random(20_000 + index), skills, challenges, levels, order=order)
        results["fixe"].append((estimate(skills, validated), truth(skills, caps, levels)))
        lengths["fixe"].append(asked)

    print(f"Parcours « {profile['name']} » : {len(skills)} acquis, {len(caps)} sujets, {len(competences)} compétences")
    print(f"{count} élèves simulés (graine {SEED})")
    print(f"{'test':<10} {'questions':>10} {'exact':>8} {'écart moyen':>12}")
    accuracy = {}
    for name, pairs in results.items():
        exact = [est[c] == tru[c] for est, tru in pairs for c in tru]
        errors = [abs(est[c] - tru[c]) for est, tru in pairs for c in tru]
        accuracy[name] = sum(exact) / len(exact)
        print(
            f"{name:<10} {statistics.mean(lengths[name]):>10.1f} {accuracy[name]:>7.1%} "
            f"{statistics.mean(errors):>12.3f}"
        )
    share = statistics.mean(lengths["adaptatif"]) / len(skills)
    tubes = len({s.tube for s in skills})
    print(
        f"plancher d'un test qui renseigne chaque sujet (au moins une question par sujet, l'inférence ne passant "
        f"pas d'un sujet à l'autre) : {tubes} questions, {tubes / len(skills):.0%} de l'exhaustif"
    )
    ratio = accuracy["adaptatif"] / accuracy["exhaustif"]
    verdict = (
        "OK"
        if ratio >= 0.9 and share <= 0.35 and accuracy["adaptatif"] > accuracy["fixe"]
        else "EN DESSOUS DE L'OBJECTIF"
    )
    print(
        f"adaptatif / exhaustif : précision {ratio:.0%} avec {share:.0%} des questions ; "
        f"adaptatif {'>' if accuracy['adaptatif'] > accuracy['fixe'] else '<='} fixe — {verdict}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, sys.argv[2] if len(sys.argv) > 2 else "rentree-2nde-gt")
