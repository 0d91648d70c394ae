"""Question model, author validation, server-side scoring and OLX for the outcome assessment (no XBlock).

Scoring lives here, away from the XBlock, so it is tested as plain functions and can never be
moved to the browser: the learner's page receives prompts and choice texts only.

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
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import re2
from lxml import etree

from badge_issuer.i18n import gettext_noop

from .olx import (
    ID_PATTERN,
    ID_RULE,
    OlxError,
    attr,
    bool_attr,
    check_element,
    choice_attr,
    format_number,
    id_attr,
    leading_text,
    normalise_space,
    number,
    number_attr,
    plain_text,
    sub_element,
)

KINDS = ("single", "multiple", "numeric", "text")
MAX_QUESTIONS = 100
MAX_CHOICES = 20
MAX_TEXT = 5000
MAX_PATTERN = 200
MAX_TEXT_ANSWER = 300
MAX_NUMBER_TEXT = 64
MAX_POINTS = 1000.0
DEFAULT_THRESHOLD = 70.0
_EPSILON = 1e-9


class AnswerError(OlxError):
    """A learner's answer has the wrong shape (subject = question id); the attempt is not counted."""


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


@dataclass(frozen=True)
class QuestionResult:
    id: str
    earned: float
    possible: float
    feedback: tuple[str, ...] = ()

    @property
    def correct(self) -> bool:
        return self.earned >= self.possible - _EPSILON


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
        return self.possible > 0 and self.earned * 100.0 >= self.threshold * self.possible - _EPSILON


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
    """Check an assessment written by an author; raise ``OlxError`` naming the first bad question/field."""
    if not assessment.outcomes:
        raise OlxError("outcome", gettext_noop("declare at least one outcome"))
    if not 1 <= len(assessment.questions) <= MAX_QUESTIONS:
        raise OlxError("question", gettext_noop("needs 1 to %(limit)d questions"), limit=MAX_QUESTIONS)
    outcome_ids: set[str] = set()
    for outcome in assessment.outcomes:
        _check_id(outcome.id, "outcome/@ref")
        if outcome.id in outcome_ids:
            raise OlxError(f"outcome[{outcome.id}]", gettext_noop("outcome is declared twice"))
        outcome_ids.add(outcome.id)
        number(outcome.threshold, f"outcome[{outcome.id}]/@threshold", low=0, high=100, above=True)
    seen: set[str] = set()
    for question in assessment.questions:
        _check_id(question.id, "question/@id")
        if question.id in seen:
            raise OlxError(_subject(question), gettext_noop("question id is used twice"))
        seen.add(question.id)
        _validate_question(question, outcome_ids)
    tagged = {ref for q in assessment.questions for ref in q.outcomes}
    for outcome in assessment.outcomes:
        if outcome.id not in tagged:
            raise OlxError(f"outcome[{outcome.id}]", gettext_noop("no question is tagged with this outcome"))
    return assessment


# ---------------------------------------------------------------------------------------------- answers


def normalise_text(text: str, case_sensitive: bool) -> str:
    """NFC, trimmed, single spaces; case-folded unless the author asked for exact case."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text if case_sensitive else text.casefold()


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
        return 1.0 if abs(value - question.answer) <= allowed + _EPSILON * max(1.0, abs(question.answer)) else 0.0
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
        correct = earned >= question.points - _EPSILON
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


# --------------------------------------------------------------------------------------- dict (storage)


def to_dict(assessment: Assessment) -> dict[str, Any]:
    """JSON-serialisable form stored in the block's content field (inverse of ``from_dict``)."""
    return json.loads(json.dumps(asdict(assessment)))  # tuples become lists, exactly as stored


_TEXT_FIELDS = ("prompt", "feedback_correct", "feedback_incorrect")
_BOOL_FIELDS = ("partial_credit", "tolerance_percent", "regex", "case_sensitive")
_LIST_FIELDS = ("outcomes", "accepted", "hints")


