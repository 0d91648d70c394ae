"""Server-side scoring of the outcome assessment: learners' answers checked for shape, then scored.

Scoring lives here, away from the XBlock, so it is tested as plain functions and can never be
moved to the browser: the learner's page receives prompts and choice texts only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from badge_issuer.i18n import gettext_noop

from .olx import OlxError
from .questions import (
    EPSILON,
    MAX_NUMBER_TEXT,
    MAX_TEXT_ANSWER,
    Assessment,
    Question,
    compiled_pattern,
    normalise_text,
)


class AnswerError(OlxError):
    """A learner's answer has the wrong shape (subject = question id); the attempt is not counted."""


@dataclass(frozen=True)
class QuestionResult:
    id: str
    earned: float
    possible: float
    feedback: tuple[str, ...] = ()

    @property
    def correct(self) -> bool:
        return self.earned >= self.possible - EPSILON


@dataclass(frozen=True)
class OutcomeResult:
    id: str
    earned: float
    possible: float
    threshold: float

    @property
    def fraction(self) -> float:
        return min(1.0, self.earned / self.possible) if self.possible else 0.0

    @property
    def percent(self) -> float:
        return 100.0 * self.fraction

    @property
    def validated(self) -> bool:
        return self.possible > 0 and self.earned * 100.0 >= self.threshold * self.possible - EPSILON


@dataclass(frozen=True)
class ScoreResult:
    earned: float
    possible: float
    questions: tuple[QuestionResult, ...] = field(default=())
    outcomes: tuple[OutcomeResult, ...] = field(default=())

    @property
    def fraction(self) -> float:
        return self.earned / self.possible if self.possible else 0.0

    @property
    def validated_outcomes(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.outcomes if o.validated)


# ---------------------------------------------------------------------------------------------- answers


def _parse_number(value: Any, subject: str) -> float:
    if isinstance(value, str) and len(value) <= MAX_NUMBER_TEXT:
        text = value.strip().replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        value = text
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        value = None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        result = math.nan
    if not math.isfinite(result):
        raise AnswerError(subject, gettext_noop("Enter a number, for example 12.5."))
    return result


def _normalise_answer(question: Question, value: Any) -> Any:
    subject = question.id
    if question.kind == "single":
        if not isinstance(value, str) or value not in {c.id for c in question.choices}:
            raise AnswerError(subject, gettext_noop("Choose one of the offered options."))
        return value
    if question.kind == "multiple":
        ids = {c.id for c in question.choices}
        if not isinstance(value, list) or not all(isinstance(v, str) and v in ids for v in value):
            raise AnswerError(subject, gettext_noop("Choose among the offered options."))
        if len(set(value)) != len(value):
            raise AnswerError(subject, gettext_noop("An option was chosen twice."))
        return sorted(value)
    if question.kind == "numeric":
        return _parse_number(value, subject)
    if not isinstance(value, str):
        raise AnswerError(subject, gettext_noop("Enter a text answer."))
    if len(value) > MAX_TEXT_ANSWER:
        raise AnswerError(
            subject, gettext_noop("The answer is longer than %(limit)d characters."), limit=MAX_TEXT_ANSWER
        )
    return value


def normalise_answers(assessment: Assessment, answers: Any) -> dict[str, Any]:
    """Check the shape of ``{question id: answer}`` and return canonical values (idempotent)."""
    if not isinstance(answers, Mapping):
        raise AnswerError("answers", gettext_noop("Answers must map question ids to answers."))
    result: dict[str, Any] = {}
    for question_id, value in answers.items():
        question = assessment.question(question_id) if isinstance(question_id, str) else None
        if question is None:
            raise AnswerError(str(question_id)[:64], gettext_noop("There is no such question."))
        result[question_id] = _normalise_answer(question, value)
    return result


# ---------------------------------------------------------------------------------------------- scoring


def _choice_fraction(question: Question, picked: set[str]) -> float:
    right = {c.id for c in question.choices if c.correct}
    if not question.partial_credit:
        return 1.0 if picked == right else 0.0
    hits, misses = len(picked & right), len(picked - right)
    return max(0.0, (hits - misses) / len(right))


def _fraction(question: Question, value: Any) -> float:
    """Share of the question's points earned by a normalised answer (0 when unanswered)."""
    if value is None:
        return 0.0
    if question.kind == "single":
        return _choice_fraction(question, {value})
    if question.kind == "multiple":
        return _choice_fraction(question, set(value))
    if question.kind == "numeric":
        assert question.answer is not None
        allowed = abs(question.answer) * question.tolerance / 100 if question.tolerance_percent else question.tolerance
        return 1.0 if abs(value - question.answer) <= allowed + EPSILON * max(1.0, abs(question.answer)) else 0.0
    given = normalise_text(value, case_sensitive=True)
    if question.regex:
        matches = (compiled_pattern(p, question.case_sensitive).fullmatch(given) for p in question.accepted)
        return 1.0 if any(matches) else 0.0
    given = normalise_text(given, question.case_sensitive)
    return 1.0 if any(normalise_text(a, question.case_sensitive) == given for a in question.accepted) else 0.0


def _feedback(question: Question, value: Any, correct: bool) -> tuple[str, ...]:
    picked = {value} if question.kind == "single" else set(value or ()) if question.kind == "multiple" else set()
    texts = [c.feedback for c in question.choices if c.id in picked and c.feedback]
    general = question.feedback_correct if correct else question.feedback_incorrect
    return (*texts, general) if general else tuple(texts)


def score(assessment: Assessment, answers: Any) -> ScoreResult:
    """Score ``{question id: answer}`` (unanswered questions earn 0); raises ``AnswerError`` on bad shapes."""
    clean = normalise_answers(assessment, answers)
    results = []
    for question in assessment.questions:
        value = clean.get(question.id)
        earned = question.points * _fraction(question, value)
        correct = earned >= question.points - EPSILON
        feedback = _feedback(question, value, correct) if value is not None else ()
        results.append(QuestionResult(question.id, earned, question.points, feedback))
    outcomes = []
    for outcome in assessment.outcomes:
        tagged = [r for r, q in zip(results, assessment.questions, strict=True) if outcome.id in q.outcomes]
        outcomes.append(
            OutcomeResult(outcome.id, sum(r.earned for r in tagged), sum(r.possible for r in tagged), outcome.threshold)
        )
    return ScoreResult(
        sum(r.earned for r in results), sum(r.possible for r in results), tuple(results), tuple(outcomes)
    )
