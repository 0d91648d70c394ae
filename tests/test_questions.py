"""Question model, author validation, server-side scoring and OLX of the outcome assessment (no runtime)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from microcredential_xblock.blocks import olx, question_formats, scoring
from microcredential_xblock.blocks import questions as Q
from microcredential_xblock.blocks.olx import OlxError
from microcredential_xblock.blocks.scoring import AnswerError

OLX_DIR = Path(__file__).parent / "data" / "olx"
FIXTURES = sorted(OLX_DIR.glob("assessment-*.xml"))


def load(name: str = "assessment-all-kinds.xml") -> Q.Assessment:
    return question_formats.parse_children(etree.parse(str(OLX_DIR / name)).getroot())


def parse(body: str) -> Q.Assessment:
    return question_formats.parse_children(olx.parse_snippet(f"<outcome_assessment>{body}</outcome_assessment>", "olx"))


def one_question(question: str, threshold: str = "70") -> str:
    return f'<outcome ref="lo" threshold="{threshold}"/>{question}'


def single(extra: str = "", attrs: str = "", threshold: str = "70") -> str:
    return one_question(
        f'<question id="q" type="single" {attrs}><prompt>P</prompt><outcome ref="lo"/>'
        f'<choice id="a" correct="true">A</choice><choice id="b" correct="false">B</choice>{extra}</question>',
        threshold,
    )


@pytest.fixture(scope="module")
def kinds() -> Q.Assessment:
    return load()


# ------------------------------------------------------------------------------------------------ scoring


def test_single_choice_scores_only_the_correct_choice(kinds):
    assert scoring.score(kinds, {"q1": "b"}).questions[0].earned == 1
    assert scoring.score(kinds, {"q1": "a"}).questions[0].earned == 0


def test_multiple_choice_partial_credit_subtracts_wrong_picks(kinds):
    # q2 is worth 2 points with two correct choices (a, b) and one wrong (c).
    by_answer = {
        ("a", "b"): 2.0,
        ("a",): 1.0,
        ("a", "c"): 0.0,
        ("a", "b", "c"): 1.0,
        ("c",): 0.0,
    }
    for picked, expected in by_answer.items():
        assert scoring.score(kinds, {"q2": list(picked)}).questions[1].earned == pytest.approx(expected), picked


def test_multiple_choice_is_all_or_nothing_by_default(kinds):
    strict = replace(kinds, questions=tuple(replace(q, partial_credit=False) for q in kinds.questions))
    assert scoring.score(strict, {"q2": ["a"]}).questions[1].earned == 0
    assert scoring.score(strict, {"q2": ["b", "a"]}).questions[1].earned == 2


@pytest.mark.parametrize(
    ("answer", "earned"),
    [(25, 1), ("25.5", 1), ("24,5", 1), (25.51, 0), ("24.4", 0), (" 25 ", 1), ("1e1", 0)],
)
def test_numeric_absolute_tolerance_and_decimal_comma(kinds, answer, earned):
    assert scoring.score(kinds, {"q3": answer}).questions[2].earned == earned


@pytest.mark.parametrize(("answer", "earned"), [(1530, 1), (1470, 1), (1530.5, 0), (1469, 0)])
def test_numeric_percent_tolerance_is_relative_to_the_answer(kinds, answer, earned):
    assert scoring.score(kinds, {"q4": answer}).questions[3].earned == earned


def test_numeric_zero_tolerance_accepts_the_exact_value_despite_float_noise():
    assessment = parse(
        one_question('<question id="q" type="numeric" answer="0.3"><prompt>P</prompt><outcome ref="lo"/></question>')
    )
    assert scoring.score(assessment, {"q": 0.1 + 0.2}).earned == 1
    assert scoring.score(assessment, {"q": 0.31}).earned == 0


@pytest.mark.parametrize(
    ("answer", "earned"),
    [("EQF", 1), ("eqf", 1), ("  european   qualifications\tframework ", 1), ("EQ F", 0), ("NQF", 0)],
)
def test_text_exact_case_insensitive_with_whitespace_normalised(kinds, answer, earned):
    assert scoring.score(kinds, {"q5": answer}).questions[4].earned == earned


def test_text_exact_case_sensitive():
    assessment = parse(
        one_question(
            '<question id="q" type="text" match="exact" case="sensitive"><prompt>P</prompt><outcome ref="lo"/>'
            "<answer>ECTS</answer></question>"
        )
    )
    assert scoring.score(assessment, {"q": "ECTS"}).earned == 1
    assert scoring.score(assessment, {"q": "ects"}).earned == 0


def test_text_unicode_forms_compare_equal():
    assessment = parse(
        one_question(
            '<question id="q" type="text"><prompt>P</prompt><outcome ref="lo"/><answer>Qualität</answer></question>'
        )
    )
    assert scoring.score(assessment, {"q": "Qualita\u0308t"}).earned == 1  # decomposed umlaut


@pytest.mark.parametrize(("answer", "earned"), [("0413", 1), ("413", 0), ("04131", 0), ("x0413", 0)])
def test_text_pattern_must_match_the_whole_answer(kinds, answer, earned):
    assert scoring.score(kinds, {"q6": answer}).questions[5].earned == earned


def test_pattern_case_rule_applies():
    body = (
        '<question id="q" type="text" match="regex" case="{}"><prompt>P</prompt><outcome ref="lo"/>'
        "<answer>eqf</answer></question>"
    )
    assert scoring.score(parse(one_question(body.format("insensitive"))), {"q": "EQF"}).earned == 1
    assert scoring.score(parse(one_question(body.format("sensitive"))), {"q": "EQF"}).earned == 0


def test_unanswered_questions_earn_nothing_and_get_no_feedback(kinds):
    result = scoring.score(kinds, {"q1": "b"})
    assert result.earned == 1 and result.possible == 7
    assert all(r.feedback == () for r in result.questions[1:])


def test_feedback_per_choice_and_general(kinds):
    result = scoring.score(kinds, {"q1": "a", "q2": ["a", "b"]})
    assert result.questions[0].feedback == ("Understanding cannot be observed directly.",)
    assert result.questions[1].feedback == ("Both are mandatory elements of the Council Recommendation.",)
    assert scoring.score(kinds, {"q2": ["a"]}).questions[1].feedback == ("Check the list of mandatory elements.",)


def test_outcome_fractions_and_thresholds(kinds):
    # lo-write-outcomes: q1 (1) + q2 (2) + q5 (1) = 4 points, threshold 70.
    # lo-assess-outcomes: q2 (2) + q3 + q4 + q6 = 5 points, threshold 50.
    result = scoring.score(kinds, {"q1": "b", "q2": ["a"], "q5": "EQF", "q3": 25, "q4": 1})
    outcomes = {o.id: o for o in result.outcomes}
    assert outcomes["lo-write-outcomes"].earned == 3 and outcomes["lo-write-outcomes"].possible == 4
    assert outcomes["lo-write-outcomes"].percent == 75
    assert outcomes["lo-assess-outcomes"].percent == pytest.approx(40)
    assert result.validated_outcomes == ("lo-write-outcomes",)


def test_threshold_is_inclusive_even_for_repeating_fractions():
    questions = "".join(
        f'<question id="q{i}" type="single"><prompt>P</prompt><outcome ref="lo"/>'
        f'<choice id="a" correct="true">A</choice><choice id="b" correct="false">B</choice></question>'
        for i in range(3)
    )
    assessment = parse(f'<outcome ref="lo" threshold="{200 / 3!r}"/>{questions}')
    assert scoring.score(assessment, {"q0": "a", "q1": "a"}).validated_outcomes == ("lo",)
    assert scoring.score(assessment, {"q0": "a"}).validated_outcomes == ()


# ------------------------------------------------------------------------------------------------ answers


@pytest.mark.parametrize(
    ("answers", "subject"),
    [
        ({"nope": "a"}, "nope"),
        ({"q1": "z"}, "q1"),
        ({"q1": ["b"]}, "q1"),
        ({"q2": "a"}, "q2"),
        ({"q2": ["a", "a"]}, "q2"),
        ({"q2": ["a", 3]}, "q2"),
        ({"q3": "twenty"}, "q3"),
        ({"q3": True}, "q3"),
        ({"q3": "nan"}, "q3"),
        ({"q3": "inf"}, "q3"),
        ({"q3": "1" * 65}, "q3"),
        ({"q3": [25]}, "q3"),
        ({"q5": 5}, "q5"),
        ({"q5": "x" * (Q.MAX_TEXT_ANSWER + 1)}, "q5"),
    ],
)
def test_wrong_answer_shapes_are_refused_naming_the_question(kinds, answers, subject):
    with pytest.raises(AnswerError) as caught:
        scoring.score(kinds, answers)
    assert caught.value.subject == subject


def test_answers_must_be_a_mapping(kinds):
    with pytest.raises(AnswerError):
        scoring.normalise_answers(kinds, ["q1", "b"])


def test_normalise_answers_is_idempotent(kinds):
    once = scoring.normalise_answers(kinds, {"q2": ["b", "a"], "q3": "24,5", "q5": "EQF"})
    assert once == {"q2": ["a", "b"], "q3": 24.5, "q5": "EQF"}
    assert scoring.normalise_answers(kinds, once) == once


# ---------------------------------------------------------------------------------------- author validation


@pytest.mark.parametrize(
    ("body", "subject", "words"),
    [
        (single().replace('correct="false"', 'correct="true"'), "question[q]/choice", "exactly one correct"),
        (single().replace('correct="true"', 'correct="false"'), "question[q]/choice", "exactly one correct"),
        (
            single().replace('<outcome ref="lo"/><choice', '<outcome ref="other"/><choice'),
            "question[q]/outcome[other]",
            "not declared",
        ),
        (single().replace('<outcome ref="lo" threshold="70"/>', ""), "outcome", "at least one outcome"),
        (single() + '<outcome ref="unused"/>', "outcome[unused]", "no question"),
        (single(attrs='points="0"'), "question[q]/@points", "greater than 0"),
        (single(attrs='points="many"'), "question[q]/@points", "greater than 0"),
        (single(attrs='tolerance="1"'), "question[q]/@tolerance", "unknown attribute"),
        (single(extra="<answer>A</answer>"), "question[q]/answer", "unknown element"),
        (single(extra="<hint><b>bold</b></hint>"), "question[q]/hint/b", "plain text"),
        (single(extra='<feedback on="sometimes">x</feedback>'), "question[q]/feedback/@on", "one of"),
        (single(threshold="0"), "outcome[lo]/@threshold", "greater than 0 and at most 100"),
        (single(threshold="101"), "outcome[lo]/@threshold", "at most 100"),
        (single().replace('id="b"', 'id="a"'), "question[q]/choice[a]", "used twice"),
        (single().replace('<choice id="b" correct="false">B</choice>', ""), "question[q]/choice", "2 to"),
        (single().replace("<prompt>P</prompt>", ""), "question[q]/prompt", "exactly one prompt"),
        (single().replace('id="q"', 'id="has space"'), "question/@id", "letters"),
        (single().replace('type="single"', 'type="essay"'), "question[q]/@type", "one of"),
        (single() + single().replace('<outcome ref="lo" threshold="70"/>', ""), "question[q]", "used twice"),
        (
            one_question('<question id="q" type="numeric"><prompt>P</prompt><outcome ref="lo"/></question>'),
            "question[q]/@answer",
            "required",
        ),
        (
            one_question(
                '<question id="q" type="numeric" answer="1" tolerance="-1"><prompt>P</prompt>'
                '<outcome ref="lo"/></question>'
            ),
            "question[q]/@tolerance",
            "number from",
        ),
        (
            one_question(
                '<question id="q" type="numeric" answer="1" tolerance="150%"><prompt>P</prompt>'
                '<outcome ref="lo"/></question>'
            ),
            "question[q]/@tolerance",
            "number from",
        ),
        (
            one_question('<question id="q" type="text"><prompt>P</prompt><outcome ref="lo"/></question>'),
            "question[q]/answer",
            "at least one",
        ),
        (
            one_question(
                '<question id="q" type="text" match="fuzzy"><prompt>P</prompt><outcome ref="lo"/>'
                "<answer>x</answer></question>"
            ),
            "question[q]/@match",
            "one of",
        ),
        (
            one_question(
                '<question id="q" type="text" match="regex"><prompt>P</prompt><outcome ref="lo"/>'
                "<answer>(unclosed</answer></question>"
            ),
            "question[q]/answer[1]",
            "not a valid",
        ),
        (
            one_question(
                '<question id="q" type="text" match="regex"><prompt>P</prompt><outcome ref="lo"/>'
                f"<answer>{'a' * (Q.MAX_PATTERN + 1)}</answer></question>"
            ),
            "question[q]/answer[1]",
            "longer than",
        ),
        ('<question id="q"/><essay/>', "essay", "unknown element"),
    ],
)
def test_author_errors_name_the_question_and_field(body, subject, words):
    with pytest.raises(OlxError) as caught:
        parse(body)
    assert caught.value.subject == subject
    assert words in caught.value.reason


#: Patterns that backtrack catastrophically in Python's ``re`` (issue 11, item 4): the first two
#: passed the old shape check and cost 5 s of CPU on a 150-character answer.
EVIL_PATTERNS = ["\\w*\\w*\\w*\\w*\\w*!", "\\d*\\d*\\d*\\d*\\d*\\d*x", "(a+)+$", "(a|aa)*b", "(x+x+)+y", "([a-z]+\\d)+"]


def _regex_question(pattern: str, case: str = "insensitive") -> str:
    return (
        f'<question id="q" type="text" match="regex" case="{case}"><prompt>P</prompt><outcome ref="lo"/>'
        f"<answer>{pattern}</answer></question>"
    )


@pytest.mark.parametrize("pattern", EVIL_PATTERNS)
def test_patterns_run_on_a_linear_time_engine(pattern, monkeypatch):
    """Hostile patterns are accepted, but matched by RE2 (linear in the answer), never by ``re``."""
    assessment = parse(one_question(_regex_question(pattern)))
    matcher = Q.compiled_pattern(pattern, case_sensitive=False)
    assert type(matcher).__module__ == "re2"

    def backtracking(*args, **kwargs):
        raise AssertionError("Python's backtracking re must not match learner answers")

    monkeypatch.setattr(Q.re, "fullmatch", backtracking)
    monkeypatch.setattr(Q.re, "match", backtracking)
    for filler in "a1x":  # near misses, the answers that make a backtracking engine explode
        assert scoring.score(assessment, {"q": filler * (Q.MAX_TEXT_ANSWER - 1) + "\u2603"}).earned == 0


@pytest.mark.parametrize(
    ("pattern", "words"),
    [("(a)\\1", "cannot run"), ("(?=a)a", "cannot run"), ("(?!x)y", "cannot run"), ("(unclosed", "not a valid")],
)
def test_patterns_the_engine_cannot_run_are_refused_by_field(pattern, words):
    with pytest.raises(OlxError) as caught:
        parse(one_question(_regex_question(pattern)))
    assert caught.value.subject == "question[q]/answer[1]" and words in caught.value.reason


@pytest.mark.parametrize(
    ("pattern", "answer", "case"),
    [
        ("[0-9]{4}", "2026", "sensitive"),
        ("colou?r", "COLOR", "insensitive"),
        ("(ab|cd)+", "abcdab", "sensitive"),
        ("eqf ?[1-8]", "EQF 4", "insensitive"),
        ("ελλάδα", "ΕΛΛΆΔΑ", "insensitive"),
        ("\\pL+", "Straße", "sensitive"),
    ],
)
def test_ordinary_patterns_match_as_authors_expect(pattern, answer, case):
    assessment = parse(one_question(_regex_question(pattern, case)))
    assert scoring.score(assessment, {"q": answer}).earned == 1


def test_snippet_refuses_entities_and_doctype():
    with pytest.raises(OlxError, match="DOCTYPE"):
        olx.parse_snippet('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "olx")
    with pytest.raises(OlxError, match="too large"):
        olx.parse_snippet("<x>" + " " * olx.MAX_SNIPPET_BYTES + "</x>", "olx")
    with pytest.raises(OlxError, match="well-formed"):
        olx.parse_snippet("<x>", "olx")


def test_choice_text_after_feedback_is_refused_not_lost():
    with pytest.raises(OlxError, match="before its feedback"):
        parse(single().replace(">A</choice>", ">A<feedback>f</feedback>tail</choice>"))


def test_error_messages_translate_with_parameters():
    err = OlxError("x", "needs 2 to %(limit)d choices", limit=20)
    assert err.reason == "needs 2 to 20 choices"
    assert err.translated(lambda s: s.replace("needs", "braucht")) == "braucht 2 to 20 choices"


# -------------------------------------------------------------------------------------------- OLX round trip


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_olx_round_trip_is_exact(path):
    root = etree.parse(str(path)).getroot()
    first = question_formats.parse_children(root)
    exported = etree.Element("outcome_assessment")
    question_formats.add_children(exported, first)
    text = olx.to_string(exported)
    second = question_formats.parse_children(olx.parse_snippet(text, "export"))
    assert second == first
    again = etree.Element("outcome_assessment")
    question_formats.add_children(again, second)
    assert olx.to_string(again) == text
    # The fixtures are written in the exported form: nothing is reordered, added or dropped.
    for child in root:
        child.tail = None
    expected = [etree.tostring(c, method="c14n2", strip_text=True) for c in root]
    assert [etree.tostring(c, method="c14n2", strip_text=True) for c in exported] == expected


def test_storage_dict_round_trip(kinds):
    assert question_formats.from_dict(question_formats.to_dict(kinds)) == kinds


def test_stored_dict_is_validated_again(kinds):
    data = question_formats.to_dict(kinds)
    data["questions"][0]["choices"][0]["correct"] = True  # two correct choices in a single-choice question
    with pytest.raises(OlxError, match="exactly one correct"):
        question_formats.from_dict(data)


def _edited(change):
    data = json.loads(json.dumps(question_formats.to_dict(load())))  # what the Studio editor sends: plain JSON
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "subject", "words"),
    [
        (lambda d: d.update(outcomes="lo-1"), "content/outcomes", "wrong type"),
        (lambda d: d.update(extra=1), "content/extra", "unknown field"),
        (lambda d: d["questions"][0].update(prompt=5), "question[q1]/prompt", "wrong type"),
        (lambda d: d["questions"][0].update(points="2"), "question[q1]/points", "wrong type"),
        (lambda d: d["questions"][0].update(points=True), "question[q1]/points", "wrong type"),
        (lambda d: d["questions"][0].update(grader="x"), "questions[0]/grader", "unknown field"),
        (lambda d: d["questions"][0].update(hints=[1]), "question[q1]/hints", "list of texts"),
        (lambda d: d["questions"][0].update(id="bad id"), "question/@id", "letters"),
        (
            lambda d: d["questions"][0]["choices"][0].update(correct="true"),
            "question[q1]/choices[0]/correct",
            "wrong type",
        ),
        (lambda d: d["questions"][0]["choices"][0].update(id=""), "question[q1]/choice/@id", "letters"),
        (lambda d: d["questions"][2].update(answer="25"), "question[q3]/answer", "wrong type"),
        (lambda d: d["questions"].append([]), "questions[6]", "must be an object"),
        (lambda d: d["outcomes"].append({"id": "lo-x", "threshold": None}), "outcomes[2]/threshold", "wrong type"),
    ],
)
def test_editor_content_is_type_checked_field_by_field(change, subject, words):
    with pytest.raises(OlxError) as caught:
        question_formats.from_dict(_edited(change))
    assert (caught.value.subject, words in caught.value.reason) == (subject, True)


@pytest.mark.parametrize(
    ("index", "extra", "name"),
    [
        (0, {"answer": 3.0}, "answer"),
        (0, {"accepted": ["b"]}, "accepted"),
        (0, {"partial_credit": True}, "scoring"),
        (2, {"choices": [{"id": "a", "text": "A"}]}, "choices"),
        (2, {"regex": True}, "match"),
        (4, {"tolerance": 1.0}, "tolerance"),
    ],
)
def test_fields_of_another_question_type_are_refused(index, extra, name):
    """They would be exported as OLX that no longer parses, so the model never holds them."""
    data = _edited(lambda d: d["questions"][index].update(extra))
    with pytest.raises(OlxError, match="does not apply") as caught:
        question_formats.from_dict(data)
    assert caught.value.subject.endswith("/" + name)


def test_editor_texts_are_normalised_like_olx_so_both_paths_agree():
    data = _edited(lambda d: d["questions"][0].update(prompt="  Which verb\n makes a learning outcome observable? "))
    assert question_formats.from_dict(data) == load()
    with pytest.raises(OlxError, match="must be an object"):
        question_formats.from_dict([])


def test_the_editor_shows_the_refusal_next_to_the_question(monkeypatch):
    """Through the Studio handler: a 400 naming the field (content) and the path of the pattern."""
    from tests.test_assessment_block import Course, post, reset_toy_state  # noqa: PLC0415

    reset_toy_state(monkeypatch)
    block = Course().learner("staff")
    content = json.loads(json.dumps(block.data))
    text = next(q for q in content["questions"] if q["kind"] == "text")
    text.update(regex=True, accepted=["(a)\\1"])
    status, reply = post(block, "studio_submit", {"content": content})
    assert (status, reply["field"]) == (400, "content")
    assert reply["path"] == f"question[{text['id']}]/answer[1]" and "cannot run" in reply["error"]
