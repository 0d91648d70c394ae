"""Server-side validation of the micro-credential editor (Studio), free of XBlock so it is unit-testable.

The editor posts one JSON object (``FORM_FIELDS`` plus ``learning_outcomes``, ``awarding_body`` and the
rule inputs). ``validate_submission`` casts the text the author typed, delegates the EU elements to
``badge_issuer.definition.parse_definition`` and the issuing rules to ``badge_issuer.rules.validate_rules``,
and returns either clean block field values or *every* problem keyed by the form field that shows it.
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

from badge_issuer.definition import SCALAR_FIELDS, parse_definition
from badge_issuer.errors import DefinitionError
from badge_issuer.rules import validate_rules

#: Uploaded badge images are stored in a field (and so in OLX): keep them small.
IMAGE_MAX_BYTES = 256 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DATA_URI = re.compile(r"^data:image/png;base64,([A-Za-z0-9+/]+={0,2})$")
#: A rules JSON text longer than this is refused before parsing (the rule tree is small by design).
RULES_JSON_MAX = 20_000

#: Scalar text fields of the form: block field name == form key.
TEXT_FIELDS = (
    "display_name",
    "achievement_id",
    "description",
    "language",
    "version",
    "field_of_study",
    "nqf_level",
    "assessment_type",
    "participation",
    "quality_assurance",
    "prerequisites",
    "supervision",
    "stackability",
    "further_information",
)
#: Numeric fields: form key -> the type the typed text is cast to.
NUMBER_FIELDS: dict[str, Callable[[str], Any]] = {
    "ects": float,
    "hours": float,
    "eqf_level": int,
    "pass_mark": float,
    "valid_for_days": int,
}
AWARDING_BODY_KEYS = ("name", "url", "email", "country", "region")

# Definition paths (badge_issuer) -> form keys where they differ.
_PATH_TO_FORM = {
    "title": "display_name",
    "id": "achievement_id",
    "workload.ects": "ects",
    "workload.hours": "hours",
    "grading.pass_mark": "pass_mark",
    "grading.result_type": "pass_mark",
    "workload": "ects",
    "grading": "pass_mark",
}
_OUTCOME_PATH = re.compile(r"^learning_outcomes\[(\d+)\](?:\.(id|text|esco_skills))?")


@dataclass
class Submission:
    """Result of validating one editor submission: ``values`` to save (only when ``errors`` is empty)."""

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
    values: dict[str, Any] = {key: _text(data.get(key)) for key in TEXT_FIELDS}
    for key, cast in NUMBER_FIELDS.items():
        values[key] = _number(data.get(key), cast, key, result.errors, _)
    body = data.get("awarding_body") if isinstance(data.get("awarding_body"), Mapping) else {}
    values["awarding_body"] = {key: _text(body.get(key)) for key in AWARDING_BODY_KEYS}
    values["learning_outcomes"] = _outcomes(data.get("learning_outcomes"), result.errors, _)
    values["image"] = _image(data.get("image"), result.errors, _)
    values["rules"] = _rules(data, result.errors, _)
    definition = definition_from_fields(values, default_id=default_id)
    try:
        result.definition = parse_definition(definition).to_dict()
    except DefinitionError as exc:
        for path, reason in getattr(exc, "errors", {exc.subject: exc.reason}).items():
            result.errors.setdefault(form_key(path), reason)
    if values["language"] and "language" not in result.errors and not known_language(values["language"]):
        result.errors["language"] = _("Unknown language code; use a code such as en, it, el, es, pt or de.")
    if not result.errors:
        result.values = values
    return result


def definition_from_fields(values: Mapping[str, Any], *, default_id: str) -> dict[str, Any]:
    """The definition (format of examples/micro-credential.yaml) described by the block's field values."""
    body = {k: v for k, v in (values.get("awarding_body") or {}).items() if v not in ("", None)}
    outcomes = []
    for item in values.get("learning_outcomes") or []:
        outcome = {"id": item.get("id", ""), "text": item.get("text", "")}
        if item.get("esco_skills"):
            outcome["esco_skills"] = list(item["esco_skills"])
        outcomes.append(outcome)
    data: dict[str, Any] = {
        "id": values.get("achievement_id") or default_id,
        "title": values.get("display_name"),
        "awarding_body": body,
        "learning_outcomes": outcomes,
        "workload": {k: values.get(k) for k in ("ects", "hours") if values.get(k) is not None},
    }
    for key in SCALAR_FIELDS:
        data[key] = values.get(key)
    if values.get("pass_mark") is not None:
        data["grading"] = {"result_type": "Percent", "pass_mark": values["pass_mark"]}
    return {k: v for k, v in data.items() if v not in ("", None)}


def fields_from_definition(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The field values a (normalised) definition describes: the inverse of ``definition_from_fields``, so
    the learner's card shows the *published* definition, never a draft in the block's fields."""
    workload, grading = definition.get("workload") or {}, definition.get("grading") or {}
    values: dict[str, Any] = {key: definition.get(key) for key in SCALAR_FIELDS}
    values.update(
        display_name=definition.get("title", ""),
        achievement_id=definition.get("id", ""),
        awarding_body=dict(definition.get("awarding_body") or {}),
        learning_outcomes=[dict(o) for o in definition.get("learning_outcomes") or []],
        ects=workload.get("ects"),
        hours=workload.get("hours"),
        pass_mark=grading.get("pass_mark"),
    )
    return values


def known_language(tag: str) -> bool:
    """Whether the primary subtag of a BCP 47 tag is a language Django knows (all EU languages are)."""
    return tag.split("-", maxsplit=1)[0].lower() in LANG_INFO


def form_key(path: str) -> str:
    """The editor field that shows the problem reported for a definition ``path``."""
    match = _OUTCOME_PATH.match(path)
    if match:
        index, part = match.groups()
        return f"learning_outcomes[{index}].{part}" if part else f"learning_outcomes[{index}].text"
    return _PATH_TO_FORM.get(path, path)


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
    if not raw.startswith(PNG_SIGNATURE) or raw[12:16] != b"IHDR":
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
        errors[_rules_key(data, exc.subject)] = exc.reason
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
