"""The CSV files a school opens in a spreadsheet: campaign results, class credential sheets, certification results.

All of them: UTF-8 with a BOM (spreadsheets then read the accents right), ``;`` separator (French
spreadsheets), and every text someone typed — names, classes, external ids, comments — passed through
``formula_guarded`` so that a cell starting with = + - @ tab or CR is shown, never run as a formula.

Two ways of writing cells, kept so that every file reads as it always did: campaign exports follow Pix's
format (``cell``: text always quoted, ``NA``, ``Oui``/``Non``, comma decimals; SQL twins in
``campaigns.exports``), the other sheets let the csv module quote only where needed (``csv_text``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def formula_guarded(text: str) -> str:
    """``text`` with an apostrophe in front when a spreadsheet would read it as a formula."""
    return f"'{text}" if text and text.startswith(FORMULA_PREFIXES) else text


def cell(value) -> str:
    """One CSV value as Pix writes it: numbers with a comma and unquoted, text quoted and guarded, NA, Oui/Non."""
    if value is None:
        return '"NA"'
    if isinstance(value, bool):
        return '"Oui"' if value else '"Non"'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        number = f"{float(value):.2f}".rstrip("0").rstrip(".")
        return number.replace(".", ",")
    text = str(value)
    if text.isascii() and text.isdigit():
        return text
    return '"' + formula_guarded(text).replace('"', '""') + '"'


def csv_line(values: Iterable) -> str:
    """One line of a campaign export, its values written by ``cell``."""
    return ";".join(cell(v) for v in values) + "\r\n"


def csv_text(rows: Iterable[Iterable]) -> str:
    """A whole sheet, BOM first; the caller guards the cells people typed (a "-" it writes itself stays a "-")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return BOM + buffer.getvalue()
