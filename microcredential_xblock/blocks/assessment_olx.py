"""The outcome assessment's settings and content as OLX and editor input (pure Python, no XBlock).

The block (assessment.py) reads and writes its fields with these; the question model itself is
``questions.py``. Errors are ``olx.OlxError`` naming the setting or the element at fault.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from badge_issuer.i18n import gettext_noop as _

from . import olx, question_formats
from .questions import Assessment

MAX_ATTEMPTS_LIMIT = 100
MAX_WEIGHT = 1000.0

#: New blocks start with a complete, valid example the author edits (Studio creates blocks without OLX).
DEFAULT_OLX = """<outcome_assessment>
  <outcome ref="lo-1" threshold="70"/>
  <question id="q1" type="single">
    <prompt>Replace this question with your own.</prompt>
    <outcome ref="lo-1"/>
    <choice id="a" correct="true">The correct choice</choice>
    <choice id="b" correct="false">A wrong choice</choice>
  </question>
</outcome_assessment>"""
DEFAULT_DATA = question_formats.to_dict(question_formats.parse_children(olx.parse_snippet(DEFAULT_OLX, "default")))
SETTINGS_ATTRIBUTES = ("display_name", "max_attempts", "show_feedback", "weight", "microcredential")
#: Set by the platform's OLX import/export around the block; they are not block data.
IGNORED_ATTRIBUTES = ("xblock-family", "url_name")


def settings_from_strings(values: dict[str, Any]) -> dict[str, Any]:
    """Typed block settings from OLX attributes or editor strings; ``OlxError`` names the bad one."""
    result: dict[str, Any] = {}
    for name in SETTINGS_ATTRIBUTES:
        if name not in values:
            continue
        value = values[name]
        text = value if isinstance(value, str) else json.dumps(value)
        if name == "max_attempts":
            result[name] = int(olx.number(text, name, low=0, high=MAX_ATTEMPTS_LIMIT, integer=True))
        elif name == "weight":
            result[name] = olx.number(text, name, low=0, high=MAX_WEIGHT)
        elif name == "show_feedback":
            if text not in olx.BOOLEANS:
                raise olx.OlxError(name, _("must be true or false"))
            result[name] = olx.BOOLEANS[text]
        else:
            result[name] = olx.normalise_space(text)
            if name == "display_name" and not result[name]:
                raise olx.OlxError(name, _("must not be empty"))
    return result


def from_editor(data: dict[str, Any], source: str) -> tuple[dict[str, Any], Assessment]:
    """The typed settings and the content of a Studio save; ``source`` is ``"olx"`` or ``"content"``."""
    values = settings_from_strings(data)
    if source == "olx":
        if not isinstance(data["olx"], str):
            raise olx.OlxError("olx", _("must be a text"))
        root = olx.parse_snippet(f"<outcome_assessment>{data['olx']}</outcome_assessment>", "olx")
        return values, question_formats.parse_children(root)
    return values, question_formats.from_dict(data.get("content"))


def editor_state(assessment: Assessment) -> dict[str, Any]:
    """The content as the structured editor and the OLX editor show it."""
    root = etree.Element("outcome_assessment")
    question_formats.add_children(root, assessment)
    return {"content": question_formats.to_dict(assessment), "olx": "\n".join(olx.to_string(child) for child in root)}
