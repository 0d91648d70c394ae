"""A spec's outcome assessments: questions as a spec writes them, read into the assessment block's own
model (``microcredential_xblock.blocks.questions``) and validated by it, so a spec's questions are accepted
exactly when the block accepts them; the block's refusals are reported at the question's line.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from microcredential_xblock.blocks import questions
from microcredential_xblock.blocks.olx import OlxError

from .spec_reader import Checker

ASSESSMENT_KEYS = {"title", "mastery", "max_attempts", "weight", "show_feedback", "questions"}
QUESTION_KEYS = {
    "single": {"choices"},
    "multiple": {"choices", "scoring"},
    "numeric": {"answer", "tolerance"},
    "text": {"answers", "match", "case_sensitive"},
}
COMMON_QUESTION_KEYS = {"id", "type", "prompt", "outcomes", "points", "feedback", "hints"}
CHOICE_IDS = string.ascii_lowercase


@dataclass(frozen=True)
class AssessmentSpec:
    title: str
    max_attempts: int
    show_feedback: bool
    weight: float
    model: questions.Assessment


def _feedback(c: Checker, value: Any, path: tuple) -> tuple[str, str]:
    """``feedback: text`` (shown after any answer) or ``{correct: text, incorrect: text}``."""
    if value is None:
        return "", ""
    if isinstance(value, str) and value.strip():
        return value.strip(), value.strip()
    if isinstance(value, Mapping) and set(value) <= {"correct", "incorrect"}:
        return c.text(value, "correct", path, required=False), c.text(value, "incorrect", path, required=False)
    c.fail(path, "must be text or a mapping with 'correct' and/or 'incorrect' text")
    return "", ""


def _choices(c: Checker, items: list, path: tuple) -> tuple[questions.Choice, ...]:
    if len(items) > len(CHOICE_IDS):
        c.fail(path, f"at most {len(CHOICE_IDS)} choices")
    choices = []
    for index, item in enumerate(items[: len(CHOICE_IDS)]):
        here = (*path, index)
        choice = c.mapping(item, here, {"text", "correct", "feedback"}, {"text"})
        if choice is not None:
            choices.append(
                questions.Choice(
                    CHOICE_IDS[index],
                    c.text(choice, "text", here),
                    c.boolean(choice, "correct", here, False),
                    c.text(choice, "feedback", here, required=False),
                )
            )
    return tuple(choices)


def _tolerance(c: Checker, value: Any, path: tuple) -> tuple[float, bool]:
    """``tolerance: 0.5`` (absolute) or ``"2%"`` (relative to the answer), as the block's OLX."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            percent = float(value.strip()[:-1])
        except ValueError:
            percent = -1.0
        if 0 <= percent <= 100:
            return percent, True
    elif isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value), False
    c.fail(path, 'must be a number >= 0 or a percentage such as "2%"')
    return 0.0, False


