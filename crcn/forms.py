"""Reading a learner's answer from a submitted form, in the shape the answer checker expects."""

from __future__ import annotations

from typing import Any

from crcn.answers import SKIP_VALUE
from crcn.models import Challenge


def raw_value_from_form(challenge: Challenge, data) -> Any:
    """QCU "2", QCM "1,3", QROC the text, QROCM {key: text}; "Je passe" gives the skip value.

    ``data`` is a QueryDict (or anything with ``get``/``getlist``).
    """
    if data.get("skip"):
        return SKIP_VALUE
    if challenge.type == Challenge.Type.QCU:
        return (data.get("answer") or "").strip()
    if challenge.type == Challenge.Type.QCM:
        return ",".join(sorted(v for v in data.getlist("answer") if v.strip().isdigit()))
    if challenge.type == Challenge.Type.QROC:
        return (data.get("answer") or "")[:500]
    return {field["key"]: (data.get(f"field-{field['key']}") or "")[:500] for field in challenge.fields}
