"""OLX for the micro-credential block: every EU element as readable XML, rules as XML elements.

```xml
<microcredential display_name="..." language="en" eqf_level="5" ects="1" hours="25" ...>
  <description>...</description>
  <awarding_body name="..." url="https://..." country="IT" region="..." email="..."/>
  <outcome id="lo-1"><text>...</text><esco>http://data.europa.eu/esco/skill/...</esco></outcome>
  <quality_assurance>...</quality_assurance>
  <rules><all><all_outcomes/><min_score value="70" op="&gt;="/><window not_before="2026-01-01"/></all></rules>
</microcredential>
```
Export then import gives back exactly the same field values (tests/test_credential_olx.py).
The functions work on plain dicts of field values so they are testable without a runtime. Import only
checks the XML's shape and number syntax; the EU elements and rules are validated by badge_issuer when
the block is saved or checked (``validate()``), so an imported draft is kept, not lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from badge_issuer.i18n import gettext_noop

from .olx import OlxError, check_element, format_number, number, sub_element

#: Short values kept as attributes of <microcredential>, in this order.
ATTRIBUTES = (
    "display_name",
    "achievement_id",
    "language",
    "version",
    "eqf_level",
    "nqf_level",
    "ects",
    "hours",
    "assessment_type",
    "participation",
    "supervision",
    "pass_mark",
    "valid_for_days",
)
#: Prose kept as child elements (readable, and free of attribute escaping), in this order.
ELEMENTS = (
    "description",
    "field_of_study",
    "quality_assurance",
    "prerequisites",
    "stackability",
    "further_information",
    "image",
)
#: Numeric attributes: True for whole numbers. Ranges are badge_issuer's job; this only bounds the syntax.
NUMBERS = {"eqf_level": True, "valid_for_days": True, "ects": False, "hours": False, "pass_mark": False}
NUMBER_LIMIT = 1e9
AWARDING_BODY_KEYS = ("name", "url", "email", "country", "region")
_FLAG_RULES = ("all_outcomes", "course_passed")
_GROUP_RULES = ("all", "any")


def export_fields(values: Mapping[str, Any], node: etree._Element) -> None:
    """Write the block's field ``values`` onto ``node`` (a <microcredential> element)."""
    for key in ATTRIBUTES:
        if values.get(key) not in (None, ""):
            node.set(key, format_number(values[key]) if key in NUMBERS else values[key])
    for key in ELEMENTS[:3]:
        _child_text(node, key, values.get(key))
    body = values.get("awarding_body") or {}
    if any(body.get(k) for k in AWARDING_BODY_KEYS):
        element = etree.SubElement(node, "awarding_body")
        for key in AWARDING_BODY_KEYS:
            if body.get(key):
                element.set(key, body[key])
    for outcome in values.get("learning_outcomes") or []:
        element = sub_element(node, "outcome", id=outcome.get("id", ""))
        sub_element(element, "text", outcome.get("text", ""))
        for skill in outcome.get("esco_skills") or []:
            sub_element(element, "esco", skill)
    for key in ELEMENTS[3:]:
        _child_text(node, key, values.get(key))
    if values.get("rules"):
        sub_element(node, "rules").append(rules_to_xml(values["rules"]))


def import_fields(node: etree._Element) -> dict[str, Any]:
    """Read field values from a <microcredential> element; unknown elements and bad numbers are errors."""
    here = "microcredential"
    check_element(
        node, here, (*ATTRIBUTES, "xblock-family", "url_name"), (*ELEMENTS, "awarding_body", "outcome", "rules")
    )
    values: dict[str, Any] = {}
    for key in ATTRIBUTES:
        text = node.get(key)
        if text is not None:
            values[key] = _number(text, f"{here}/@{key}", NUMBERS[key]) if key in NUMBERS else text
    outcomes = []
    for child in _elements(node):
        if child.tag in ELEMENTS:
            values[child.tag] = child.text or ""
        elif child.tag == "awarding_body":
            check_element(child, f"{here}/awarding_body", AWARDING_BODY_KEYS)
            values["awarding_body"] = {k: child.get(k, "") for k in AWARDING_BODY_KEYS}
        elif child.tag == "outcome":
            check_element(child, f"{here}/outcome", ("id",), ("text", "esco"))
            outcomes.append(
                {
                    "id": child.get("id", ""),
                    "text": child.findtext("text") or "",
                    "esco_skills": [e.text or "" for e in child.findall("esco")],
                }
            )
        else:
            rule_nodes = _elements(child)
            if len(rule_nodes) != 1:
                raise OlxError(f"{here}/rules", gettext_noop("must contain exactly one rule element"))
            values["rules"] = rules_from_xml(rule_nodes[0], f"{here}/rules")
    if outcomes:
        values["learning_outcomes"] = outcomes
    return values


def rules_to_xml(rule: Mapping[str, Any]) -> etree._Element:
    """One rule node of ``badge_issuer.rules`` as an XML element of the same name."""
    ((kind, value),) = rule.items()
    element = etree.Element(kind)
    if kind in _GROUP_RULES:
        for child in value:
            element.append(rules_to_xml(child))
    elif kind == "min_score":
        element.set("value", format_number(value["value"]))
        if "op" in value:
            element.set("op", value["op"])
    elif kind == "window":
        for key, bound in value.items():
            element.set(key, bound)
    elif kind == "assessments_completed":
        for name in value:
            sub_element(element, "assessment", name)
    return element


def rules_from_xml(element: etree._Element, path: str = "rules") -> dict[str, Any]:
    """The inverse of ``rules_to_xml``; the rule tree is validated later by badge_issuer.rules."""
    kind, here = element.tag, f"{path}/{element.tag}"
    if kind in _GROUP_RULES:
        return {kind: [rules_from_xml(child, here) for child in _elements(element)]}
    if kind in _FLAG_RULES:
        return {kind: True}
    if kind == "min_score":
        value: dict[str, Any] = {"value": _number(element.get("value", ""), f"{here}/@value", False)}
        if element.get("op") is not None:
            value["op"] = element.get("op")
        return {kind: value}
    if kind == "window":
        return {kind: dict(element.attrib)}
    if kind == "assessments_completed":
        return {kind: [child.text or "" for child in _elements(element)]}
    raise OlxError(here, gettext_noop("unknown rule element"))


def _elements(node: etree._Element) -> list[etree._Element]:
    return [child for child in node if isinstance(child.tag, str)]


def _child_text(node: etree._Element, tag: str, text: str | None) -> None:
    if text:
        sub_element(node, tag, text)


def _number(text: str, subject: str, integer: bool) -> int | float:
    value = number(text.strip(), subject, low=-NUMBER_LIMIT, high=NUMBER_LIMIT, integer=integer)
    return int(value) if float(value).is_integer() else value
