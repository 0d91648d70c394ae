"""CSV exports that a spreadsheet opens safely (OWASP "CSV injection"); used by every export."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator

#: What a spreadsheet may take as the start of a formula, after it skips leading blanks and line breaks.
FORMULA_START = frozenset("=+-@|")
_LEADING_BLANKS = re.compile(r"^[\s\x00-\x1f\x7f]+")


def neutralise(value: str) -> str:
    """``value`` as text a spreadsheet shows as typed: a leading apostrophe before anything it could run.

    Spreadsheets skip leading spaces and line breaks and read full-width signs (U+FF1D, U+FF0B) as
    ASCII ones, so the test looks at the NFKC form with those stripped.
    """
    head = _LEADING_BLANKS.sub("", unicodedata.normalize("NFKC", value))[:1]
    return "'" + value if head in FORMULA_START or value[:1] in ("\t", "\r") else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    """CSV text line by line (for a streaming response), every cell neutralised."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])
