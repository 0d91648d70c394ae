"""Server-side validation of the micro-credential editor (Studio), free of XBlock so it is unit-testable.

The editor posts one JSON object: the elements of ``badge_issuer.elements`` by form key (the awarding
body as one mapping), ``learning_outcomes`` and the rule inputs. ``validate_submission`` casts the text
the author typed, delegates the EU elements to ``badge_issuer.definition.parse_definition`` and the
issuing rules to ``badge_issuer.rules.validate_rules``, and returns either the block's new values
(title, stored definition, rules) or *every* problem keyed by the form field that shows it.
The block saves all or nothing: an invalid submission changes no field, and the form keeps what was typed.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf.locale import LANG_INFO

from badge_issuer.bake import is_png
from badge_issuer.definition import parse_definition
from badge_issuer.elements import BY_PATH, ELEMENTS, Element, children, from_fields
from badge_issuer.errors import DefinitionError
from badge_issuer.problems import messages
from badge_issuer.rules import validate_rules

#: Uploaded badge images are stored as course assets (ADR 0017) and copied into every credential: keep them small.
IMAGE_MAX_BYTES = 256 * 1024
_PNG_DATA_URI = re.compile(r"^data:image/png;base64,([A-Za-z0-9+/]+={0,2})$")
#: A rules JSON text longer than this is refused before parsing (the rule tree is small by design).
RULES_JSON_MAX = 20_000
#: The elements the editor shows, each as one input (the outcomes and the image have their own).
FORM_ELEMENTS: tuple[Element, ...] = tuple(e for e in ELEMENTS if e.group)
_CASTS: dict[str, Callable[[str], Any]] = {"number": float, "integer": int}
_OUTCOME_PATH = re.compile(r"^learning_outcomes\[(\d+)\](?:\.(id|text|esco_skills))?")


@dataclass
class Submission:
    """Result of validating one editor submission: ``values`` to save (only when ``errors`` is empty).

    ``values``: ``display_name``, ``definition`` (as the block stores it: no title, no id when the
    default is meant, the image as the uploaded data: URI) and ``rules``; ``definition`` here is the
    whole normalised definition.
    """

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    definition: dict[str, Any] | None = None


def _noop(message: str) -> str:
    return message


def validate_submission(data: Any, *, default_id: str, gettext: Callable[[str], str] = _noop) -> Submission:
    """Validate the editor's JSON; ``default_id`` is the achievement URL used when the author leaves it blank."""
    _ = gettext
    result = Submission()
    if not isinstance(data, Mapping):
        result.errors["form"] = _("The editor sent something that is not a form.")
        return result
    body = data.get("awarding_body") if isinstance(data.get("awarding_body"), Mapping) else {}
    values: dict[str, Any] = {"awarding_body": {e.key: _text(body.get(e.key)) for e in children("awarding_body")}}
    for element in FORM_ELEMENTS:
        if element.parent == "awarding_body":
            continue
        raw = data.get(element.field)
        cast = _CASTS.get(element.kind)
        values[element.field] = _number(raw, cast, element.field, result.errors, _) if cast else _text(raw)
    values["learning_outcomes"] = _outcomes(data.get("learning_outcomes"), result.errors, _)
    values["image"] = _image(data.get("image"), result.errors, _)
    rules = _rules(data, result.errors, _)
    stored = from_fields(values)
    try:
        result.definition = parse_definition({**stored, "id": stored.get("id") or default_id}).to_dict()
    except DefinitionError as exc:
        for path, message in messages(exc, _).items():
            result.errors.setdefault(form_key(path), message)
    if values["language"] and "language" not in result.errors and not known_language(values["language"]):
        result.errors["language"] = _("Unknown language code; use a code such as en, it, el, es, pt or de.")
    if not result.errors:
        normalised = {k: v for k, v in result.definition.items() if k != "title"}
        if not stored.get("id"):
            del normalised["id"]
        result.values = {"display_name": result.definition["title"], "definition": normalised, "rules": rules}
    return result


def known_language(tag: str) -> bool:
    """Whether the primary subtag of a BCP 47 tag is a language Django knows (all EU languages are)."""
    return tag.split("-", maxsplit=1)[0].lower() in LANG_INFO


def form_key(path: str) -> str:
    """The editor field that shows the problem reported for a definition ``path``: the element's own
    input, or for a mapping (``workload``) and a part the form has no input for (``grading.result_type``)
    the first input of that mapping."""
    match = _OUTCOME_PATH.match(path)
    if match:
        index, part = match.groups()
        return f"learning_outcomes[{index}].{part}" if part else f"learning_outcomes[{index}].text"
    element = BY_PATH.get(path)
    if element is not None and (element.group or not element.parent):
        return element.field
    mapping = element.parent if element is not None else path
    shown = [e for e in FORM_ELEMENTS if e.parent == mapping and e.form]
    return shown[0].field if shown else path


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: Any, cast: Callable[[str], Any], key: str, errors: dict[str, str], _: Callable) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    text = _text(value).replace(",", ".") if cast is float else _text(value)
    if not text:
        return None
    try:
        number = cast(text)
    except ValueError:
        errors[key] = _("Enter a whole number.") if cast is int else _("Enter a number, for example 1.5.")
        return None
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return number


