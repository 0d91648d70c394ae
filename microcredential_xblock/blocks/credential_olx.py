"""OLX for the micro-credential block: every EU element as readable XML, rules as XML elements.

```xml
<microcredential display_name="..." language="en" ects="1" hours="25" eqf_level="5" ...>
  <description>...</description>
  <awarding_body name="..." url="https://..." email="..." country="IT" region="..."/>
  <outcome id="lo-1"><text>...</text><esco>http://data.europa.eu/esco/skill/...</esco></outcome>
  <quality_assurance>...</quality_assurance>
  <image>/static/microvet-badge-....png</image>
  <rules><all><all_outcomes/><min_score value="70" op="&gt;="/><window not_before="2026-01-01"/></all></rules>
</microcredential>
```
Which element is an attribute, which a child element and under which name: ``badge_issuer.elements``
(``olx``, ``olx_child``). The names are the block's field names from before ADR 0017, so OLX exported
then (a data: URI in <image> included) imports unchanged. Export then import gives back exactly the same
definition (tests/test_credential_olx.py). The functions work on plain definitions (the format of
examples/micro-credential.yaml) so they are testable without a runtime. Import only checks the XML's shape
and number syntax; the EU elements and rules are validated by badge_issuer when the block is saved or
checked (``validate()``), so an imported draft is kept, not lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from badge_issuer.elements import ELEMENTS, from_fields, to_fields
from badge_issuer.i18n import gettext_noop

from .olx import OlxError, check_element, format_number, number, sub_element

#: Elements written as attributes of <microcredential>, and as its child elements (with text).
ATTRIBUTES = tuple(e for e in ELEMENTS if e.olx and not e.olx_child and e.parent != "awarding_body")
CHILDREN = tuple(e for e in ELEMENTS if e.olx_child)
AWARDING_BODY = tuple(e for e in ELEMENTS if e.parent == "awarding_body")
#: Elements read from OLX where the author's file has no value (the pre-0017 fields' defaults).
DEFAULTS = {"language": "en"}
NUMBER_LIMIT = 1e9
#: Set by the platform's OLX import/export around the block; they are not block data.
IGNORED_ATTRIBUTES = ("xblock-family", "url_name")
_FLAG_RULES = ("all_outcomes", "course_passed")
_GROUP_RULES = ("all", "any")


def export_definition(definition: Mapping[str, Any], rules: Mapping[str, Any] | None, node: etree._Element) -> None:
    """Write a definition (its title included) and the issuing rules onto ``node`` (a <microcredential>)."""
    values = to_fields(definition)
    for element in ELEMENTS:
        value = values.get(element.field)
        if element in ATTRIBUTES and value not in (None, ""):
            node.set(element.olx, format_number(value) if _is_number(element) else value)
        elif element in CHILDREN and value:
            sub_element(node, element.olx, value)
        elif element is AWARDING_BODY[0] and any(values["awarding_body"].values()):
            child = etree.SubElement(node, "awarding_body")
            for part in AWARDING_BODY:
                if values["awarding_body"].get(part.key):
                    child.set(part.olx, values["awarding_body"][part.key])
        elif element.kind == "outcomes":
            for outcome in value or []:
                child = sub_element(node, "outcome", id=outcome.get("id", ""))
                sub_element(child, "text", outcome.get("text", ""))
                for skill in outcome.get("esco_skills") or []:
                    sub_element(child, "esco", skill)
    if rules:
        sub_element(node, "rules").append(rules_to_xml(rules))


def import_definition(node: etree._Element) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``(definition, rules)`` from a <microcredential> element (rules None where it has none).

    Unknown attributes and elements and bad numbers are errors; the definition's title is there only
    when the element has a ``display_name``.
    """
    here = "microcredential"
    names = [e.olx for e in ATTRIBUTES]
    check_element(
        node, here, (*names, *IGNORED_ATTRIBUTES), (*(e.olx for e in CHILDREN), "awarding_body", "outcome", "rules")
    )
    values: dict[str, Any] = dict(DEFAULTS)
    for element in ATTRIBUTES:
        text = node.get(element.olx)
        if text is not None:
            values[element.field] = (
                _number(text, f"{here}/@{element.olx}", element.kind == "integer") if _is_number(element) else text
            )
    outcomes, rules = [], None
    for child in _elements(node):
        if child.tag == "awarding_body":
            check_element(child, f"{here}/awarding_body", tuple(e.olx for e in AWARDING_BODY))
            values["awarding_body"] = {e.key: child.get(e.olx, "") for e in AWARDING_BODY}
        elif child.tag == "outcome":
            check_element(child, f"{here}/outcome", ("id",), ("text", "esco"))
            outcomes.append(
                {
                    "id": child.get("id", ""),
                    "text": child.findtext("text") or "",
                    "esco_skills": [e.text or "" for e in child.findall("esco")],
                }
            )
        elif child.tag == "rules":
            rule_nodes = _elements(child)
            if len(rule_nodes) != 1:
                raise OlxError(f"{here}/rules", gettext_noop("must contain exactly one rule element"))
            rules = rules_from_xml(rule_nodes[0], f"{here}/rules")
        else:
            values[next(e.field for e in CHILDREN if e.olx == child.tag)] = child.text or ""
    values["learning_outcomes"] = outcomes
    return from_fields(values), rules


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


def _is_number(element: Any) -> bool:
    return element.kind in ("number", "integer")


def _number(text: str, subject: str, integer: bool) -> int | float:
    value = number(text.strip(), subject, low=-NUMBER_LIMIT, high=NUMBER_LIMIT, integer=integer)
    return int(value) if float(value).is_integer() else value
