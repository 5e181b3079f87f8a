"""Certification v2 scoring (reference pix-algorithms §8.2), pure Python.

1. Only the challenges of the positioned (certifiable) competences count, and each of them must have been
   given at least one challenge (reference §8.2 step 2): otherwise it is a computation error, never a
   silent "not certified".
2. Reproducibility rate = round(100 × correct / answered), both over non-neutralised challenges; a skipped
   or timed-out challenge is answered (and wrong), a challenge never answered is not; 0 when nothing counts.
3. Below 50 % every competence is uncertified (level -1, 0 pix) and the certification is rejected.
4. Otherwise each competence's result comes from the reference table, keyed on (challenges, correct capped
   at 3, neutralised) and on the rate band (≥ 80, 70–79, < 70): kept at the positioning level, one level
   *lower* and 8 pix fewer, or uncertified. Pix counts a QROCM-dep challenge twice when a competence has
   fewer than 3 challenges; our content has no QROCM-dep challenges, so every challenge counts once.
5. Levels are capped at the maximum reachable level, scores at 8 pix per reachable level. The
   certification is rejected when its pix score is 0 (Pix raises a computation error when that happens
   with a rate above 50 %; we reject it, the candidate's result being 0 pix either way).
6. Trust (§8.2 step 9): a certification is "not trustable" when fewer than ceil(0.66 × challenges) of its
   challenges have a non-neutralised answer. Its marks and status are computed as usual; what to do with
   it (Pix: its jury; here: the centre) is decided by the services, not here.

Computation errors are ``CertificationScoringError`` with a French message meant for the centre.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assessments.algorithm.scoring import PIX_PER_LEVEL

CERTIFICATION_CHALLENGES_PER_COMPETENCE = 3
MIN_REPRODUCIBILITY_RATE = 50
TEST_DURATION_MINUTES = 105

UNCERTIFIED_LEVEL = -1
TRUSTED_ANSWERED_SHARE_PERCENT = 66  # reference §8.2.9: "not trustable" below ceil(0.66 × challenges)

STATUS_VALIDATED = "validated"
STATUS_REJECTED = "rejected"
REASON_INSUFFICIENT_CORRECT_ANSWERS = "INSUFFICIENT_CORRECT_ANSWERS"
REASON_LACK_OF_ANSWERS_FOR_TECHNICAL_REASON = "LACK_OF_ANSWERS_FOR_TECHNICAL_REASON"
REASON_NOT_TRUSTABLE = "NOT_TRUSTABLE"
TECHNICAL_ABORT_REASON = "technical"

VALIDATED, DOWNGRADED, UNCERTIFIED = "V", "D", "X"

# (challenges, correct, neutralised) → results for the rate bands (≥ 80, 70–79, < 70), reference §8.2.5.
_RULES: dict[tuple[int, int, int], str] = {
    (3, 3, 0): "VVV",
    (3, 2, 0): "VDD",
    (3, 2, 1): "VVV",
    (3, 1, 0): "XXX",
    (3, 1, 1): "VDX",
    (3, 1, 2): "VVD",
    **{(3, 0, neutralised): "XXX" for neutralised in range(4)},
    (2, 2, 0): "VVV",
    (2, 1, 0): "VDX",
    (2, 1, 1): "VVD",
    **{(2, 0, neutralised): "XXX" for neutralised in range(3)},
    (1, 1, 0): "VVD",
    **{(1, 0, neutralised): "XXX" for neutralised in range(2)},
}


@dataclass(frozen=True)
class CompetencePositioning:
    """The candidate's placement profile for one certifiable competence, at the start of the test."""

    code: str  # "1.1"
    level: int  # estimated level, uncapped (≥ 1 for a certifiable competence)
    pix: int  # pix score of that competence, uncapped


@dataclass(frozen=True)
class ChallengeOutcome:
    """One certification challenge of the course and what became of it."""

    competence_code: str
    result: str | None  # "ok", "ko", "aband" (skipped), "timedout", or None = never answered
    is_neutralized: bool = False


@dataclass(frozen=True)
class CompetenceMark:
    code: str
    level: int  # UNCERTIFIED_LEVEL (-1) = not certified
    score: int  # pix kept for that competence


@dataclass(frozen=True)
class CertificationScore:
    status: str  # "validated" | "rejected"
    pix_score: int
    reproducibility_rate: int  # 0..100
    marks: tuple[CompetenceMark, ...]  # one per positioned competence, ordered by code
    reason: str | None  # None, or one of the REASON_* codes
    answered: int = 0  # challenges of the tested competences with a non-neutralised answer
    challenges: int = 0  # challenges of the tested competences

    @property
    def is_trustable(self) -> bool:
        return self.answered >= trusted_answers_needed(self.challenges)


class CertificationScoringError(Exception):
    """The course does not fit the rules of the reference: the certification needs a human look."""


