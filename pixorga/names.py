"""How people's names are compared (reference §2.3): the one folding behind generated usernames, the
learners' search and reconciliation, so « Lætitia » is « laetitia » everywhere.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that are not a base letter plus accents, so that decomposing leaves them as they are.
_SPELLED_OUT = str.maketrans(
    {"æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ŀ": "l", "þ": "th", "ı": "i", "ħ": "h"}
)
_NOT_LETTER_OR_DIGIT = re.compile(r"[^a-z0-9]")


def fold_name(text: str) -> str:
    """Lower case, ligatures spelled out (æ→ae, œ→oe, ß→ss), accents removed; spaces and punctuation kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_SPELLED_OUT)


def name_key(text: str) -> str:
    """The folded name with letters and digits only: « Jean-Éric » and « jean eric » are one name."""
    return _NOT_LETTER_OR_DIGIT.sub("", fold_name(text))
