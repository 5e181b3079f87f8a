"""Certification v2 scoring (reference pix-algorithms §8.2): pure functions, no database."""

from __future__ import annotations

import math

import pytest

from certification.scoring import (
    CertificationScoringError,
    ChallengeOutcome,
    CompetenceMark,
    CompetencePositioning,
    reproducibility_rate,
    score_certification,
)

TESTED = CompetencePositioning("1.1", level=3, pix=28)
FILLER_CODES = [f"{area}.{n}" for area in range(2, 6) for n in range(1, 5)]


def ok(code="1.1", neutralized=False):
    return ChallengeOutcome(code, "ok", neutralized)


def ko(code="1.1", neutralized=False):
    return ChallengeOutcome(code, "ko", neutralized)


def competence(challenges: int, correct: int, neutralised: int, code="1.1") -> list[ChallengeOutcome]:
    """A competence's outcomes: ``neutralised`` answered-wrong neutralised, then ``correct`` ok, the rest ko."""
    wrong = challenges - correct - neutralised
    return [ko(code, neutralized=True)] * neutralised + [ok(code)] * correct + [ko(code)] * wrong


def at_rate(tested: list[ChallengeOutcome], rate: int) -> tuple[list[CompetencePositioning], list[ChallengeOutcome]]:
    """Add right/wrong answers in other competences (3 by competence) so the whole test's rate is ``rate``."""
    correct = sum(1 for o in tested if o.result == "ok" and not o.is_neutralized)
    answered = sum(1 for o in tested if not o.is_neutralized)

    def rate_with(good: int, bad: int) -> int:
        total = answered + good + bad
        return math.floor(100 * (correct + good) / total + 0.5) if total else 0

    extra_ok, extra_ko = min(((g, b) for g in range(60) for b in range(60) if rate_with(g, b) == rate), key=sum)
    filler = ["ok"] * extra_ok + ["ko"] * extra_ko
    positioning, outcomes = [TESTED], list(tested)
    for index in range(0, len(filler), 3):
        code = FILLER_CODES[index // 3]
        positioning.append(CompetencePositioning(code, level=2, pix=20))
        outcomes += [ChallengeOutcome(code, result) for result in filler[index : index + 3]]
    assert reproducibility_rate(outcomes) == rate
    return positioning, outcomes


def mark_of(score, code="1.1") -> CompetenceMark:
    return next(m for m in score.marks if m.code == code)


# (challenges, correct, neutralised) → result in the bands rate ≥ 80, 70 ≤ rate < 80, rate < 70.
TABLE = [
    (3, 3, 0, "VVV"),
    (3, 2, 0, "VDD"),
    (3, 2, 1, "VVV"),
    (3, 1, 0, "XXX"),
    (3, 1, 1, "VDX"),
    (3, 1, 2, "VVD"),
    *[(3, 0, neutralised, "XXX") for neutralised in range(4)],
    (2, 2, 0, "VVV"),
    (2, 1, 0, "VDX"),
    (2, 1, 1, "VVD"),
    *[(2, 0, neutralised, "XXX") for neutralised in range(3)],
    (1, 1, 0, "VVD"),
    *[(1, 0, neutralised, "XXX") for neutralised in range(2)],
]
BAND_RATES = (90, 75, 60)
EXPECTED_MARK = {
    "V": CompetenceMark("1.1", 3, 28),  # kept at the positioning level
    "D": CompetenceMark("1.1", 2, 20),  # one level lower, 8 pix fewer
    "X": CompetenceMark("1.1", -1, 0),  # not certified
}


@pytest.mark.parametrize(
    ("challenges", "correct", "neutralised", "rate", "expected"),
    [
        pytest.param(c, k, n, rate, results[band], id=f"{c}q-{k}ok-{n}neutr-{rate}%")
        for c, k, n, results in TABLE
        for band, rate in enumerate(BAND_RATES)
    ],
)
def test_each_competence_follows_the_reference_table(challenges, correct, neutralised, rate, expected):
    positioning, outcomes = at_rate(competence(challenges, correct, neutralised), rate)

    score = score_certification(positioning=positioning, outcomes=outcomes, max_level=5)

    assert score.reproducibility_rate == rate
    assert mark_of(score) == EXPECTED_MARK[expected]


@pytest.mark.parametrize(
    ("tested", "rate", "expected"),
    [
        pytest.param((3, 2, 0), 80, "V", id="80 %: two right out of three is kept"),
        pytest.param((3, 2, 0), 79, "D", id="79 %: two right out of three is one level lower"),
        pytest.param((3, 1, 1), 70, "D", id="70 %: one right, one neutralised is one level lower"),
        pytest.param((3, 1, 1), 69, "X", id="69 %: one right, one neutralised is not certified"),
    ],
)
def test_the_rate_bands_start_at_80_and_70_percent(tested, rate, expected):
    positioning, outcomes = at_rate(competence(*tested), rate)

    score = score_certification(positioning=positioning, outcomes=outcomes, max_level=5)

    assert mark_of(score) == EXPECTED_MARK[expected]


def test_at_exactly_50_percent_the_certification_is_scored():
    positioning, outcomes = at_rate(competence(3, 3, 0), 50)

    score = score_certification(positioning=positioning, outcomes=outcomes, max_level=5)

    assert score.status == "validated"
    assert score.reason is None
    assert mark_of(score) == EXPECTED_MARK["V"]


def test_under_50_percent_every_competence_is_uncertified_and_the_certification_rejected():
    positioning, outcomes = at_rate(competence(3, 3, 0), 49)

    score = score_certification(positioning=positioning, outcomes=outcomes, max_level=5)

    assert score.reproducibility_rate == 49
    assert score.status == "rejected"
    assert score.reason == "INSUFFICIENT_CORRECT_ANSWERS"
    assert score.pix_score == 0
    assert all(m.level == -1 and m.score == 0 for m in score.marks)
    assert len(score.marks) == len(positioning)


def test_under_50_percent_after_a_technical_abort_the_reason_says_so():
    positioning, outcomes = at_rate(competence(3, 1, 0), 33)

    technical = score_certification(positioning=positioning, outcomes=outcomes, max_level=5, abort_reason="technical")
    candidate = score_certification(positioning=positioning, outcomes=outcomes, max_level=5, abort_reason="candidate")

    assert (technical.status, technical.reason) == ("rejected", "LACK_OF_ANSWERS_FOR_TECHNICAL_REASON")
    assert (candidate.status, candidate.reason) == ("rejected", "INSUFFICIENT_CORRECT_ANSWERS")


def test_the_rate_is_rounded_half_up():
    half = [ok()] + [ko()] * 7  # 12.5 %
    two_thirds = [ok(), ok(), ko()]  # 66.67 %
    just_under_half = [ok()] * 99 + [ko()] * 101  # 49.5 %

    assert reproducibility_rate(half) == 13
    assert reproducibility_rate(two_thirds) == 67
    assert reproducibility_rate(just_under_half) == 50


def test_the_rate_ignores_neutralised_and_unanswered_challenges_but_counts_skipped_and_timed_out_ones_as_wrong():
    outcomes = [
        ok(),
        ok(),
        ok(neutralized=True),  # a neutralised right answer is not counted at all
        ko(neutralized=True),
        ChallengeOutcome("1.1", None),  # never answered
        ChallengeOutcome("1.1", "aband"),
        ChallengeOutcome("1.1", "timedout"),
    ]

    assert reproducibility_rate(outcomes) == 50  # 2 right out of 4 answered
    assert reproducibility_rate([]) == 0
    assert reproducibility_rate([ko(neutralized=True)]) == 0


def test_a_neutralised_question_turns_a_downgrade_into_a_kept_level():
    positioning, plain = at_rate(competence(3, 2, 0), 75)
    positioning_n, neutralised = at_rate(competence(3, 2, 1), 75)

    without = score_certification(positioning=positioning, outcomes=plain, max_level=5)
    with_neutralised = score_certification(positioning=positioning_n, outcomes=neutralised, max_level=5)

    assert mark_of(without) == EXPECTED_MARK["D"]
    assert mark_of(with_neutralised) == EXPECTED_MARK["V"]


def test_answers_of_a_competence_that_is_not_positioned_are_ignored():
    score = score_certification(positioning=[TESTED], outcomes=[ok(), ok(), ko(), *[ko("2.1")] * 9], max_level=5)

    assert score.reproducibility_rate == 67
    assert score.marks == (CompetenceMark("1.1", 2, 20),)


@pytest.mark.parametrize(
    ("max_level", "expected"),
    [
        pytest.param(5, CompetenceMark("1.1", 5, 40), id="max level 5: level 5, 40 pix"),
        pytest.param(6, CompetenceMark("1.1", 6, 48), id="max level 6: level 6, 48 pix"),
    ],
)
def test_levels_and_pix_are_capped_at_the_maximum_reachable_level(max_level, expected):
    positioning = [CompetencePositioning("1.1", level=7, pix=59)]

    score = score_certification(positioning=positioning, outcomes=competence(3, 3, 0), max_level=max_level)

    assert score.marks == (expected,)
    assert score.pix_score == expected.score


def test_a_downgrade_is_applied_before_the_cap():
    positioning = [CompetencePositioning("1.1", level=6, pix=50)]

    score = score_certification(positioning=positioning, outcomes=competence(3, 2, 0), max_level=6)

    assert score.marks == (CompetenceMark("1.1", 5, 42),)  # 67 %: one level lower, then under the cap


def test_the_certification_is_rejected_when_no_pix_is_kept():
    positioning = [CompetencePositioning(code, level=1, pix=8) for code in ("1.1", "1.2", "2.1", "3.1", "4.1")]
    outcomes = [o for p in positioning for o in competence(3, 2, 0, p.code)]  # 67 %: every level 1 drops to 0

    score = score_certification(positioning=positioning, outcomes=outcomes, max_level=5)

    assert score.reproducibility_rate == 67
    assert all(m == CompetenceMark(m.code, 0, 0) for m in score.marks)
    assert (score.status, score.pix_score, score.reason) == ("rejected", 0, None)


def test_the_pix_score_is_the_sum_of_the_marks_ordered_by_competence_code():
    positioning = [CompetencePositioning("2.1", 4, 35), CompetencePositioning("1.2", 2, 17), TESTED]
    outcomes = [o for p in positioning for o in competence(3, 3, 0, p.code)]

    score = score_certification(positioning=positioning, outcomes=outcomes, max_level=5)

    assert [m.code for m in score.marks] == ["1.1", "1.2", "2.1"]
    assert (score.status, score.pix_score, score.reproducibility_rate) == ("validated", 28 + 17 + 35, 100)


@pytest.mark.parametrize("rate", [100, 0], ids=["scored", "under-50"])
def test_a_competence_tested_without_any_challenge_is_a_computation_error(rate):
    """Reference §8.2 step 2: each tested competence must have at least one challenge — not a silent -1."""
    positioning = [TESTED, CompetencePositioning("1.2", 2, 17)]
    outcomes = competence(3, 3, 0) if rate else competence(3, 0, 0)

    with pytest.raises(CertificationScoringError) as error:
        score_certification(positioning=positioning, outcomes=outcomes, max_level=5)

    assert str(error.value) == "La compétence 1.2 fait partie du test mais aucune question ne lui a été posée."


def test_too_few_answered_questions_make_the_certification_not_trustable_but_keep_its_marks():
    positioning = [CompetencePositioning(code, 3, 28) for code in ("1.1", "1.2", "1.3", "2.1", "2.2")]
    unanswered = [ChallengeOutcome(code, None) for code in ("2.1", "2.2") for _ in range(3)]
    answered_9 = [ok(code) for code in ("1.1", "1.2", "1.3") for _ in range(3)]  # 9 < ceil(0.66 × 15) = 10

    score = score_certification(positioning=positioning, outcomes=answered_9 + unanswered, max_level=5)
    trusted = score_certification(
        positioning=positioning, outcomes=[*answered_9, ok("2.1"), *unanswered[1:]], max_level=5
    )

    assert score.reason == "NOT_TRUSTABLE"
    assert (score.status, score.pix_score, score.reproducibility_rate) == ("validated", 3 * 28, 100)
    assert [m.level for m in score.marks] == [3, 3, 3, -1, -1]
    assert trusted.reason is None


def test_a_neutralised_question_does_not_count_as_answered_for_trust():
    positioning = [TESTED]
    outcomes = [ok(), ko(neutralized=True), ko(neutralized=True)]  # 1 < ceil(0.66 × 3) = 2

    score = score_certification(positioning=positioning, outcomes=outcomes, max_level=5)

    assert score.reason == "NOT_TRUSTABLE"
    assert mark_of(score) == EXPECTED_MARK["V"]  # (3, 1, 2) at 100 %


def test_a_combination_missing_from_the_table_is_an_error():
    with pytest.raises(CertificationScoringError) as error:
        score_certification(positioning=[TESTED], outcomes=[ok()] * 4, max_level=5)

    assert str(error.value) == (
        "Aucune règle de la table de référence ne correspond à la compétence 1.1 "
        "(4 questions, 4 réussies, 0 neutralisée)."
    )
