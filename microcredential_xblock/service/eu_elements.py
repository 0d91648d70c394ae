"""The EU standard elements of a micro-credential (Council Recommendation 2022, Annex I) for pages.

One list, in the Annex's order, serves the course about and certificate pages (what is known before
anyone earns the credential) and the verification page (the award adds learner, date, grade, expiry).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from badge_issuer.definition import Definition
from badge_issuer.elements import ELEMENTS, Element

from .models import IssuedCredential

Pair = tuple[str, Any]
#: The elements pages list, in the Annex's order; the grade is an award's (the score), not the definition's.
PAGE_ELEMENTS = sorted((e for e in ELEMENTS if e.annex and e.path != "grading.pass_mark"), key=lambda e: e.annex)


def _text(definition: Definition, element: Element) -> Any:
    """An element's value as the pages write it (a list for the learning outcomes)."""
    value = definition.value(element)
    if element.kind == "outcomes":
        return [outcome["text"] for outcome in value]
    if element.kind == "choice":
        return _(element.options[value].label) if value else ""
    if element.path == "awarding_body.country":
        return ", ".join(filter(None, [value, definition.awarding_body.region]))
    if element.path == "workload.ects":
        return _("%(ects)s ECTS, %(hours)s hours") % {"ects": definition.ects, "hours": definition.hours}
    return value


def _elements(definition: Definition, award: list[tuple[float, Pair]] = ()) -> list[Pair]:
    """(heading, value) of every element, with an award's own pairs at their places in the Annex's order."""
    pairs = [(e.annex, (_(e.heading), _text(definition, e))) for e in PAGE_ELEMENTS]
    return [pair for _place, pair in sorted([*pairs, *award], key=lambda item: item[0])]


def _rows(pairs: list[Pair]) -> list[dict[str, Any]]:
    """Template rows; optional elements without a value are left out."""
    return [
        {"label": str(label), "items": value if isinstance(value, list) else None, "text": value}
        for label, value in pairs
        if value not in ("", None)
    ]


def course_elements(definition: Definition) -> list[dict[str, Any]]:
    """The elements known before an award: for about pages, certificates and the learner dashboard."""
    return _rows(_elements(definition))


def signed_name(document: Mapping[str, Any]) -> str:
    """The learner's name as the signed credential carries it (an unhashed ``name`` identity), or "".

    Public pages show the learner only as the credential does: the stored ``recipient_name`` is staff
    data for re-issue and is never shown (with INCLUDE_NAME off the credential names nobody).
    """
    subject = document.get("credentialSubject")
    for identity in (subject.get("identifier") or ()) if isinstance(subject, Mapping) else ():
        if isinstance(identity, Mapping) and identity.get("identityType") == "name" and not identity.get("hashed"):
            return str(identity.get("identityHash", ""))
    return ""


def award_elements(row: IssuedCredential, definition: Definition) -> list[dict[str, Any]]:
    """All elements of one issued credential, as the verification page shows them (Annex places of the
    award's own: 1 the learner, 5 the date of issue, 14 the grade; the validity after stackability)."""
    return _rows(
        _elements(
            definition,
            [
                (1, (_("Learner"), signed_name(row.document) or _("(identified by a hashed e-mail address)"))),
                (5, (_("Date of issue"), row.issued_at.date().isoformat())),
                (14, (_("Grade achieved"), f"{row.score_percent:g} %" if row.score_percent is not None else "")),
                (15.5, (_("Valid until"), row.valid_until.date().isoformat() if row.valid_until else "")),
            ],
        )
    )