def _question(c: Checker, item: Any, path: tuple, outcome_id: str) -> questions.Question | None:
    kind = item.get("type") if isinstance(item, Mapping) else None
    if kind not in QUESTION_KEYS:
        if isinstance(item, Mapping):
            c.fail((*path, "type"), f"must be one of: {', '.join(QUESTION_KEYS)}")
        else:
            c.fail(path, "must be a mapping of fields")
        return None
    data = c.mapping(item, path, COMMON_QUESTION_KEYS | QUESTION_KEYS[kind], {"id", "prompt"})
    if data is None:
        return None
    outcomes = data.get("outcomes", [outcome_id])
    if not isinstance(outcomes, list) or not outcomes or not all(isinstance(o, str) for o in outcomes):
        c.fail((*path, "outcomes"), "must be a non-empty list of learning outcome ids")
        outcomes = [outcome_id]
    hints = data.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        c.fail((*path, "hints"), "must be a list of texts")
        hints = []
    feedback_correct, feedback_incorrect = _feedback(c, data.get("feedback"), (*path, "feedback"))
    fields: dict[str, Any] = {}
    if kind in ("single", "multiple"):
        fields["choices"] = _choices(c, c.items(data, "choices", path), (*path, "choices"))
        scoring = data.get("scoring", "all-or-nothing")
        if scoring not in ("all-or-nothing", "partial"):
            c.fail((*path, "scoring"), "must be all-or-nothing or partial")
        fields["partial_credit"] = scoring == "partial"
    elif kind == "numeric":
        fields["answer"] = (
            c.number(data, "answer", path, default=0.0, low=-1e15, high=1e15) if "answer" in data else None
        )
        if fields["answer"] is None:
            c.fail(path, "the field 'answer' is required")
        fields["tolerance"], fields["tolerance_percent"] = _tolerance(c, data.get("tolerance", 0), (*path, "tolerance"))
    else:
        answers = c.items(data, "answers", path)
        if not all(isinstance(a, str) and a.strip() for a in answers):
            c.fail((*path, "answers"), "must be a list of non-empty texts")
        fields["accepted"] = tuple(str(a).strip() for a in answers)
        match = data.get("match", "exact")
        if match not in ("exact", "regex"):
            c.fail((*path, "match"), "must be exact or regex")
        fields["regex"] = match == "regex"
        fields["case_sensitive"] = c.boolean(data, "case_sensitive", path, False)
    return questions.Question(
        id=str(data.get("id", "")),
        kind=kind,
        prompt=c.text(data, "prompt", path),
        outcomes=tuple(outcomes),
        points=c.number(data, "points", path, default=1.0, low=1e-9, high=questions.MAX_POINTS),
        feedback_correct=feedback_correct,
        feedback_incorrect=feedback_incorrect,
        hints=tuple(h.strip() for h in hints),
        **fields,
    )


def _olx_error_path(subject: str, base: tuple, ids: list[str]) -> tuple:
    """``question[q2]/@tolerance`` -> the spec path of question q2 (the closest line we know)."""
    match = re.match(r"question\[([^\]]+)\](?:/@?(\w+))?", subject)
    if match and match.group(1) in ids:
        here = (*base, "questions", ids.index(match.group(1)))
        return (*here, match.group(2)) if match.group(2) in ("answer", "tolerance", "prompt") else here
    return (*base, "questions")


def read_assessment(c: Checker, item: Any, path: tuple, outcome_id: str, defined: set[str]) -> AssessmentSpec | None:
    data = c.mapping(item, path, ASSESSMENT_KEYS, {"title", "questions"})
    if data is None:
        return None
    mastery = c.number(data, "mastery", path, default=questions.DEFAULT_THRESHOLD, low=1e-9, high=100)
    parsed = [
        _question(c, q, (*path, "questions", i), outcome_id) for i, q in enumerate(c.items(data, "questions", path))
    ]
    model_questions = tuple(q for q in parsed if q is not None)
    tagged: dict[str, None] = {outcome_id: None}
    for index, question in enumerate(model_questions):
        for ref in question.outcomes:
            if defined and ref not in defined:
                c.fail(
                    (*path, "questions", index, "outcomes"),
                    f"{ref!r} is not a learning outcome of the micro-credential",
                )
            tagged[ref] = None
    if outcome_id not in {ref for q in model_questions for ref in q.outcomes}:
        c.fail((*path, "questions"), f"no question is tagged with this chapter's outcome {outcome_id!r}")
    model = questions.Assessment(tuple(questions.Outcome(ref, mastery) for ref in tagged), model_questions)
    if len(model_questions) == len(parsed):
        try:
            model = questions.validate(model)
        except OlxError as exc:
            for problem in exc.problems:
                where = _olx_error_path(problem.path, path, [q.id for q in model_questions])
                c.fail(where, f"{problem.path}: {problem.message}")
    return AssessmentSpec(
        title=c.text(data, "title", path),
        max_attempts=c.number(data, "max_attempts", path, default=3, low=0, high=100, integer=True),
        show_feedback=c.boolean(data, "show_feedback", path, True),
        weight=c.number(data, "weight", path, default=1.0, low=0, high=1000),
        model=model,
    )