def _outcomes(items: Any, errors: dict[str, str], _: Callable) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        return []
    outcomes = []
    for index, raw in enumerate(items):
        item = raw if isinstance(raw, Mapping) else {}
        skills = item.get("esco_skills")
        if isinstance(skills, str):
            skills = skills.split()
        if not isinstance(skills, list):
            skills = []
        outcomes.append(
            {
                "id": _text(item.get("id")),
                "text": _text(item.get("text")),
                "esco_skills": [s.strip() for s in skills if isinstance(s, str) and s.strip()],
            }
        )
        if not outcomes[-1]["id"] and outcomes[-1]["text"]:
            outcomes[-1]["id"] = f"lo-{index + 1}"
    return outcomes


def _image(value: Any, errors: dict[str, str], _: Callable) -> str:
    """An uploaded PNG as a data: URI, or "" for the generated default badge.

    SVG uploads are refused: an SVG is a document that can carry scripts, and the badge is served
    from the LMS origin; the default badge SVG is generated by badge_issuer from plain text.
    """
    text = _text(value)
    if not text:
        return ""
    match = _PNG_DATA_URI.match(text)
    if not match:
        errors["image"] = _("Upload a PNG image (SVG and other formats are not accepted).")
        return ""
    try:
        raw = base64.b64decode(match.group(1), validate=True)
    except (binascii.Error, ValueError):
        errors["image"] = _("The image could not be read; upload the PNG file again.")
        return ""
    if len(raw) > IMAGE_MAX_BYTES:
        errors["image"] = _("The image is larger than 256 KB; upload a smaller PNG.")
        return ""
    if not is_png(raw):
        errors["image"] = _("This file is not a PNG image.")
        return ""
    return text


def _rules(data: Mapping[str, Any], errors: dict[str, str], _: Callable) -> dict[str, Any]:
    if data.get("rules_mode") == "advanced":
        text = data.get("rules_json")
        if not isinstance(text, str) or not text.strip():
            errors["rules_json"] = _("Enter the issuing rules as JSON, or use the simple rule.")
            return {}
        if len(text) > RULES_JSON_MAX:
            errors["rules_json"] = _("The rules are too long.")
            return {}
        try:
            rules = json.loads(text)
        except ValueError as exc:
            errors["rules_json"] = _("This is not valid JSON: %(reason)s") % {"reason": exc}
            return {}
        except RecursionError:  # json.loads recurses per nesting level: "[[[[..." fits in the size limit
            errors["rules_json"] = _("The rules are nested too deeply.")
            return {}
    else:
        simple = data.get("rules_simple") if isinstance(data.get("rules_simple"), Mapping) else {}
        score = _number(simple.get("min_score"), float, "rules_simple.min_score", errors, _)
        rules = simple_rules(score, _text(simple.get("not_before")), _text(simple.get("not_after")))
    try:
        return validate_rules(rules)
    except DefinitionError as exc:
        errors[_rules_key(data, exc.subject)] = exc.translated(_)
        return {}


def _rules_key(data: Mapping[str, Any], path: str) -> str:
    if data.get("rules_mode") == "advanced":
        return "rules_json"
    for leaf, key in (
        ("min_score", "rules_simple.min_score"),
        ("not_before", "rules_simple.not_before"),
        ("not_after", "rules_simple.not_after"),
    ):
        if leaf in path:
            return key
    return "rules_simple.min_score"


def simple_rules(min_score: float | None = None, not_before: str = "", not_after: str = "") -> dict[str, Any]:
    """The common rule: every outcome validated, optionally a minimum score and a date window."""
    parts: list[dict[str, Any]] = [{"all_outcomes": True}]
    if min_score is not None:
        parts.append({"min_score": {"value": min_score, "op": ">="}})
    window = {k: v for k, v in (("not_before", not_before), ("not_after", not_after)) if v}
    if window:
        parts.append({"window": window})
    return parts[0] if len(parts) == 1 else {"all": parts}


def as_simple(rules: Mapping[str, Any]) -> dict[str, Any] | None:
    """The simple-form inputs that produce ``rules``, or None when only the advanced editor can show them."""
    parts = rules.get("all") if set(rules) == {"all"} else [rules]
    if not isinstance(parts, list) or not parts or parts[0] != {"all_outcomes": True}:
        return None
    simple: dict[str, Any] = {"min_score": "", "not_before": "", "not_after": ""}
    for part in parts[1:]:
        if set(part) == {"min_score"} and part["min_score"].get("op", ">=") == ">=" and not simple["min_score"]:
            simple["min_score"] = part["min_score"]["value"]
        elif set(part) == {"window"} and not (simple["not_before"] or simple["not_after"]):
            simple.update(part["window"])
        else:
            return None
    return (
        simple
        if simple_rules(
            simple["min_score"] if simple["min_score"] != "" else None, simple["not_before"], simple["not_after"]
        )
        == dict(rules)
        else None
    )
