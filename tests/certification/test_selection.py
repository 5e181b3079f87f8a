"""Certification v2 challenge selection (reference pix-algorithms §8.1): pure functions, no database."""

from __future__ import annotations

import random

from certification.selection import ValidatedSkill, select_certification_challenges


def skill(tube: str, level: int, competence="1.1", variants=("a", "b")) -> ValidatedSkill:
    name = f"{tube}{level}"
    return ValidatedSkill(name, tube, level, competence, tuple(f"{name}-{v}" for v in variants))


def select(skills, *, certifiable=("1.1",), answered=(), seed=1, per_competence=3):
    return select_certification_challenges(
        certifiable_competences=list(certifiable),
        validated_skills=skills,
        already_answered=set(answered),
        rng=random.Random(seed),
        per_competence=per_competence,
    )


def skill_names(selected) -> list[str]:
    return [s.skill_name for s in selected]


TUBES = ("@a", "@b", "@c", "@d")
PROFILE = [skill(tube, level) for tube in TUBES for level in range(1, 4)] + [skill("@a", 4), skill("@b", 4)]


def test_it_asks_the_hardest_validated_skills_first():
    assert skill_names(select(PROFILE)) == ["@a4", "@b4", "@c3"]  # then level 3, @c before the used @a


def test_within_a_level_the_tubes_not_asked_yet_come_first():
    skills = [skill("@a", 5), skill("@a", 4), skill("@b", 4), skill("@c", 4), skill("@a", 3)]

    assert skill_names(select(skills)) == ["@a5", "@b4", "@c4"]


def test_a_tube_already_asked_comes_after_the_others_of_the_level():
    skills = [skill("@b", 4), skill("@a", 3), skill("@b", 3), skill("@c", 3)]

    assert skill_names(select(skills)) == ["@b4", "@a3", "@c3"]


def test_it_never_asks_a_challenge_the_candidate_already_answered():
    skills = [skill("@a", 4), skill("@b", 4), skill("@a", 3)]

    selected = select(skills, answered={"@a4-a"})

    assert [s.challenge_id for s in selected if s.skill_name == "@a4"] == ["@a4-b"]


def test_a_skill_whose_every_variant_was_answered_is_skipped_for_the_next_lower_one():
    skills = [skill("@a", 4), skill("@b", 4), skill("@a", 3), skill("@b", 3)]

    selected = select(skills, answered={"@b4-a", "@b4-b"})

    assert skill_names(selected) == ["@a4", "@b3", "@a3"]
    assert not {s.challenge_id for s in selected} & {"@b4-a", "@b4-b"}


def test_answered_variants_are_asked_only_when_the_competence_would_be_short_of_challenges():
    skills = [skill("@a", 4), skill("@b", 4), skill("@a", 3)]

    selected = select(skills, answered={"@b4-a", "@b4-b"})

    assert skill_names(selected) == ["@a4", "@a3", "@b4"]  # the unseen ones first, then the answered @b4
    assert {s.challenge_id for s in selected if s.skill_name == "@b4"} <= {"@b4-a", "@b4-b"}


def test_a_competence_whose_every_variant_was_answered_is_still_tested():
    skills = [skill("@a", 2), skill("@b", 1)]

    selected = select(skills, answered={"@a2-a", "@a2-b", "@b1-a", "@b1-b"})

    assert skill_names(selected) == ["@a2", "@b1"]


def test_a_skill_without_any_challenge_is_skipped():
    skills = [skill("@a", 4, variants=()), skill("@a", 3), skill("@b", 3)]

    assert skill_names(select(skills)) == ["@a3", "@b3"]


def test_a_competence_gets_fewer_than_three_challenges_when_too_few_skills_were_validated():
    skills = [skill("@a", 2), skill("@a", 1, competence="1.2"), skill("@b", 1, competence="1.2")]

    selected = select(skills, certifiable=("1.1", "1.2"))

    assert [(s.competence_code, s.skill_name) for s in selected] == [("1.1", "@a2"), ("1.2", "@a1"), ("1.2", "@b1")]


def test_it_is_the_same_for_the_same_seed_whatever_the_order_of_the_inputs():
    skills = [skill(tube, level, variants=("a", "b", "c")) for tube in TUBES for level in (2, 3)]
    shuffled = [
        ValidatedSkill(s.name, s.tube, s.level, s.competence_code, tuple(reversed(s.challenge_ids)))
        for s in reversed(skills)
    ]

    assert select(skills, seed=7) == select(skills, seed=7) == select(shuffled, seed=7)


def test_the_variant_is_drawn_at_random():
    skills = [skill("@a", 3, variants=("a", "b", "c"))]

    drawn = {select(skills, seed=seed)[0].challenge_id for seed in range(50)}

    assert drawn == {"@a3-a", "@a3-b", "@a3-c"}


def test_competences_that_are_not_certifiable_are_ignored_and_the_course_follows_competence_codes():
    skills = [skill("@x", 3, competence="2.1"), skill("@y", 2, competence="1.3"), skill("@z", 5, competence="4.1")]

    selected = select(skills, certifiable=("2.1", "1.3"))

    assert [(s.competence_code, s.skill_name) for s in selected] == [("1.3", "@y2"), ("2.1", "@x3")]


def test_it_stops_at_the_requested_number_per_competence():
    assert skill_names(select(PROFILE, per_competence=2)) == ["@a4", "@b4"]
    assert len(select(PROFILE, per_competence=5)) == 5
