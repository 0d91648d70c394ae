"""The question model in its two stored forms: the block's content dict (``to_dict``/``from_dict``) and
OLX children of the assessment element (``parse_children``/``add_children``). Both validate what they read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, fields
from typing import Any

from lxml import etree

from badge_issuer.i18n import gettext_noop

from .olx import (
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
from .questions import DEFAULT_THRESHOLD, KINDS, MAX_POINTS, Assessment, Choice, Outcome, Question, validate

# --------------------------------------------------------------------------------------- dict (storage)


def to_dict(assessment: Assessment) -> dict[str, Any]:
    """JSON-serialisable form stored in the block's content field (inverse of ``from_dict``)."""
    return json.loads(json.dumps(asdict(assessment)))  # tuples become lists, exactly as stored


_TEXT_FIELDS = ("prompt", "feedback_correct", "feedback_incorrect")
_BOOL_FIELDS = ("partial_credit", "tolerance_percent", "regex", "case_sensitive")


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
