"""The pure algorithm: inference, no repeats, stop condition, determinism, level estimate, scoring."""

from assessments.algorithm.knowledge import Skill, knowledge_for_answer
from assessments.algorithm.scoring import competence_score, mastery_rate, profile, reached_stage_index
from assessments.algorithm.smart_random import Candidate, estimated_level, hash_int, next_challenge

TUBE_A = [Skill(f"@a{level}", "@a", level, 2.0, "1.1") for level in range(1, 7)]
TUBE_B = [Skill(f"@b{level}", "@b", level, 2.0, "1.1") for level in range(1, 5)]


def candidates(skills=TUBE_A + TUBE_B, answered=()):
    return [Candidate(s, tuple(c for c in (f"ch-{s.name}-a", f"ch-{s.name}-b") if c not in answered)) for s in skills]


def test_a_right_answer_validates_the_skill_and_the_easier_ones_of_its_tube():
    new = knowledge_for_answer(skill=TUBE_A[3], is_ok=True, target_skills=TUBE_A + TUBE_B, known={})
    assert {(k.skill, k.status, k.source) for k in new} == {
        ("@a4", "validated", "direct"),
        ("@a1", "validated", "inferred"),
        ("@a2", "validated", "inferred"),
        ("@a3", "validated", "inferred"),
    }
    assert all(k.earned_pix == 2.0 for k in new)


def test_a_wrong_answer_invalidates_the_skill_and_the_harder_ones_only():
    new = knowledge_for_answer(skill=TUBE_A[2], is_ok=False, target_skills=TUBE_A + TUBE_B, known={"@a5": "validated"})
    assert {(k.skill, k.status) for k in new} == {
        ("@a3", "invalidated"),
        ("@a4", "invalidated"),
        ("@a6", "invalidated"),
    }
    assert all(k.earned_pix == 0 for k in new)


def test_a_known_or_untargeted_skill_teaches_nothing():
    assert knowledge_for_answer(skill=TUBE_A[0], is_ok=True, target_skills=TUBE_A, known={"@a1": "invalidated"}) == []
    assert knowledge_for_answer(skill=TUBE_B[0], is_ok=True, target_skills=TUBE_A, known={}) == []


def test_the_first_question_is_at_level_two_on_easy_tubes_first():
    choice = next_challenge(candidates=candidates(), known={}, direct=[], answered_count=0, seed=42)
    assert choice.candidates == ["@a2", "@b2"]  # tube b tops at 4 (> 3): neither tube is "easy", level 2 comes first
    easy = [Skill(f"@c{level}", "@c", level) for level in range(1, 4)]
    choice = next_challenge(candidates=candidates(TUBE_A + easy), known={}, direct=[], answered_count=0, seed=42)
    assert choice.skill.name == "@c2"


def test_a_known_skill_is_never_asked_again():
    known = {s.name: "validated" for s in TUBE_A + TUBE_B if s.difficulty <= 3}
    for seed in range(30):
        choice = next_challenge(candidates=candidates(), known=known, direct=[(3, True)], answered_count=3, seed=seed)
        assert choice is None or choice.skill.name not in known


def test_an_answered_challenge_is_never_shown_again():
    answered = {"ch-@a2-a", "ch-@a2-b"}
    for seed in range(20):
        choice = next_challenge(
            candidates=candidates(answered=answered), known={}, direct=[], answered_count=2, seed=seed
        )
        assert choice.challenge_id not in answered


def test_the_test_stops_when_nothing_is_left_to_learn():
    known = {s.name: "validated" for s in TUBE_A + TUBE_B}
    assert next_challenge(candidates=candidates(), known=known, direct=[(6, True)], answered_count=9, seed=1) is None


def test_skills_far_above_the_estimate_are_not_asked():
    known = {"@a1": "invalidated", "@a2": "invalidated", "@b1": "invalidated"}
    for name in ("@a3", "@a4", "@a5", "@a6", "@b2", "@b3", "@b4"):
        known[name] = "invalidated"
    assert (
        next_challenge(candidates=candidates(), known=known, direct=[(1, False), (1, False)], answered_count=2, seed=3)
        is None
    )


def test_the_choice_is_deterministic_for_a_seed():
    picks = {
        next_challenge(candidates=candidates(), known={}, direct=[(2, True)], answered_count=1, seed=7).challenge_id
        for _ in range(5)
    }
    assert len(picks) == 1


