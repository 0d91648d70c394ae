"""The one declaration of a micro-credential's elements (Council Recommendation 2022, Annex I).

Every element of the definition format (examples/micro-credential.yaml) is declared once here: its
path in a definition, its type and limits, its labels, where it lives in OLX and which credential
property carries it. The definition parser (``definition.py``), the Studio editor and its template,
the OLX reader/writer, the learner's card, the course pages (``service/eu_elements.py``), the course
generator and the tests read this list instead of naming the elements themselves. Framework-free:
labels are only marked for translation (``_`` is ``gettext_noop``, as in vocab.py); the upper floor
translates them when it shows them.

Labels (English msgids, translated by the catalogs):

- ``heading``: the element's name as Annex I names it, for pages that list the elements (course about
  and verification pages, ``course_templates/olx_template/labels.yaml``); empty for elements that are
  not Annex I elements of their own.
- ``form_label``: the editor's field label (with the hints an author needs).
- ``card_label``: the learner card's short label, where the card shows the element on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .i18n import gettext_noop as _
from .vocab import ASSESSMENT_TYPES, PARTICIPATION_FORMS, SUPERVISION

TITLE_MAX = 255
OUTCOME_ID_MAX = 64
ECTS_MAX = 180  # a micro-credential is a "small volume of learning"; 180 ECTS is a whole bachelor
HOURS_MAX = 5400  # 180 ECTS x 30 hours
VALID_FOR_DAYS_MAX = 36500  # 100 years; also keeps datetime arithmetic in range
RESULT_TYPES = ("Percent",)

#: Element kinds, each validated by ``definition.py``: text (one line when ``single_line``), an https
#: IRI, a number or integer in ``[low, high]``, a choice from ``options``, a BCP 47 language tag, an
#: ISO 3166-1 alpha-2 country, an e-mail address, the badge image, the list of learning outcomes.
KINDS = ("text", "iri", "number", "integer", "choice", "language", "country", "email", "image", "outcomes")


@dataclass(frozen=True)
class Element:
    """One element of a micro-credential definition."""

    #: Path in the definition format: ``eqf_level``, ``awarding_body.country``, ``workload.ects``.
    path: str
    kind: str
    required: bool = False
    #: Editor form key, and the name of the block field that held it before ADR 0017 (legacy courses).
    form: str = ""
    #: OLX: the attribute (``olx_child`` False) or child element of <microcredential> (or of
    #: <awarding_body> for the awarding body's parts); empty where OLX has a structure of its own.
    olx: str = ""
    olx_child: bool = False
    #: The OB 3.0 credential property that carries it (a path in the issued credential).
    credential: str = ""
    #: Place in Annex I: 1-11 the mandatory elements' numbers, 12-16 the optional ones in the Annex's
    #: order (prerequisites, supervision, grade, stackability, further information); None: not an element
    #: of its own there (shown with another, or not on the element pages).
    annex: int | None = None
    heading: str = ""
    form_label: str = ""
    card_label: str = ""
    #: A hint under the editor's input.
    hint: str = ""
    #: Editor fieldset; ``short`` for narrow inputs; ``widget``: line, prose or select.
    group: str = ""
    widget: str = "line"
    short: bool = False
    # Validation limits.
    max_len: int | None = None
    single_line: bool = False
    low: float = 0
    high: float = 0
    low_inclusive: bool = True
    options: Mapping[str, Any] | None = None
    fragment: bool = True

    @property
    def key(self) -> str:
        """The last part of the path (the key inside its mapping)."""
        return self.path.rpartition(".")[2]

    @property
    def parent(self) -> str:
        """The mapping the element sits in ("" at the top level)."""
        return self.path.rpartition(".")[0]

    @property
    def field(self) -> str:
        """The editor form key (the path where none is declared)."""
        return self.form or self.path


# Editor fieldsets, in the editor's order.
GENERAL = _("The micro-credential")
AWARDING_BODY = _("Awarding body")
WORKLOAD = _("Workload and level")
ASSESSMENT = _("Assessment and quality")
GROUPS = (GENERAL, AWARDING_BODY, WORKLOAD, ASSESSMENT)

_ACHIEVEMENT = "credentialSubject.achievement"

#: Every element, in the editor's (and the Annex's, where it can) order.
ELEMENTS: tuple[Element, ...] = (
    Element(
        "title",
        "text",
        True,
        form="display_name",
        olx="display_name",
        credential=f"{_ACHIEVEMENT}.name",
        annex=2,
        heading=_("Title"),
        form_label=_("Title"),
        group=GENERAL,
        max_len=TITLE_MAX,
        single_line=True,
    ),
    Element(
        "description",
        "text",
        True,
        olx="description",
        olx_child=True,
        credential=f"{_ACHIEVEMENT}.description",
        form_label=_("Description"),
        group=GENERAL,
        widget="prose",
    ),
    Element(
        "id",
        "iri",
        True,
        form="achievement_id",
        olx="achievement_id",
        credential=f"{_ACHIEVEMENT}.id",
        form_label=_("Identifier (https URL, optional)"),
        hint=_("Leave empty to use a stable identifier made for this course."),
        group=GENERAL,
        fragment=False,
    ),
    Element(
        "language",
        "language",
        True,
        olx="language",
        credential=f"{_ACHIEVEMENT}.inLanguage",
        form_label=_("Language (e.g. en, it, pt-BR)"),
        group=GENERAL,
        short=True,
    ),
    Element(
        "version",
        "text",
        olx="version",
        credential=f"{_ACHIEVEMENT}.version",
        form_label=_("Version"),
        group=GENERAL,
        short=True,
        single_line=True,
    ),
    Element(
        "field_of_study",
        "text",
        olx="field_of_study",
        olx_child=True,
        credential=f"{_ACHIEVEMENT}.fieldOfStudy",
        form_label=_("Field of study"),
        group=GENERAL,
        single_line=True,
    ),
    Element(
        "awarding_body.name",
        "text",
        True,
        olx="name",
        credential="issuer.name",
        annex=4,
        heading=_("Awarding body"),
        form_label=_("Name"),
        card_label=_("Awarded by"),
        group=AWARDING_BODY,
        max_len=TITLE_MAX,
        single_line=True,
    ),
    Element(
        "awarding_body.url",
        "iri",
        True,
        olx="url",
        credential="issuer.url",
        form_label=_("Web site (https URL)"),
        group=AWARDING_BODY,
    ),
    Element(
        "awarding_body.email",
        "email",
        olx="email",
        credential="issuer.email",
        form_label=_("Contact e-mail (optional)"),
        group=AWARDING_BODY,
    ),
    Element(
        "awarding_body.country",
        "country",
        True,
        olx="country",
        credential="issuer.address.addressCountryCode",
        annex=3,
        heading=_("Country and region of the issuer"),
        form_label=_("Country (ISO code, e.g. IT)"),
        group=AWARDING_BODY,
        short=True,
    ),
    Element(
        "awarding_body.region",
        "text",
        olx="region",
        credential="issuer.address.addressRegion",
        form_label=_("Region (optional)"),
        group=AWARDING_BODY,
        single_line=True,
    ),
    Element(
        "learning_outcomes",
        "outcomes",
        True,
        credential=f"{_ACHIEVEMENT}.learningOutcome",
        annex=6,
        heading=_("Learning outcomes"),
        form_label=_("Learning outcomes"),
        card_label=_("Learning outcomes"),
    ),
    Element(
        "workload.ects",
        "number",
        True,
        form="ects",
        olx="ects",
        credential=f"{_ACHIEVEMENT}.ectsCredits",
        annex=7,
        heading=_("Notional workload"),
        form_label=_("ECTS credits"),
        card_label=_("Workload"),
        group=WORKLOAD,
        short=True,
        low=0,
        high=ECTS_MAX,
    ),
    Element(
        "workload.hours",
        "number",
        True,
        form="hours",
        olx="hours",
        credential=f"{_ACHIEVEMENT}.volumeOfLearning",
        form_label=_("Hours of learning"),
        group=WORKLOAD,
        short=True,
        low=0,
        high=HOURS_MAX,
        low_inclusive=False,
    ),
    Element(
        "eqf_level",
        "integer",
        True,
        olx="eqf_level",
        credential=f"{_ACHIEVEMENT}.eqfLevel",
        annex=8,
        heading=_("EQF level"),
        form_label=_("EQF level (1-8)"),
        card_label=_("Level"),
        group=WORKLOAD,
        short=True,
        low=1,
        high=8,
    ),
    Element(
        "nqf_level",
        "text",
        olx="nqf_level",
        credential=f"{_ACHIEVEMENT}.nqfLevel",
        form_label=_("National qualifications framework level (optional)"),
        group=WORKLOAD,
        single_line=True,
    ),
    Element(
        "assessment_type",
        "choice",
        True,
        olx="assessment_type",
        credential=f"{_ACHIEVEMENT}.assessmentType",
        annex=9,
        heading=_("Type of assessment"),
        form_label=_("Type of assessment"),
        card_label=_("Assessment"),
        group=ASSESSMENT,
        widget="select",
        options=ASSESSMENT_TYPES,
    ),
    Element(
        "participation",
        "choice",
        True,
        olx="participation",
        credential=f"{_ACHIEVEMENT}.learningMode",
        annex=10,
        heading=_("Form of participation"),
        form_label=_("Form of participation"),
        card_label=_("Participation"),
        group=ASSESSMENT,
        widget="select",
        options=PARTICIPATION_FORMS,
    ),
    Element(
        "supervision",
        "choice",
        olx="supervision",
        credential=f"{_ACHIEVEMENT}.idVerification",
        annex=13,
        heading=_("Supervision and identity verification"),
        form_label=_("Supervision and identity verification (optional)"),
        card_label=_("Supervision and identity check"),
        group=ASSESSMENT,
        widget="select",
        options=SUPERVISION,
    ),
    Element(
        "quality_assurance",
        "text",
        True,
        olx="quality_assurance",
        olx_child=True,
        credential=f"{_ACHIEVEMENT}.qualityAssurance",
        annex=11,
        heading=_("Quality assurance"),
        form_label=_("Type of quality assurance"),
        card_label=_("Quality assurance"),
        group=ASSESSMENT,
        widget="prose",
    ),
    Element(
        "grading.pass_mark",
        "number",
        True,
        form="pass_mark",
        olx="pass_mark",
        credential=f"{_ACHIEVEMENT}.resultDescription.requiredValue",
        annex=14,
        heading=_("Grade achieved"),
        form_label=_("Pass mark in % (optional, shown as the grade)"),
        group=ASSESSMENT,
        short=True,
        low=0,
        high=100,
    ),
    Element(
        "grading.result_type",
        "choice",
        True,
        credential=f"{_ACHIEVEMENT}.resultDescription.resultType",
        options=dict.fromkeys(RESULT_TYPES),
    ),
    Element(
        "prerequisites",
        "text",
        olx="prerequisites",
        olx_child=True,
        credential=f"{_ACHIEVEMENT}.entryRequirement",
        annex=12,
        heading=_("Prerequisites"),
        form_label=_("Prerequisites (optional)"),
        card_label=_("Prerequisites"),
        group=ASSESSMENT,
        widget="prose",
    ),
    Element(
        "stackability",
        "text",
        olx="stackability",
        olx_child=True,
        credential=f"{_ACHIEVEMENT}.integrationStackability",
        annex=15,
        heading=_("Integration and stackability"),
        form_label=_("Stackability (optional)"),
        card_label=_("Stackability"),
        group=ASSESSMENT,
        widget="prose",
    ),
    Element(
        "further_information",
        "text",
        olx="further_information",
        olx_child=True,
        credential=f"{_ACHIEVEMENT}.furtherInformation",
        annex=16,
        heading=_("Further information"),
        form_label=_("Further information (https URL, optional)"),
        card_label=_("More information"),
        group=ASSESSMENT,
    ),
    Element(
        "valid_for_days",
        "integer",
        olx="valid_for_days",
        credential="validUntil",
        form_label=_("Credential valid for (days, optional)"),
        group=ASSESSMENT,
        short=True,
        low=1,
        high=VALID_FOR_DAYS_MAX,
    ),
    Element(
        "image",
        "image",
        olx="image",
        olx_child=True,
        credential=f"{_ACHIEVEMENT}.image.id",
        form_label=_("Badge image"),
    ),
)

#: Element by path.
BY_PATH: dict[str, Element] = {element.path: element for element in ELEMENTS}

#: Mappings that group elements, and whether a definition must have them.
MAPPINGS: dict[str, bool] = {"awarding_body": True, "workload": True, "grading": False}

#: Elements holding one plain value at the top level (text, number or choice): copied as they are.
SCALARS: tuple[Element, ...] = tuple(e for e in ELEMENTS if not e.parent and e.kind != "outcomes")

#: Keys of each outcome in ``learning_outcomes``.
OUTCOME_KEYS = ("id", "text", "esco_skills")


def children(parent: str) -> tuple[Element, ...]:
    """The elements inside the mapping ``parent`` ("" for the top level)."""
    return tuple(e for e in ELEMENTS if e.parent == parent)


def get(definition: Mapping[str, Any], element: Element) -> Any:
    """The element's value in a definition (None where it or its mapping is absent)."""
    container: Any = definition.get(element.parent) if element.parent else definition
    return container.get(element.key) if isinstance(container, Mapping) else None


