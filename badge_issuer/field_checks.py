"""Field checks over one ``Problems``: text, IRI, number, choice and mapping, each returning the cleaned value.

Used by the definition parser (``definition.py``), which adds what is its own (outcomes, image, the
text kinds of the EU elements). Every reason is a constant msgid marked for the catalogs with named
%-params for what is code (field names, limits, the value given): the interface translates, then fills.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .elements import Element
from .i18n import gettext_noop as _
from .problems import Problems

# Characters that may not appear in an IRI (RFC 3987) and would break N-Quads serialisation.
IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`\x00-\x1f\x7f]')
# Text that cannot be encoded as UTF-8 (lone surrogates) or would be invisible in a wallet.
_BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

#: Why a value is refused: a msgid and its params.
Reason = tuple[str, dict[str, Any]]


class FieldChecks:
    """Field checks over one ``Problems``; each check returns the cleaned value or None."""

    def __init__(self) -> None:
        self.problems = Problems()

    def fail(self, path: str, reason: str | Reason, **params: Any) -> None:
        """Record a problem: a msgid and its params, or the ``Reason`` a check returned."""
        msgid, params = reason if isinstance(reason, tuple) else (reason, params)
        self.problems.add(path, msgid, **params)

    def text(
        self,
        data: Mapping,
        key: str,
        path: str,
        *,
        required: bool = True,
        max_len: int | None = None,
        single_line: bool = False,
    ) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(path, _("is required"))
            return ""
        if not isinstance(value, str):
            self.fail(path, not_of_type("text", value))
            return ""
        value = value.strip()
        if not value:
            if required:
                self.fail(path, _("must not be empty"))
            return ""
        if _BAD_TEXT.search(value):
            # Translators: surrogates are UTF-16 code points U+D800 to U+DFFF, not text on their own.
            self.fail(path, _("must not contain control characters or unpaired surrogates"))
            return ""
        if single_line and any(c in value for c in "\n\r\t\u2028\u2029"):
            self.fail(path, _("must be a single line (names and labels are shown as headings)"))
            return ""
        if max_len is not None and len(value) > max_len:
            self.fail(
                path, _("must be at most %(limit)d characters (got %(length)d)"), limit=max_len, length=len(value)
            )
            return ""
        return value

    def iri(self, data: Mapping, key: str, path: str, *, required: bool = True, fragment: bool = True) -> str:
        value = self.text(data, key, path, required=required)
        if value and (reason := https_url_problem(value, fragment=fragment)):
            self.fail(path, reason)
            return ""
        return value

    def number(self, data: Mapping, element: Element) -> Any:
        value, path, low, high = data.get(element.key), element.path, element.low, element.high
        integer = element.kind == "integer"
        rule = _NUMBER_RULES[integer, element.low_inclusive]
        if value is None:
            if element.required:
                self.fail(path, _("is required"))
            return None
        ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
        if (
            isinstance(value, bool)
            or not ok_type
            or not math.isfinite(value)
            or value > high
            or value < low
            or (value == low and not element.low_inclusive)
        ):
            self.fail(path, rule, low=_num(low), high=_num(high))
            return None
        return abs(value) if value == 0 else value  # -0.0 would print as "-0 ECTS"

    def choice(self, data: Mapping, key: str, path: str, options: Mapping, *, required: bool = True) -> str:
        value = self.text(data, key, path, required=required)
        if value and value not in options:
            self.fail(
                path, _("must be one of %(options)s (got %(value)s)"), options=", ".join(options), value=repr(value)
            )
            return ""
        return value

    def mapping(self, data: Mapping, key: str, path: str, *, required: bool = True) -> Mapping | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(path, _("is required"))
            return None
        if not isinstance(value, Mapping):
            self.fail(path, not_of_type("mapping", value))
            return None
        return value

    def unknown(self, data: Mapping, allowed: set[str], prefix: str) -> None:
        for key in data:
            if key not in allowed:
                self.fail(
                    f"{prefix}{key}", _("unknown field; allowed: %(allowed)s"), allowed=", ".join(sorted(allowed))
                )


def https_url_problem(value: str, *, fragment: bool = True) -> Reason | None:
    """Why ``value`` is not an absolute https URL usable as a JSON-LD IRI, or None if it is."""
    if IRI_FORBIDDEN.search(value):
        return _('must be an https URL without spaces or characters such as <>"{}|\\^`'), {}
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        return _("is not a valid URL (%(detail)s)"), {"detail": str(exc)}
    if parts.scheme != "https" or not parts.hostname:
        return _("must be an absolute https:// URL"), {}
    if not fragment and parts.fragment:
        return _("must not contain a fragment (#...): the credential appends its own"), {}
    return None


#: The number rules by (integer, the lower bound included).
_NUMBER_RULES = {
    (True, True): _("must be an integer from %(low)s to %(high)s"),
    (False, True): _("must be a number from %(low)s to %(high)s"),
    (True, False): _("must be an integer greater than %(low)s and at most %(high)s"),
    (False, False): _("must be a number greater than %(low)s and at most %(high)s"),
}
#: A value of the wrong type, by what was expected and what YAML or JSON made of it (an unquoted 1.0 is a number).
_NOT = {
    ("text", bool): _("must be text, not true/false (quote it in YAML)"),
    ("text", int): _("must be text, not a number (quote it in YAML)"),
    ("text", float): _("must be text, not a number (quote it in YAML)"),
    ("text", list): _("must be text, not a list"),
    # Translators: a mapping is YAML's structure of "key: value" lines (an object in JSON).
    ("text", dict): _("must be text, not a mapping"),
    # Translators: a mapping is YAML's structure of "key: value" lines (an object in JSON).
    ("mapping", bool): _("must be a mapping, not true/false"),
    ("mapping", int): _("must be a mapping, not a number"),
    ("mapping", float): _("must be a mapping, not a number"),
    ("mapping", list): _("must be a mapping, not a list"),
    ("mapping", str): _("must be a mapping, not text"),
}
_NOT_OTHER = {
    # Translators: %(type)s is the name of a Python type, such as date or datetime.
    "text": _("must be text, not a %(type)s value (quote it in YAML)"),
    # Translators: %(type)s is the name of a Python type, such as date or datetime.
    "mapping": _("must be a mapping, not a %(type)s value"),
}


def not_of_type(expected: str, value: Any) -> Reason:
    """Why ``value`` is not of the ``expected`` type ("text" or "mapping")."""
    reason = _NOT.get((expected, type(value)))
    return (reason, {}) if reason else (_NOT_OTHER[expected], {"type": type(value).__name__})


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
