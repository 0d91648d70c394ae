"""Issuing rules as data: validate, evaluate, explain.

A rule set is a JSON-serialisable tree, never a code string, so authors can store it in OLX and
staff can read it. Every node is a mapping with exactly one key (its kind):

``{"all_outcomes": true}``
    every learning outcome of the definition is validated (false if the definition has none).
``{"min_score": {"value": 70, "op": ">="}}``
    the learner's overall percentage over the assessments compares with ``value`` (0-100);
    ``op`` is one of ``>= > == <= <`` (default ``>=``).
``{"assessments_completed": ["quiz1", "block-v1:...+block@quiz2"]}``
    each named assessment (usage id or its block name) has been submitted at least once.
``{"window": {"not_before": "2026-01-01T00:00:00Z", "not_after": "2026-12-31"}}``
    the evaluation time lies inside the window (either bound may be omitted; a bare date is the
    whole day in UTC).
``{"course_passed": true}``
    the platform reported the course as passed (Open edX COURSE_PASSING_STATUS_UPDATED).
``{"all": [rule, ...]}`` / ``{"any": [rule, ...]}``
    AND / OR groups (non-empty, nested at most ``MAX_DEPTH`` levels).

The credential's validity period is *not* a rule: it is the definition's ``valid_for_days``
(``validUntil`` of the credential). Expiry says how long an issued credential stays valid, not
whether to issue it, and one source of truth avoids a rule and a definition that disagree.
A ``valid_for_days`` key in a rule set is therefore rejected with a message pointing there.

``explain`` returns the same verdict as ``evaluate`` plus, for each node, a sentence saying why
it holds or not; the sentence comes with its untranslated template (``msgid``) and ``params``
so a user interface can translate it (this module imports no i18n framework). Validation errors carry
theirs the same way (``DefinitionError.msgid``, ``.params``, ``.translated(gettext)``).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import DefinitionError
from .formats import parse_datetime
from .i18n import gettext_noop

MAX_DEPTH = 8
MAX_CHILDREN = 50
OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
    "<=": operator.le,
    "<": operator.lt,
}
LEAF_KINDS = ("all_outcomes", "min_score", "assessments_completed", "window", "course_passed")
GROUP_KINDS = ("all", "any")
KINDS = LEAF_KINDS + GROUP_KINDS


@dataclass(frozen=True)
class Facts:
    """What is known about one learner when the rules are evaluated."""

    validated_outcomes: frozenset[str] = frozenset()
    all_outcomes: frozenset[str] = frozenset()
    score_percent: float | None = None
    completed_assessments: frozenset[str] = frozenset()
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    course_passed: bool = False


# ----------------------------------------------------------------------------------------- validation


def validate_rules(data: Any, path: str = "rules") -> dict[str, Any]:
    """Check a rule tree and return it unchanged; raise DefinitionError naming the first bad path."""
    _validate(data, path, depth=1)
    return data


def _kind(node: Any, path: str) -> str:
    if not isinstance(node, Mapping):
        raise DefinitionError(path, gettext_noop('must be an object with one rule kind, e.g. {"all_outcomes": true}'))
    if "valid_for_days" in node:
        raise DefinitionError(
            f"{path}.valid_for_days",
            gettext_noop("the validity period is not a rule: set valid_for_days in the micro-credential definition"),
        )
    if len(node) != 1:
        raise DefinitionError(
            path,
            gettext_noop("must have exactly one rule kind (one of %(kinds)s), got %(count)d"),
            kinds=", ".join(KINDS),
            count=len(node),
        )
    (kind,) = node
    if kind not in KINDS:
        raise DefinitionError(
            f"{path}.{kind}", gettext_noop("unknown rule kind; expected one of %(kinds)s"), kinds=", ".join(KINDS)
        )
    return kind


def _validate(node: Any, path: str, depth: int) -> None:
    kind = _kind(node, path)
    value = node[kind]
    here = f"{path}.{kind}"
    if kind in GROUP_KINDS:
        if depth >= MAX_DEPTH:
            raise DefinitionError(
                here, gettext_noop("groups may be nested at most %(limit)d levels deep"), limit=MAX_DEPTH
            )
        if not isinstance(value, list) or not value:
            raise DefinitionError(here, gettext_noop("must be a non-empty list of rules"))
        if len(value) > MAX_CHILDREN:
            raise DefinitionError(here, gettext_noop("must have at most %(limit)d rules"), limit=MAX_CHILDREN)
        for i, child in enumerate(value):
            _validate(child, f"{here}[{i}]", depth + 1)
    elif kind in ("all_outcomes", "course_passed"):
        if value is not True:
            raise DefinitionError(here, gettext_noop("must be true (leave the rule out instead of setting false)"))
    elif kind == "min_score":
        _validate_min_score(value, here)
    elif kind == "assessments_completed":
        if not isinstance(value, list) or not value:
            # Translators: a usage id is Open edX's identifier of a block in a course (block-v1:...).
            raise DefinitionError(here, gettext_noop("must be a non-empty list of assessment usage ids or names"))
        for i, name in enumerate(value):
            if not isinstance(name, str) or not name.strip():
                raise DefinitionError(
                    f"{here}[{i}]", gettext_noop("must be a non-empty string (usage id or block name)")
                )
    else:
        _validate_window(value, here)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _validate_min_score(value: Any, here: str) -> None:
    if not isinstance(value, Mapping):
        raise DefinitionError(here, gettext_noop('must be an object {"value": 0-100, "op": ">="}'))
    unknown = sorted(set(value) - {"value", "op"})
    if unknown:
        raise DefinitionError(f"{here}.{unknown[0]}", gettext_noop("unknown key; expected value and op"))
    if "value" not in value or not _is_number(value["value"]) or not 0 <= value["value"] <= 100:
        raise DefinitionError(
            f"{here}.value", gettext_noop("must be a number from %(low)s to %(high)s"), low=0, high=100
        )
    if value.get("op", ">=") not in OPS:
        raise DefinitionError(f"{here}.op", gettext_noop("must be one of %(options)s"), options=" ".join(OPS))


def _validate_window(value: Any, here: str) -> None:
    if not isinstance(value, Mapping) or not value:
        raise DefinitionError(here, gettext_noop("must be an object with not_before and/or not_after"))
    unknown = sorted(set(value) - {"not_before", "not_after"})
    if unknown:
        raise DefinitionError(f"{here}.{unknown[0]}", gettext_noop("unknown key; expected not_before and/or not_after"))
    start, end = window_bounds(value, here)
    if start is not None and end is not None and start > end:
        raise DefinitionError(f"{here}.not_after", gettext_noop("must not be earlier than not_before"))


def window_bounds(value: Mapping[str, str], path: str = "window") -> tuple[datetime | None, datetime | None]:
    """The ``window`` rule's (not_before, not_after): ISO 8601 date-times with a time zone, or dates (a
    bound that is a date includes that whole day in UTC); None where a bound is absent."""
    start = parse_datetime(value["not_before"], f"{path}.not_before", dates="start") if "not_before" in value else None
    end = parse_datetime(value["not_after"], f"{path}.not_after", dates="end") if "not_after" in value else None
    return start, end


# ----------------------------------------------------------------------------------------- evaluation


def evaluate(rules: Mapping[str, Any], facts: Facts) -> bool:
    """Whether a validated rule tree holds for these facts (groups short-circuit)."""
    kind, value = next(iter(rules.items()))
    if kind == "all":
        return all(evaluate(child, facts) for child in value)
    if kind == "any":
        return any(evaluate(child, facts) for child in value)
    return _leaf(kind, value, facts)[0]


def explain(rules: Mapping[str, Any], facts: Facts, path: str = "rules") -> dict[str, Any]:
    """A tree of ``{rule, path, holds, detail, msgid, params[, children]}`` for a staff preview."""
    kind, value = next(iter(rules.items()))
    if kind in GROUP_KINDS:
        children = [explain(child, facts, f"{path}.{kind}[{i}]") for i, child in enumerate(value)]
        held = sum(child["holds"] for child in children)
        holds = held == len(children) if kind == "all" else held > 0
        msgid = (
            gettext_noop("all of %(total)d parts must hold; %(held)d hold")
            if kind == "all"
            else gettext_noop("at least one of %(total)d parts must hold; %(held)d hold")
        )
        node = _node(kind, path, holds, msgid, {"total": len(children), "held": held})
        node["children"] = children
        return node
    holds, msgid, params = _leaf(kind, value, facts)
    return _node(kind, path, holds, msgid, params)


def _node(kind: str, path: str, holds: bool, msgid: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"rule": kind, "path": path, "holds": holds, "detail": msgid % params, "msgid": msgid, "params": params}


def _leaf(kind: str, value: Any, facts: Facts) -> tuple[bool, str, dict[str, Any]]:
    if kind == "all_outcomes":
        missing = sorted(facts.all_outcomes - facts.validated_outcomes)
        if not facts.all_outcomes:
            return False, gettext_noop("the definition has no learning outcomes"), {}
        if missing:
            return False, gettext_noop("outcomes not yet validated: %(missing)s"), {"missing": ", ".join(missing)}
        return True, gettext_noop("all %(count)d outcomes validated"), {"count": len(facts.all_outcomes)}
    if kind == "min_score":
        op, target = value.get("op", ">="), float(value["value"])
        if facts.score_percent is None:
            return (
                False,
                gettext_noop("no assessment submitted yet (required: score %(op)s %(target)g %%)"),
                {"op": op, "target": target},
            )
        params = {"score": round(facts.score_percent, 2), "op": op, "target": target}
        holds = OPS[op](facts.score_percent, target)
        return holds, gettext_noop("score %(score)g %% (required: %(op)s %(target)g %%)"), params
    if kind == "assessments_completed":
        missing = [name for name in value if name not in facts.completed_assessments]
        if missing:
            return False, gettext_noop("assessments not yet completed: %(missing)s"), {"missing": ", ".join(missing)}
        return True, gettext_noop("all %(count)d named assessments completed"), {"count": len(value)}
    if kind == "window":
        return _window(value, facts.now)
    if facts.course_passed:
        return True, gettext_noop("the course is passed"), {}
    return False, gettext_noop("the course is not passed yet"), {}


def _window(value: Mapping[str, str], now: datetime) -> tuple[bool, str, dict[str, Any]]:
    start, end = window_bounds(value)
    params = {
        "now": now.isoformat(timespec="seconds"),
        "not_before": value.get("not_before", "-"),
        "not_after": value.get("not_after", "-"),
    }
    if start is not None and now < start:
        return False, gettext_noop("%(now)s is before the window opens (%(not_before)s)"), params
    if end is not None and now > end:
        return False, gettext_noop("%(now)s is after the window closed (%(not_after)s)"), params
    return True, gettext_noop("%(now)s is inside the window (%(not_before)s to %(not_after)s)"), params
