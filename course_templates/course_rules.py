"""Whether a course can earn its micro-credential: every issuing rule satisfiable by the course's
assessments, every outcome tag defined, and a grading policy that passes a learner who validated every outcome.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from badge_issuer.rules import OPS, window_bounds

from .olx_course import Course, FoundCredential

# ------------------------------------------------------------------------------------------- rules


def _score_reachable(value: float, op: str) -> bool:
    """Can an overall percentage in [0, 100] satisfy ``percent <op> value``?"""
    return any(OPS[op](candidate, value) for candidate in (0.0, min(max(value, 0.0), 100.0), 100.0))


def _unsatisfiable(rule: Mapping[str, Any], course: Course, credential: FoundCredential) -> list[str]:
    """Why no learner can ever satisfy ``rule`` in this course (empty when someone can)."""
    ((kind, value),) = rule.items()
    mine = [a for a in course.assessments if a.microcredential in ("", credential.url_name, credential.achievement_id)]
    if kind == "all":
        return [reason for child in value for reason in _unsatisfiable(child, course, credential)]
    if kind == "any":
        reasons = [_unsatisfiable(child, course, credential) for child in value]
        return (
            []
            if any(not r for r in reasons)
            else ["no alternative of 'any' can hold: " + "; ".join(r for rs in reasons for r in rs)]
        )
    if kind == "all_outcomes":
        missing = [
            o
            for o in credential.outcomes
            if not any(o in a.outcomes and a.tagged.get(o) and a.outcomes[o] <= 100 for a in mine)
        ]
        return [f"all_outcomes: no assessment can validate the outcome {o!r}" for o in missing]
    if kind == "min_score":
        if not mine:
            return ["min_score: the course has no outcome assessment"]
        op = value.get("op", ">=")
        if not _score_reachable(float(value["value"]), op):
            return [f"min_score: no score from 0 to 100 is {op} {value['value']}"]
        return []
    if kind == "assessments_completed":
        names = {a.url_name for a in course.assessments}
        return [
            f"assessments_completed: no outcome assessment named {name!r}"
            for name in value
            if name not in names and not any(name.endswith(f"@{n}") for n in names)
        ]
    if kind == "window":
        start, end = window_bounds(value)
        if start and end and end < start:
            return ["window: not_after is before not_before"]
        if end and end < datetime.now(UTC):
            return [f"window: it closed on {value['not_after']}"]
        return []
    if kind == "course_passed":
        return [] if course.graded_formats else ["course_passed: the course has no graded subsection"]
    return []


# ------------------------------------------------------------------------------------------ grading


def check_grading(course: Course, run: str) -> None:
    relative = f"policies/{run}/grading_policy.json"
    path = course.root / relative
    if not path.is_file():
        if course.graded_formats:
            course.fail(relative, 0, "is missing, but the course has graded subsections")
        return
    try:
        policy = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        course.fail(relative, getattr(exc, "lineno", 0), f"is not valid JSON: {exc}")
        return
    graders = policy.get("GRADER") if isinstance(policy, Mapping) else None
    cutoffs = policy.get("GRADE_CUTOFFS") if isinstance(policy, Mapping) else None
    if not isinstance(graders, list) or not isinstance(cutoffs, Mapping) or not cutoffs:
        course.fail(relative, 1, "must have a GRADER list and non-empty GRADE_CUTOFFS")
        return
    types = {g.get("type") for g in graders if isinstance(g, Mapping)}
    for fmt in sorted(course.graded_formats - types):
        course.fail(relative, 1, f"no GRADER entry for the assignment type {fmt!r} used by graded subsections")
    weight = sum(float(g.get("weight", 0)) for g in graders if isinstance(g, Mapping))
    if graders and abs(weight - 1.0) > 1e-6:
        course.fail(relative, 1, f"GRADER weights add up to {weight:g}, not 1")
    for assessment in course.assessments:
        if assessment.graded_format is None:
            course.fail(
                assessment.file,
                assessment.line,
                f"<outcome_assessment url_name="
                f"{assessment.url_name!r}> is not in a graded subsection: its score would not count",
            )
    thresholds = [t for a in course.assessments for t in a.outcomes.values()]
    lowest_cutoff = min((float(v) for v in cutoffs.values()), default=0.0)
    needs_all = any(c.rules and _mentions(c.rules, "all_outcomes") for c in course.credentials)
    if needs_all and thresholds and lowest_cutoff * 100 > min(thresholds) + 1e-9:
        course.fail(
            relative,
            1,
            f"the pass cutoff {lowest_cutoff:g} is above the lowest mastery threshold "
            f"{min(thresholds):g} %: a learner who validates every outcome could fail the course",
        )


def _mentions(rule: Any, kind: str) -> bool:
    if isinstance(rule, Mapping):
        return kind in rule or any(_mentions(v, kind) for v in rule.values())
    return isinstance(rule, list) and any(_mentions(item, kind) for item in rule)


# ------------------------------------------------------------------------------------------- checks


def check_rules(course: Course) -> None:
    if not course.credentials:
        course.fail("course.xml", 0, "the course has no <microcredential> block: it cannot issue a micro-credential")
        return
    by_ref = {c.url_name: c for c in course.credentials} | {c.achievement_id: c for c in course.credentials}
    everything = {o for c in course.credentials for o in c.outcomes}
    for assessment in course.assessments:
        credential = by_ref.get(assessment.microcredential) if assessment.microcredential else None
        if assessment.microcredential and credential is None:
            course.fail(
                assessment.file,
                assessment.line,
                f"microcredential={assessment.microcredential!r} names no <microcredential> of the course",
            )
        defined = set(credential.outcomes) if credential else everything
        for ref, line in assessment.refs:
            if ref not in defined:
                course.fail(
                    assessment.file,
                    line,
                    f"outcome {ref!r} is not a learning outcome of the "
                    f"micro-credential (defined: {', '.join(sorted(defined))})",
                )
    for credential in course.credentials:
        for reason in _unsatisfiable(credential.rules, course, credential) if credential.rules else ():
            course.fail(credential.file, credential.line, f"the issuing rule cannot be satisfied: {reason}")