def test_the_level_estimate_follows_the_answers():
    assert estimated_level([]) < estimated_level([(4, True), (5, True)])
    assert estimated_level([(2, False), (1, False)]) < estimated_level([])


def test_scoring_constants():
    score = competence_score("1.1", [2.0] * 9, max_level=5)
    assert (score.pix, score.level, score.pix_before_next_level) == (18, 2, 6)
    capped = competence_score("1.1", [4.0] * 20, max_level=5)
    assert (capped.pix, capped.level, capped.pix_before_next_level) == (40, 5, None)
    _scores, total, certifiable = profile(
        {"1.1": [8.0], "1.2": [8.0], "2.1": [8.0], "3.1": [8.0]}, ["1.1", "1.2", "2.1", "3.1", "4.1"], max_level=5
    )
    assert total == 32 and not certifiable
    _, _, certifiable = profile(
        {c: [8.0] for c in ["1.1", "1.2", "2.1", "3.1", "4.1"]}, ["1.1", "1.2", "2.1", "3.1", "4.1"], max_level=5
    )
    assert certifiable


def test_mastery_and_stages():
    assert mastery_rate(7, 20) == 0.35 and mastery_rate(0, 0) == 0.0
    assert reached_stage_index([0, 30, 60, 85], 59) == 1 and reached_stage_index([0, 30, 60, 85], 85) == 3


def test_the_pick_hash_is_the_hash_int_package_of_pix():
    # hash-int 1.0.0 (Thomas Wang's 7-shift hash, unsigned 32 bits), by hand for 1:
    # 1 − (1 << 6) → 0xFFFFFFC1; ^ >>> 17 → 0xFFFF803E; − << 9 → 0x00FF043E; ^ << 4 → 0x0F0F47DE;
    # − << 3 → 0x969508EE; ^ << 10 → 0xC2B6B0EE; ^ >>> 15 → 0xC2B73583 = 3266786691
    assert hash_int(1) == 3266786691
    # and as the package prints them under node
    assert [hash_int(seed) for seed in (2, 42, 43, 123456)] == [3910079064, 3941539072, 1012745614, 3814185224]
    assert hash_int(2**32 + 1) == hash_int(1)  # JavaScript's ``x | 0`` keeps the low 32 bits


def test_the_skill_is_picked_with_the_hash_of_the_seed_and_the_challenge_with_the_hash_of_the_next_one():
    level_two = [Skill(f"@{tube}2", f"@{tube}", 2) for tube in "xyz"]
    pool = [Candidate(s, (f"ch-{s.name}-a", f"ch-{s.name}-b")) for s in level_two]

    choice = next_challenge(candidates=pool, known={}, direct=[], answered_count=0, seed=42)

    assert hash_int(42) % 3 == 1 and hash_int(43) % 2 == 0
    assert (choice.skill.name, choice.challenge_id) == ("@y2", "ch-@y2-a")


def test_validated_challenges_are_asked_before_archived_ones_which_keep_a_skill_playable():
    skill = Skill("@x2", "@x", 2)
    for seed in range(10):
        choice = next_challenge(
            candidates=[Candidate(skill, ("validated",), archived_ids=("old-1", "old-2"))],
            known={},
            direct=[],
            answered_count=0,
            seed=seed,
        )
        assert choice.challenge_id == "validated"
    only_archived = [Candidate(skill, (), archived_ids=("old-1", "old-2"))]
    choice = next_challenge(candidates=only_archived, known={}, direct=[], answered_count=0, seed=1)
    assert choice.challenge_id in {"old-1", "old-2"}


def test_after_a_timed_question_the_next_one_is_not_timed_while_an_untimed_one_remains():
    timed = [Candidate(s, (f"ch-{s.name}",), timed=True) for s in TUBE_A]
    untimed = [Candidate(s, (f"ch-{s.name}",)) for s in TUBE_B]
    for seed in range(10):
        choice = next_challenge(
            candidates=timed + untimed,
            known={},
            direct=[(2, True)],
            answered_count=1,
            last_challenge_timed=True,
            seed=seed,
        )
        assert choice.skill.tube == "@b"
    choice = next_challenge(candidates=timed, known={}, direct=[(2, True)], answered_count=1, last_challenge_timed=True)
    assert choice is not None and choice.skill.tube == "@a"  # only timed ones left: they are asked anyway