COMPETENCE_WITHOUT_CHALLENGE = "La compétence {code} fait partie du test mais aucune question ne lui a été posée."
MISSING_LEVEL_RULE = (
    "Aucune règle de la table de référence ne correspond à la compétence {code} "
    "({challenges} questions, {correct} réussies, {neutralised} neutralisée{s})."
)


def _is_correct(outcome: ChallengeOutcome) -> bool:
    return outcome.result == "ok" and not outcome.is_neutralized


def _counts(outcome: ChallengeOutcome) -> bool:
    return outcome.result is not None and not outcome.is_neutralized


def reproducibility_rate(outcomes: Sequence[ChallengeOutcome]) -> int:
    """Percentage of right answers among answered, non-neutralised challenges, rounded half up as Pix does."""
    answered = sum(1 for o in outcomes if _counts(o))
    if not answered:
        return 0
    correct = sum(1 for o in outcomes if _is_correct(o))
    return (200 * correct + answered) // (2 * answered)  # floor(100 × correct / answered + 0.5), no float


def _band(rate: int) -> int:
    if rate >= 80:
        return 0
    return 1 if rate >= 70 else 2


def _competence_mark(
    positioning: CompetencePositioning, outcomes: Sequence[ChallengeOutcome], *, rate: int, max_level: int
) -> CompetenceMark:
    correct = sum(1 for o in outcomes if _is_correct(o))
    neutralised = sum(1 for o in outcomes if o.is_neutralized)
    rule = _RULES.get((len(outcomes), min(correct, CERTIFICATION_CHALLENGES_PER_COMPETENCE), neutralised))
    if rule is None:
        raise CertificationScoringError(
            MISSING_LEVEL_RULE.format(
                code=positioning.code,
                challenges=len(outcomes),
                correct=correct,
                neutralised=neutralised,
                s="s" if neutralised > 1 else "",
            )
        )
    result = rule[_band(rate)]
    if result == UNCERTIFIED:
        return CompetenceMark(positioning.code, UNCERTIFIED_LEVEL, 0)
    level, score = positioning.level, positioning.pix
    if result == DOWNGRADED:
        level, score = level - 1, score - PIX_PER_LEVEL
    return CompetenceMark(positioning.code, min(level, max_level), min(score, max_level * PIX_PER_LEVEL))


def _code_key(code: str) -> tuple[int, ...] | tuple[str]:
    parts = code.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else (code,)


def trusted_answers_needed(challenges: int) -> int:
    """Fewest non-neutralised answers for a result to be trustable: ceil(0.66 × challenges), no float."""
    return -(-TRUSTED_ANSWERED_SHARE_PERCENT * challenges // 100)


def score_certification(
    *,
    positioning: Sequence[CompetencePositioning],
    outcomes: Sequence[ChallengeOutcome],
    max_level: int,
    abort_reason: str | None = None,
) -> CertificationScore:
    """Marks, pix score and status of one certification v2 from its positioning and its challenges.

    ``reason`` follows the order of Pix's result builder (§8.2.9): NOT_TRUSTABLE first — fewer than
    ceil(0.66 × challenges) non-neutralised challenges were answered —, then the two rejections under 50 %.
    A not-trustable certification keeps its computed marks and status: Pix only flags it for the jury
    (the result is built from the same score), and dropping marks here would decide in the jury's place.
    """
    positioned = sorted(positioning, key=lambda p: _code_key(p.code))
    codes = {p.code for p in positioned}
    tested = [o for o in outcomes if o.competence_code in codes]
    by_competence: dict[str, list[ChallengeOutcome]] = {code: [] for code in codes}
    for outcome in tested:
        by_competence[outcome.competence_code].append(outcome)
    for p in positioned:
        if not by_competence[p.code]:
            raise CertificationScoringError(COMPETENCE_WITHOUT_CHALLENGE.format(code=p.code))
    rate = reproducibility_rate(tested)

    if rate < MIN_REPRODUCIBILITY_RATE:
        marks = tuple(CompetenceMark(p.code, UNCERTIFIED_LEVEL, 0) for p in positioned)
    else:
        marks = tuple(_competence_mark(p, by_competence[p.code], rate=rate, max_level=max_level) for p in positioned)

    pix_score = sum(m.score for m in marks)
    status = STATUS_REJECTED if rate < MIN_REPRODUCIBILITY_RATE or pix_score == 0 else STATUS_VALIDATED
    answered = sum(1 for o in tested if _counts(o))
    reason = None
    if answered < trusted_answers_needed(len(tested)):
        reason = REASON_NOT_TRUSTABLE
    elif rate < MIN_REPRODUCIBILITY_RATE:
        technical = abort_reason == TECHNICAL_ABORT_REASON
        reason = REASON_LACK_OF_ANSWERS_FOR_TECHNICAL_REASON if technical else REASON_INSUFFICIENT_CORRECT_ANSWERS
    return CertificationScore(status, pix_score, rate, marks, reason, answered=answered, challenges=len(tested))