def _mapping(value: Any, subject: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise OlxError(subject, gettext_noop("must be an object"))
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise OlxError(f"{subject}/{unknown[0]}", gettext_noop("unknown field"))
    return value


def _typed(data: Mapping[str, Any], key: str, subject: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = data.get(key, default)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise OlxError(f"{subject}/{key}", gettext_noop("has the wrong type"))
    return value


def _texts(data: Mapping[str, Any], key: str, subject: str, *, verbatim: bool = False) -> tuple[str, ...]:
    values = _typed(data, key, subject, (list, tuple), [])
    if not all(isinstance(v, str) for v in values):
        raise OlxError(f"{subject}/{key}", gettext_noop("must be a list of texts"))
    return tuple(values) if verbatim else tuple(normalise_space(v) for v in values)


def _question_from_dict(data: Any, index: int) -> Question:
    subject = f"questions[{index}]"
    data = _mapping(data, subject, tuple(f.name for f in fields(Question)))
    subject = f"question[{_typed(data, 'id', subject, str, '')}]"
    number_or_none = (int, float, type(None))
    regex = _typed(data, "regex", subject, bool, False)
    choices = []
    for i, item in enumerate(_typed(data, "choices", subject, (list, tuple), [])):
        here = f"{subject}/choices[{i}]"
        choice = _mapping(item, here, ("id", "text", "correct", "feedback"))
        choices.append(
            Choice(
                _typed(choice, "id", here, str, ""),
                normalise_space(_typed(choice, "text", here, str, "")),
                _typed(choice, "correct", here, bool, False),
                normalise_space(_typed(choice, "feedback", here, str, "")),
            )
        )
    return Question(
        id=data.get("id", ""),
        kind=_typed(data, "kind", subject, str, ""),
        choices=tuple(choices),
        points=_typed(data, "points", subject, (int, float), 1.0),
        answer=_typed(data, "answer", subject, number_or_none, None),
        tolerance=_typed(data, "tolerance", subject, (int, float), 0.0),
        outcomes=_texts(data, "outcomes", subject),
        accepted=_texts(data, "accepted", subject, verbatim=regex),
        hints=_texts(data, "hints", subject),
        **{key: normalise_space(_typed(data, key, subject, str, "")) for key in _TEXT_FIELDS},
        **{key: _typed(data, key, subject, bool, False) for key in _BOOL_FIELDS},
    )


def from_dict(data: Any) -> Assessment:
    """Build and validate an assessment from its ``to_dict`` form (stored content or the Studio editor).

    Every value is type-checked, so untrusted editor input gets a message naming the field, never
    a ``TypeError``; texts are whitespace-normalised as the OLX parser does, so both paths agree.
    """
    data = _mapping(data, "content", ("outcomes", "questions"))
    outcomes = []
    for i, item in enumerate(_typed(data, "outcomes", "content", (list, tuple), [])):
        here = f"outcomes[{i}]"
        outcome = _mapping(item, here, ("id", "threshold"))
        outcomes.append(
            Outcome(_typed(outcome, "id", here, str, ""), _typed(outcome, "threshold", here, (int, float), 70.0))
        )
    questions = [
        _question_from_dict(q, i) for i, q in enumerate(_typed(data, "questions", "content", (list, tuple), []))
    ]
    return validate(Assessment(tuple(outcomes), tuple(questions)))


# -------------------------------------------------------------------------------------------------- OLX

_MATCH = {"exact": False, "regex": True}
_CASE = {"insensitive": False, "sensitive": True}
_SCORING = {"all-or-nothing": False, "partial": True}
_WHEN = ("correct", "incorrect")
_KIND_ATTRIBUTES = {
    "single": (),
    "multiple": ("scoring",),
    "numeric": ("answer", "tolerance"),
    "text": ("match", "case"),
}
_KIND_CHILDREN = {"single": ("choice",), "multiple": ("choice",), "numeric": (), "text": ("answer",)}


def _parse_choice(element: etree._Element, subject: str) -> Choice:
    choice_id = id_attr(element, "id", f"{subject}/choice")
    here = f"{subject}/choice[{choice_id}]"
    check_element(element, here, ("id", "correct"), ("feedback",))
    feedback = [plain_text(f, f"{here}/feedback") for f in element.findall("feedback")]
    if len(feedback) > 1:
        raise OlxError(f"{here}/feedback", gettext_noop("at most one per choice"))
    if any((child.tail or "").strip() for child in element):
        raise OlxError(here, gettext_noop("write the choice text before its feedback"))
    return Choice(
        choice_id, leading_text(element), bool_attr(element, "correct", here, False), feedback[0] if feedback else ""
    )


def _parse_tolerance(element: etree._Element, subject: str) -> tuple[float, bool]:
    text = attr(element, "tolerance", subject, "0")
    percent = text.endswith("%")
    high = 100 if percent else 1e15
    return number(text.removesuffix("%").strip(), f"{subject}/@tolerance", low=0, high=high), percent


def _parse_question(element: etree._Element) -> Question:
    question_id = id_attr(element, "id", "question")
    subject = f"question[{question_id}]"
    kind = choice_attr(element, "type", subject, {k: k for k in KINDS}, "single")
    check_element(
        element,
        subject,
        ("id", "type", "points", *_KIND_ATTRIBUTES[kind]),
        ("prompt", "outcome", "feedback", "hint", *_KIND_CHILDREN[kind]),
    )
    prompts = element.findall("prompt")
    if len(prompts) != 1:
        raise OlxError(f"{subject}/prompt", gettext_noop("exactly one prompt is required"))
    outcomes = []
    for ref in element.findall("outcome"):
        check_element(ref, f"{subject}/outcome", ("ref",))
        outcomes.append(id_attr(ref, "ref", f"{subject}/outcome"))
    general = {}
    for node in element.findall("feedback"):
        when = choice_attr(node, "on", f"{subject}/feedback", {w: w for w in _WHEN}, "")
        check_element(node, f"{subject}/feedback", ("on",))
        if when in general:
            raise OlxError(f"{subject}/feedback[@on={when}]", gettext_noop("at most one per question"))
        general[when] = plain_text(node, f"{subject}/feedback")
    fields: dict[str, Any] = {}
    if kind in ("single", "multiple"):
        fields["choices"] = tuple(_parse_choice(c, subject) for c in element.findall("choice"))
        fields["partial_credit"] = choice_attr(element, "scoring", subject, _SCORING, "all-or-nothing")
    elif kind == "numeric":
        fields["answer"] = number(attr(element, "answer", subject), f"{subject}/@answer", low=-1e15, high=1e15)
        fields["tolerance"], fields["tolerance_percent"] = _parse_tolerance(element, subject)
    else:
        fields["regex"] = choice_attr(element, "match", subject, _MATCH, "exact")
        fields["case_sensitive"] = choice_attr(element, "case", subject, _CASE, "insensitive")
        answers = element.findall("answer")
        for a in answers:
            check_element(a, f"{subject}/answer", ())
        # Patterns keep their exact text (spaces may matter); exact answers are whitespace-normalised.
        fields["accepted"] = tuple(
            (a.text or "") if fields["regex"] else plain_text(a, f"{subject}/answer") for a in answers
        )
    return Question(
        id=question_id,
        kind=kind,
        prompt=plain_text(prompts[0], f"{subject}/prompt"),
        outcomes=tuple(outcomes),
        points=number_attr(element, "points", subject, 1.0, low=0, high=MAX_POINTS, above=True),
        feedback_correct=general.get("correct", ""),
        feedback_incorrect=general.get("incorrect", ""),
        hints=tuple(plain_text(h, f"{subject}/hint") for h in element.findall("hint")),
        **fields,
    )


def parse_children(root: etree._Element) -> Assessment:
    """Read ``<outcome>`` and ``<question>`` children of an assessment element and validate them.

    The caller checks the root's own attributes (they are XBlock settings, not content).
    """
    for child in root:
        if isinstance(child.tag, str) and child.tag not in ("outcome", "question"):
            raise OlxError(child.tag, gettext_noop("unknown element here"))
    outcomes = []
    for element in root.findall("outcome"):
        check_element(element, "outcome", ("ref", "threshold"))
        ref = id_attr(element, "ref", "outcome")
        outcomes.append(
            Outcome(
                ref,
                number_attr(element, "threshold", f"outcome[{ref}]", DEFAULT_THRESHOLD, low=0, high=100, above=True),
            )
        )
    return validate(Assessment(tuple(outcomes), tuple(_parse_question(q) for q in root.findall("question"))))


def _question_attributes(question: Question) -> dict[str, str]:
    attributes = {"id": question.id, "type": question.kind}
    if question.points != 1.0:
        attributes["points"] = format_number(question.points)
    if question.kind == "multiple" and question.partial_credit:
        attributes["scoring"] = "partial"
    elif question.kind == "numeric":
        assert question.answer is not None
        attributes["answer"] = format_number(question.answer)
        if question.tolerance:
            attributes["tolerance"] = format_number(question.tolerance) + ("%" if question.tolerance_percent else "")
    elif question.kind == "text":
        attributes["match"] = "regex" if question.regex else "exact"
        attributes["case"] = "sensitive" if question.case_sensitive else "insensitive"
    return attributes


def add_children(root: etree._Element, assessment: Assessment) -> None:
    """Write ``assessment`` as ``<outcome>``/``<question>`` children of ``root`` (inverse of ``parse_children``)."""
    for outcome in assessment.outcomes:
        sub_element(root, "outcome", ref=outcome.id, threshold=format_number(outcome.threshold))
    for question in assessment.questions:
        element = sub_element(root, "question", **_question_attributes(question))
        sub_element(element, "prompt", question.prompt)
        for ref in question.outcomes:
            sub_element(element, "outcome", ref=ref)
        for choice in question.choices:
            node = sub_element(
                element, "choice", choice.text, id=choice.id, correct="true" if choice.correct else "false"
            )
            if choice.feedback:
                sub_element(node, "feedback", choice.feedback)
        for accepted in question.accepted:
            sub_element(element, "answer", accepted)
        for when, text in zip(_WHEN, (question.feedback_correct, question.feedback_incorrect), strict=True):
            if text:
                sub_element(element, "feedback", text, on=when)
        for hint in question.hints:
            sub_element(element, "hint", hint)
