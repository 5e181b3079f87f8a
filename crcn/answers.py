"""Answer checking: one pure function shared by the test engine, the content loader and the preview page.

Rules (PRODUCT.md §3, reference pix-algorithms §1.5–1.6):
- ``#ABAND#`` is a skip ("Je passe"); it never counts as right.
- QCU: the 1-based number of the single right proposal.
- QCM: the set of right proposals, order and spaces do not matter, all and only those.
- QROC: the text is normalised (surrounding and inner spaces, case, accents, typographic quotes and
  dashes, a final full stop) and compared with every accepted answer; when the challenge allows it,
  a small typing slip (Levenshtein distance ≤ 25 % of the expected length) is forgiven.
- QROCM: every field is checked like a QROC against its own accepted answers.

No Django import here: the algorithm benches and the content validator call it directly.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, Literal

SKIP_VALUE = "#ABAND#"
LEVENSHTEIN_DISTANCE_MAX_RATE = 0.25

AnswerResult = Literal["ok", "ko", "skipped"]

CHALLENGE_TYPES = ("QCU", "QCM", "QROC", "QROCM")

_QUOTES_AND_DASHES = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00ab": '"',
        "\u00bb": '"',
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u0153": "oe",
        "\u0152": "oe",
        "\u00e6": "ae",
        "\u00c6": "ae",
    }
)
_WHITESPACE = re.compile(r"\s+")


def normalize_free_text(text: str) -> str:
    """Reduce a typed answer to what matters: letters, digits and meaningful punctuation.

    Students type on phones with auto-capitalisation, autocorrected apostrophes and stray spaces;
    none of that should turn a right answer into a wrong one.
    """
    text = text.translate(_QUOTES_AND_DASHES)
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = without_accents.casefold()
    compact = _WHITESPACE.sub("", folded)
    return compact.rstrip(".")


def levenshtein_distance(a: str, b: str) -> int:
    """Classic edit distance (insertions, deletions, substitutions), two rows of memory."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (char_a != char_b),
                )
            )
        previous = current
    return previous[-1]


def free_text_matches(value: str, accepted: Sequence[str], *, typo_tolerance: bool = False) -> bool:
    """True when ``value`` is one of ``accepted`` once both are normalised."""
    typed = normalize_free_text(value)
    if not typed:
        return False
    for expected in accepted:
        wanted = normalize_free_text(str(expected))
        if typed == wanted:
            return True
        close_enough = (
            typo_tolerance
            and len(wanted) >= 4
            and levenshtein_distance(typed, wanted) / len(wanted) <= LEVENSHTEIN_DISTANCE_MAX_RATE
        )
        if close_enough:
            return True
    return False


def _parse_choice_numbers(value: str) -> list[int] | None:
    parts = [p for p in re.split(r"[,;\s]+", value.strip()) if p]
    if not parts or not all(p.isdigit() for p in parts):
        return None
    return [int(p) for p in parts]


def _as_field_values(raw_value: Any) -> Mapping[str, Any] | None:
    if isinstance(raw_value, Mapping):
        return raw_value
    if isinstance(raw_value, str):
        try:
            decoded = json.loads(raw_value)
        except ValueError:
            return None
        if isinstance(decoded, Mapping):
            return decoded
    return None


def check_answer(
    *,
    challenge_type: str,
    solution: Any,
    raw_value: Any,
    proposals_count: int | None = None,
    typo_tolerance: bool = False,
) -> AnswerResult:
    """Say whether ``raw_value`` answers a challenge right.

    ``solution`` is what the content file states: an int (QCU), a list of ints (QCM), a list of
    accepted texts (QROC) or a mapping field key → list of accepted texts (QROCM).
    Malformed input is a wrong answer, never an exception: a learner cannot crash the test.
    """
    if isinstance(raw_value, str) and raw_value.strip() == SKIP_VALUE:
        return "skipped"
    if challenge_type == "QCU":
        if not isinstance(raw_value, str | int):
            return "ko"
        numbers = _parse_choice_numbers(str(raw_value))
        return "ok" if numbers is not None and numbers == [int(solution)] else "ko"
    if challenge_type == "QCM":
        if not isinstance(raw_value, str):
            return "ko"
        numbers = _parse_choice_numbers(raw_value)
        if numbers is None or len(set(numbers)) != len(numbers):
            return "ko"
        if proposals_count is not None and any(n < 1 or n > proposals_count for n in numbers):
            return "ko"
        return "ok" if set(numbers) == {int(n) for n in solution} else "ko"
    if challenge_type == "QROC":
        if not isinstance(raw_value, str):
            return "ko"
        return "ok" if free_text_matches(raw_value, solution, typo_tolerance=typo_tolerance) else "ko"
    if challenge_type == "QROCM":
        values = _as_field_values(raw_value)
        if values is None:
            return "ko"
        for key, accepted in solution.items():
            typed = values.get(key)
            if not isinstance(typed, str):
                return "ko"
            if not free_text_matches(typed, accepted, typo_tolerance=typo_tolerance):
                return "ko"
        return "ok"
    raise ValueError(f"Type d'épreuve inconnu : {challenge_type!r}")
