"""What the micro-credential block shows, from a definition: the learner card's facts and the editor's inputs.

Plain functions of a definition (the format of examples/micro-credential.yaml) and a gettext, so the
block stays thin; labels and the order of the elements come from ``badge_issuer.elements``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from django.utils.formats import number_format

from badge_issuer.elements import ELEMENTS, GROUPS, Element, get, to_fields

from .editor import FORM_ELEMENTS

Gettext = Callable[[str], str]
#: Rows of the editor's text areas.
_PROSE_ROWS = {"description": 3}


def linkedin_url(
    *, name: str, organization: str, issued: str, cert_url: str, cert_id: str, expires: str | None = None
) -> str:
    """LinkedIn's "Add to profile" link for a certification; ``issued``/``expires`` are ISO 8601 dates."""
    params = [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", name),
        ("organizationName", organization),
        ("issueYear", issued[:4]),
        ("issueMonth", str(int(issued[5:7]))),
    ]
    if expires:
        params += [("expirationYear", expires[:4]), ("expirationMonth", str(int(expires[5:7])))]
    params += [("certUrl", cert_url), ("certId", cert_id)]
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


def number(value: float) -> str:
    """A number as people write it in the active language: ``1`` not ``1.0``, ``0,5`` in Italian."""
    return number_format(int(value) if float(value).is_integer() else value)


def choice_label(element: Element, key: Any, _: Gettext) -> str:
    """The translated label of a value chosen from an element's list ("" for an unknown value)."""
    options = element.options or {}
    return _(options[key].label) if key in options and options[key] is not None else ""


def value_labels(definition: Mapping[str, Any], _: Gettext) -> dict[str, str]:
    """Translated labels of the EU value lists chosen by the author (for the mobile apps)."""
    return {e.path: choice_label(e, get(definition, e), _) for e in ELEMENTS if e.kind == "choice" and e.card_label}


def _awarded_by(definition: Mapping[str, Any], name: str, _: Gettext) -> str:
    body = definition.get("awarding_body") or {}
    where = ", ".join(filter(None, (body.get("region"), body.get("country")))) if body.get("country") else ""
    return f"{name} ({where})" if where else name


def _level(definition: Mapping[str, Any], level: Any, _: Gettext) -> str:
    text = _("EQF level %(level)s") % {"level": level}
    return f"{text}, {definition['nqf_level']}" if definition.get("nqf_level") else text


def _workload(definition: Mapping[str, Any], ects: Any, _: Gettext) -> str:
    hours = (definition.get("workload") or {}).get("hours")
    return _("%(ects)s ECTS, %(hours)s hours") % {
        "ects": number(ects),
        "hours": number(hours) if hours is not None else "",
    }


#: Elements the card writes in words of their own; any other shows its value (a choice: its label).
_CARD_TEXT: dict[str, Callable[[Mapping[str, Any], Any, Gettext], str]] = {
    "awarding_body.name": _awarded_by,
    "eqf_level": _level,
    "workload.ects": _workload,
}


def card_facts(definition: Mapping[str, Any], _: Gettext) -> list[dict[str, str]]:
    """The card's list of facts: ``label``, ``text`` and, for a further-information URL, ``href``."""
    facts = []
    for element in ELEMENTS:
        value = get(definition, element)
        if not element.card_label or element.kind == "outcomes" or value in ("", None):
            continue
        if element.kind == "choice":
            text = choice_label(element, value, _)
        else:
            text = _CARD_TEXT.get(element.path, lambda _d, v, _g: str(v))(definition, value, _)
        link = element.path == "further_information" and value.startswith("https://") and " " not in value
        if text:
            facts.append({"label": _(element.card_label), "text": text, "href": value if link else ""})
    return facts


def editor_groups(definition: Mapping[str, Any], _: Gettext) -> list[tuple[str, list[dict[str, Any]]]]:
    """The editor's fieldsets (legend, inputs), each input with what the template needs to draw it."""
    values = to_fields(definition)
    groups: dict[str, list[dict[str, Any]]] = {group: [] for group in GROUPS}
    for element in FORM_ELEMENTS:
        value = values["awarding_body"].get(element.key) if element.parent == "awarding_body" else values[element.field]
        groups[element.group].append(
            {
                "field": element.field,
                "id": "mv-" + element.field.replace(".", "-"),
                "label": _(element.form_label),
                "hint": _(element.hint) if element.hint else "",
                "widget": element.widget,
                "kind": element.kind,
                "short": element.short,
                "rows": _PROSE_ROWS.get(element.path, 2),
                "value": "" if value is None else value,
                "options": [(key, _(concept.label)) for key, concept in (element.options or {}).items()],
                "empty": _("Choose…") if element.required else _("Not stated"),
            }
        )
    return [(_(legend), inputs) for legend, inputs in groups.items()]
