"""The EU standard elements of a micro-credential (Council Recommendation 2022, Annex I) for pages.

One list, in the Annex's order, serves the course about and certificate pages (what is known before
anyone earns the credential) and the verification page (the award adds learner, date, grade, expiry).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from badge_issuer.definition import Definition
from badge_issuer.vocab import ASSESSMENT_TYPES, PARTICIPATION_FORMS, SUPERVISION

from .models import IssuedCredential

Pair = tuple[str, Any]


def _mandatory(definition: Definition) -> list[Pair]:
    body = definition.awarding_body
    return [
        (_("Title"), definition.title),
        (_("Country and region of the issuer"), ", ".join(filter(None, [body.country, body.region]))),
        (_("Awarding body"), body.name),
        (_("Learning outcomes"), [lo.text for lo in definition.learning_outcomes]),
        (
            _("Notional workload"),
            _("%(ects)s ECTS, %(hours)s hours") % {"ects": definition.ects, "hours": definition.hours},
        ),
        (_("EQF level"), definition.eqf_level),
        (_("Type of assessment"), _(ASSESSMENT_TYPES[definition.assessment_type].label)),
        (_("Form of participation"), _(PARTICIPATION_FORMS[definition.participation].label)),
        (_("Quality assurance"), definition.quality_assurance),
    ]


def _supervision(definition: Definition) -> Pair:
    label = _(SUPERVISION[definition.supervision].label) if definition.supervision else ""
    return _("Supervision and identity verification"), label


def _rows(pairs: list[Pair]) -> list[dict[str, Any]]:
    """Template rows; optional elements without a value are left out."""
    return [
        {"label": str(label), "items": value if isinstance(value, list) else None, "text": value}
        for label, value in pairs
        if value not in ("", None)
    ]


def course_elements(definition: Definition) -> list[dict[str, Any]]:
    """The elements known before an award: for about pages, certificates and the learner dashboard."""
    return _rows(
        [
            *_mandatory(definition),
            (_("Prerequisites"), definition.prerequisites),
            _supervision(definition),
            (_("Integration and stackability"), definition.stackability),
            (_("Further information"), definition.further_information),
        ]
    )


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
    """All elements of one issued credential, as the verification page shows them."""
    mandatory = _mandatory(definition)
    return _rows(
        [
            (_("Learner"), signed_name(row.document) or _("(identified by a hashed e-mail address)")),
            *mandatory[:3],
            (_("Date of issue"), row.issued_at.date().isoformat()),
            *mandatory[3:],
            (_("Prerequisites"), definition.prerequisites),
            _supervision(definition),
            (_("Grade achieved"), f"{row.score_percent:g} %" if row.score_percent is not None else ""),
            (_("Integration and stackability"), definition.stackability),
            (_("Valid until"), row.valid_until.date().isoformat() if row.valid_until else ""),
            (_("Further information"), definition.further_information),
        ]
    )