def put(definition: dict[str, Any], element: Element, value: Any) -> None:
    """Set the element's value in a definition, creating its mapping; "" and None are left out."""
    if value in ("", None):
        return
    target = definition.setdefault(element.parent, {}) if element.parent else definition
    target[element.key] = value


def from_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """A definition from values named by form key: the editor's form, the OLX attributes and the block
    fields of courses authored before ADR 0017 all name the elements so. The required mappings are
    always there, so a missing part is reported as that part (``awarding_body.name``), not as the mapping.
    """
    definition: dict[str, Any] = {parent: {} for parent, required in MAPPINGS.items() if required}
    body = values.get("awarding_body") or {}
    for element in ELEMENTS:
        if element.kind == "outcomes":
            put(definition, element, [_outcome(item) for item in values.get(element.path) or []])
        elif element.olx or element.form:
            put(
                definition,
                element,
                body.get(element.key) if element.parent == "awarding_body" else values.get(element.field),
            )
    if "grading" in definition:
        definition["grading"].setdefault("result_type", RESULT_TYPES[0])
    return definition


def to_fields(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of ``from_fields``: values named by form key (the awarding body as one mapping)."""
    values: dict[str, Any] = {"awarding_body": {}}
    for element in ELEMENTS:
        value = get(definition, element)
        if element.kind == "outcomes":
            values[element.path] = [_outcome(item) for item in value or []]
        elif element.parent == "awarding_body":
            values["awarding_body"][element.key] = value if value is not None else ""
        elif element.olx or element.form:
            values[element.field] = value
    return values


def _outcome(item: Mapping[str, Any]) -> dict[str, Any]:
    outcome = {"id": item.get("id", ""), "text": item.get("text", "")}
    if item.get("esco_skills"):
        outcome["esco_skills"] = list(item["esco_skills"])
    return outcome
