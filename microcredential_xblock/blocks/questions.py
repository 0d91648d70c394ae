"""The outcome assessment's question model and the rules an author's questions must follow (no XBlock).

The model is plain frozen dataclasses; ``scoring`` scores learners' answers against it on the server,
``question_formats`` stores it (the block's content dict) and writes and reads it as OLX.

Choices made where the brief left room (documented in docs/assessment-olx.md):
- Multiple choice is all-or-nothing by default; ``scoring="partial"`` gives
  ``max(0, (right picks - wrong picks) / number of right choices)`` of the points.
- Numeric tolerance is absolute (``0.5``) or relative to the answer (``2%``); learners may type a
  decimal comma (``25,5``) as many European learners do.
- Short text compares after Unicode NFC normalisation, trimming and collapsing whitespace; ``case``
  decides case folding. Patterns (at most ``MAX_PATTERN`` characters) must match the whole answer
  (at most ``MAX_TEXT_ANSWER`` characters) and run on RE2, whose matching time is linear in the
  answer whatever the pattern: Python's backtracking ``re`` let ``\\w*\\w*\\w*!`` cost seconds of CPU.
  RE2 has no back-references or look-arounds; such patterns are refused when the author saves.
- An outcome is validated when the points earned on the questions tagged with it reach its
  threshold (percent of the points possible on those questions).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import re2

from badge_issuer.i18n import gettext_noop
from badge_issuer.problems import Problems

from .olx import ID_PATTERN, ID_RULE, OlxError, number

KINDS = ("single", "multiple", "numeric", "text")
MAX_QUESTIONS = 100
MAX_CHOICES = 20
MAX_TEXT = 5000
MAX_PATTERN = 200
MAX_TEXT_ANSWER = 300
MAX_NUMBER_TEXT = 64
MAX_POINTS = 1000.0
DEFAULT_THRESHOLD = 70.0
#: Slack for float sums of points (scores and thresholds compare with it).
EPSILON = 1e-9


@dataclass(frozen=True)
class Outcome:
    id: str
    threshold: float = DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    prompt: str
    outcomes: tuple[str, ...]
    points: float = 1.0
    choices: tuple[Choice, ...] = ()
    partial_credit: bool = False
    answer: float | None = None
    tolerance: float = 0.0
    tolerance_percent: bool = False
    accepted: tuple[str, ...] = ()
    regex: bool = False
    case_sensitive: bool = False
    feedback_correct: str = ""
    feedback_incorrect: str = ""
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    outcomes: tuple[Outcome, ...]
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


# ------------------------------------------------------------------------------------------- validation


def _subject(question: Question) -> str:
    return f"question[{question.id}]"


@functools.lru_cache(maxsize=512)
def compiled_pattern(pattern: str, case_sensitive: bool) -> Any:
    """The pattern compiled by RE2 (google-re2): linear-time matching, no catastrophic backtracking."""
    options = re2.Options()
    options.case_sensitive = case_sensitive
    options.log_errors = False  # refusals are reported to the author, not written to stderr
    return re2.compile(pattern, options)


def _check_pattern(pattern: str, subject: str) -> None:
    if len(pattern) > MAX_PATTERN:
        raise OlxError(subject, gettext_noop("pattern is longer than %(limit)d characters"), limit=MAX_PATTERN)
    try:
        compiled_pattern(pattern, True)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        try:
            re.compile(pattern)
        except re.error:
            raise OlxError(
                subject, gettext_noop("pattern is not a valid regular expression: %(detail)s"), detail=detail
            ) from None
        raise OlxError(  # valid for Python, but only a backtracking engine could run it
            subject,
            gettext_noop(
                "pattern uses a feature the linear-time matcher cannot run "
                "(back-references and look-arounds are not supported): %(detail)s"
            ),
            detail=detail,
        ) from None


def _validate_question(question: Question, outcome_ids: set[str]) -> None:
    subject = _subject(question)
    if question.kind not in KINDS:
        raise OlxError(f"{subject}/@type", gettext_noop("must be one of: %(values)s"), values=", ".join(KINDS))
    if not question.prompt or len(question.prompt) > MAX_TEXT:
        raise OlxError(f"{subject}/prompt", gettext_noop("must have 1 to %(limit)d characters"), limit=MAX_TEXT)
    number(question.points, f"{subject}/@points", low=0, high=MAX_POINTS, above=True)
    if not question.outcomes:
        raise OlxError(subject, gettext_noop("must be tagged with at least one outcome"))
    for ref in question.outcomes:
        if ref not in outcome_ids:
            raise OlxError(f"{subject}/outcome[{ref}]", gettext_noop("is not declared in the assessment's outcomes"))
    if len(set(question.outcomes)) != len(question.outcomes):
        raise OlxError(f"{subject}/outcome", gettext_noop("the same outcome is tagged twice"))
    _check_no_foreign_fields(question, subject)
    if question.kind in ("single", "multiple"):
        _validate_choices(question, subject)
    elif question.kind == "numeric":
        if question.answer is None:
            raise OlxError(f"{subject}/@answer", gettext_noop("is required"))
        number(question.answer, f"{subject}/@answer", low=-1e15, high=1e15)
        number(question.tolerance, f"{subject}/@tolerance", low=0, high=100 if question.tolerance_percent else 1e15)
    else:
        if not question.accepted:
            raise OlxError(f"{subject}/answer", gettext_noop("at least one accepted answer is required"))
        for i, accepted in enumerate(question.accepted):
            where = f"{subject}/answer[{i + 1}]"
            if question.regex and accepted:
                _check_pattern(accepted, where)
            elif not normalise_text(accepted, question.case_sensitive) or len(accepted) > MAX_TEXT_ANSWER:
                raise OlxError(where, gettext_noop("must have 1 to %(limit)d characters"), limit=MAX_TEXT_ANSWER)


def _check_no_foreign_fields(question: Question, subject: str) -> None:
    """Data of another question type would be exported to OLX that no longer parses: refuse it."""
    foreign = {
        "choices": question.kind not in ("single", "multiple") and bool(question.choices),
        "scoring": question.kind != "multiple" and question.partial_credit,
        "answer": question.kind != "numeric" and question.answer is not None,
        "tolerance": question.kind != "numeric" and bool(question.tolerance or question.tolerance_percent),
        "accepted": question.kind != "text" and bool(question.accepted),
        "match": question.kind != "text" and (question.regex or question.case_sensitive),
    }
    for name, present in foreign.items():
        if present:
            raise OlxError(f"{subject}/{name}", gettext_noop("does not apply to a question of this type"))


def _validate_choices(question: Question, subject: str) -> None:
    if not 2 <= len(question.choices) <= MAX_CHOICES:
        raise OlxError(f"{subject}/choice", gettext_noop("needs 2 to %(limit)d choices"), limit=MAX_CHOICES)
    ids = [c.id for c in question.choices]
    for choice in question.choices:
        _check_id(choice.id, f"{subject}/choice/@id")
        if ids.count(choice.id) > 1:
            raise OlxError(f"{subject}/choice[{choice.id}]", gettext_noop("choice id is used twice"))
        if not choice.text or len(choice.text) > MAX_TEXT:
            raise OlxError(
                f"{subject}/choice[{choice.id}]", gettext_noop("must have 1 to %(limit)d characters"), limit=MAX_TEXT
            )
    right = sum(c.correct for c in question.choices)
    if question.kind == "single" and right != 1:
        raise OlxError(f"{subject}/choice", gettext_noop("a single-choice question needs exactly one correct choice"))
    if question.kind == "multiple" and right < 1:
        raise OlxError(
            f"{subject}/choice", gettext_noop("a multiple-choice question needs at least one correct choice")
        )


def _check_id(value: str, subject: str) -> None:
    if not ID_PATTERN.fullmatch(value):
        raise OlxError(subject, ID_RULE)


def validate(assessment: Assessment) -> Assessment:
    """Check an assessment written by an author; raise ``OlxError`` naming the first bad question/field.

    Each outcome and question is checked even after another failed: the error's ``problems`` lists the
    first problem of each (course specs report them all, with their lines).
    """
    if not assessment.outcomes:
        raise OlxError("outcome", gettext_noop("declare at least one outcome"))
    if not 1 <= len(assessment.questions) <= MAX_QUESTIONS:
        raise OlxError("question", gettext_noop("needs 1 to %(limit)d questions"), limit=MAX_QUESTIONS)
    problems = Problems()
    outcome_ids: set[str] = set()
    for outcome in assessment.outcomes:
        with problems.collecting(OlxError):
            _check_id(outcome.id, "outcome/@ref")
            if outcome.id in outcome_ids:
                raise OlxError(f"outcome[{outcome.id}]", gettext_noop("outcome is declared twice"))
            outcome_ids.add(outcome.id)
            number(outcome.threshold, f"outcome[{outcome.id}]/@threshold", low=0, high=100, above=True)
    seen: set[str] = set()
    for question in assessment.questions:
        with problems.collecting(OlxError):
            _check_id(question.id, "question/@id")
            if question.id in seen:
                raise OlxError(_subject(question), gettext_noop("question id is used twice"))
            seen.add(question.id)
            _validate_question(question, outcome_ids)
    tagged = {ref for q in assessment.questions for ref in q.outcomes}
    for outcome in assessment.outcomes:
        if outcome.id not in tagged:
            problems.add(f"outcome[{outcome.id}]", gettext_noop("no question is tagged with this outcome"))
    problems.raise_first(OlxError)
    return assessment


def normalise_text(text: str, case_sensitive: bool) -> str:
    """NFC, trimmed, single spaces; case-folded unless the author asked for exact case."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text if case_sensitive else text.casefold()
