"""The submit and Studio handlers through the runtime: 4xx JSON for every bad input, attempts, grades, rescoring."""

from __future__ import annotations

import json

import pytest
from django.utils import translation
from lxml import etree
from webob import Request

from microcredential_xblock import compat
from microcredential_xblock.blocks import handoff, olx, question_formats
from microcredential_xblock.blocks.assessment import MAX_SUBMIT_BYTES
from microcredential_xblock.service import api
from tests.service_fixtures import MC_BLOCK, RULES, example_definition
from tests.test_assessment_block import (
    ALL_KINDS,
    ALL_RIGHT,
    Course,
    init_data,
    install_fake_service,
    post,
    reset_toy_state,
)


@pytest.fixture(autouse=True)
def fresh_toy_state(monkeypatch):
    reset_toy_state(monkeypatch)


@pytest.fixture
def fake_service(monkeypatch):
    return install_fake_service(monkeypatch)


OWN_ANSWER_FIELDS = ("attempts", "last_answers", "best_answers", "raw_earned", "last_result", "best_outcomes")


def _state(block) -> dict:
    return {name: getattr(block, name) for name in OWN_ANSWER_FIELDS}


# --------------------------------------------------------------------------------------------- happy path


def test_correct_submission_scores_grades_completes_and_records_evidence(fake_service):
    block = Course().learner()
    status, body = post(block, "submit", {"answers": ALL_RIGHT})
    assert status == 200
    assert body["score"] == {"earned": 7.0, "possible": 7.0, "percent": 100.0}
    assert body["validated_outcomes"] == ["lo-write-outcomes", "lo-assess-outcomes"]
    assert (body["attempts"], body["attempts_left"]) == (1, 2)
    assert all(q["correct"] for q in body["questions"])
    assert block.runtime.of_type("grade") == [{"value": 2.0, "max_value": 2.0, "only_if_higher": None}]
    assert block.runtime.of_type("completion") == [{"completion": 1.0}]
    ((learner, course_key, usage_key, outcomes, score, max_score),) = fake_service.calls
    assert learner == ("student_1", "student_1@learners.microvet.invalid", "")
    assert usage_key == str(block.scope_ids.usage_id) and course_key.startswith("workbench:")
    assert outcomes == {"lo-write-outcomes": (1.0, True), "lo-assess-outcomes": (1.0, True)}
    assert (score, max_score) == (7.0, 7.0)


def test_partial_submission_reports_outcomes_and_feedback(fake_service):
    block = Course().learner()
    status, body = post(block, "submit", {"answers": {"q1": "a", "q2": ["a", "b"], "q5": "eqf"}})
    assert status == 200
    outcomes = {o["id"]: o for o in body["outcomes"]}
    assert outcomes["lo-write-outcomes"]["percent"] == 75.0 and outcomes["lo-write-outcomes"]["validated"]
    assert outcomes["lo-assess-outcomes"]["percent"] == 40.0 and not outcomes["lo-assess-outcomes"]["validated"]
    q1 = body["questions"][0]
    assert not q1["correct"] and q1["feedback"] == ["Understanding cannot be observed directly."]
    assert q1["hints"] == ["Think of what an assessor can see."]
    (call,) = fake_service.calls
    assert call[3]["lo-assess-outcomes"] == (0.4, False)


def test_feedback_hidden_when_the_author_says_so(fake_service):
    course = Course(ALL_KINDS.replace('show_feedback="true"', 'show_feedback="false"'))
    block = course.learner()
    status, body = post(block, "submit", {"answers": {"q1": "a"}})
    assert status == 200 and "questions" not in body
    assert "Understanding" not in json.dumps(body) and "Think of" not in json.dumps(body)
    assert body["score"]["earned"] == 0 and body["outcomes"]


def test_user_state_handler_returns_only_the_learners_state(fake_service):
    course = Course()
    post(course.learner(), "submit", {"answers": {"q1": "b"}})
    response = course.learner().runtime.handle(course.learner(), "student_view_user_state", _get())
    state = json.loads(response.body)
    assert state["attempts"] == 1 and state["answers"] == {"q1": "b"} and state["attempts_left"] == 2
    other = course.learner("student_2")
    assert json.loads(other.runtime.handle(other, "student_view_user_state", _get()).body)["attempts"] == 0


def _get():
    return Request.blank("/")


# ---------------------------------------------------------------------------------------------- bad input

BAD_BODIES = [
    ("not JSON", b"{answers:", 400, None),
    ("not UTF-8", b'{"answers": {"q5": "\xff"}}', 400, None),
    ("deeply nested", b"[" * 15000 + b"]" * 15000, 400, None),
    ("array body", b'[{"q1": "b"}]', 400, None),
    ("string body", b'"q1"', 400, None),
    ("oversized", json.dumps({"answers": {"q5": "x" * MAX_SUBMIT_BYTES}}).encode(), 413, None),
    ("unknown top-level field", b'{"answers": {"q1": "b"}, "score": 100}', 400, "score"),
    ("no answers", b"{}", 400, "answers"),
    ("empty answers", b'{"answers": {}}', 400, "answers"),
    ("answers not an object", b'{"answers": [["q1", "b"]]}', 400, "answers"),
    ("unknown question id", b'{"answers": {"q99": "b"}}', 400, "q99"),
    ("single choice as list", b'{"answers": {"q1": ["b"]}}', 400, "q1"),
    ("unknown choice id", b'{"answers": {"q1": "z"}}', 400, "q1"),
    ("multiple choice as string", b'{"answers": {"q2": "a"}}', 400, "q2"),
    ("multiple choice with a number", b'{"answers": {"q2": ["a", 1]}}', 400, "q2"),
    ("number as object", b'{"answers": {"q3": {"value": 25}}}', 400, "q3"),
    ("number as boolean", b'{"answers": {"q3": true}}', 400, "q3"),
    ("number as text", b'{"answers": {"q3": "about twenty"}}', 400, "q3"),
    ("number as NaN", b'{"answers": {"q3": NaN}}', 400, "q3"),
    ("text as number", b'{"answers": {"q5": 42}}', 400, "q5"),
    ("text too long", json.dumps({"answers": {"q5": "x" * 301}}).encode(), 400, "q5"),
    ("another learner's id", b'{"answers": {"q1": "b"}, "user_id": "student_2"}', 403, "user_id"),
]


@pytest.mark.parametrize(("raw", "status", "field"), [b[1:] for b in BAD_BODIES], ids=[b[0] for b in BAD_BODIES])
def test_bad_input_is_a_4xx_json_error_and_costs_nothing(fake_service, raw, status, field):
    block = Course().learner()
    before = _state(block)
    got, body = post(block, "submit", raw=raw)
    assert got == status
    assert isinstance(body["error"], str) and body["error"]
    assert body.get("field") == field
    assert _state(block) == before
    assert block.runtime.events == [] and fake_service.calls == []


def test_get_is_refused_with_405(fake_service):
    got, body = post(Course().learner(), "submit", method="GET")
    assert got == 405 and body["error"]


def test_own_user_id_in_the_body_is_accepted(fake_service):
    assert post(Course().learner(), "submit", {"answers": {"q1": "b"}, "user_id": "student_1"})[0] == 200


def test_error_messages_are_translated(fake_service):
    """Through the runtime's i18n service (XBlock's own here: the package catalog of the Django language)."""
    with translation.override("de"):
        block = Course().learner()
        assert post(block, "submit", raw=b"{")[1]["error"] == "Die Anfrage ist kein gültiges JSON."
        assert (
            post(block, "submit", {"answers": {"q3": "x"}})[1]["error"] == "Geben Sie eine Zahl ein, zum Beispiel 12.5."
        )


# ----------------------------------------------------------------------------------------------- attempts


def test_attempts_beyond_the_maximum_are_refused(fake_service):
    block = Course().learner()
    for left in (2, 1, 0):
        status, body = post(block, "submit", {"answers": {"q1": "a"}})
        assert status == 200 and body["attempts_left"] == left
    status, body = post(block, "submit", {"answers": ALL_RIGHT})
    assert status == 409 and "all your attempts" in body["error"]
    assert block.attempts == 3 and len(fake_service.calls) == 3
    assert block.get_score().raw_earned == 0  # the refused perfect answer did not count


def test_zero_max_attempts_means_unlimited(fake_service):
    block = Course(ALL_KINDS.replace('max_attempts="3"', 'max_attempts="0"')).learner()
    for _ in range(5):
        status, body = post(block, "submit", {"answers": {"q1": "a"}})
        assert status == 200 and body["attempts_left"] is None


def test_attempts_are_per_learner(fake_service):
    course = Course()
    for _ in range(3):
        post(course.learner("student_1"), "submit", {"answers": {"q1": "a"}})
    assert post(course.learner("student_1"), "submit", {"answers": {"q1": "a"}})[0] == 409
    assert post(course.learner("student_2"), "submit", {"answers": {"q1": "a"}})[0] == 200


def test_hints_are_revealed_one_more_per_attempt(fake_service):
    xml = ALL_KINDS.replace(
        "<hint>Think of what an assessor can see.</hint>", "<hint>First hint</hint><hint>Second hint</hint>"
    )
    block = Course(xml).learner()
    hints = [post(block, "submit", {"answers": {"q1": "a"}})[1]["questions"][0]["hints"] for _ in range(3)]
    assert hints == [["First hint"], ["First hint", "Second hint"], ["First hint", "Second hint"]]


# ---------------------------------------------------------------------------------------------- grading


def test_grade_is_published_only_when_it_improves(fake_service):
    block = Course(ALL_KINDS.replace('max_attempts="3"', 'max_attempts="0"')).learner()
    for answers in ({"q1": "a"}, {"q1": "b"}, {"q1": "a"}, {"q1": "b"}, ALL_RIGHT):
        assert post(block, "submit", {"answers": answers})[0] == 200
    values = [event["value"] for event in block.runtime.of_type("grade")]
    assert values == [0.0, pytest.approx(2 / 7), 2.0]  # first attempt, first improvement, perfect score
    assert block.runtime.of_type("completion") == [{"completion": 1.0}] * 5
    assert block.get_score() == (2.0, 2.0)
    assert block.best_answers == {**ALL_RIGHT, "q2": ["a", "b"], "q3": 25.0, "q4": 1500.0}


def test_rescoring_uses_the_best_answers_under_the_current_questions(fake_service):
    block = Course().learner()
    post(block, "submit", {"answers": {"q1": "b", "q5": "EQF"}})
    assert block.get_score().raw_earned == pytest.approx(4 / 7)
    # The author fixes q1: "a" becomes correct and "b" wrong.
    data = block.data
    for choice in data["questions"][0]["choices"]:
        choice["correct"] = choice["id"] == "a"
    block.data = data
    block.runtime.events.clear()
    block.rescore(only_if_higher=True)
    assert block.runtime.of_type("grade") == [{"value": pytest.approx(2 / 7), "max_value": 2.0, "only_if_higher": True}]
    assert block.get_score().raw_earned == pytest.approx(4 / 7)  # lower: the stored score is kept
    block.rescore(only_if_higher=False)
    assert block.get_score().raw_earned == pytest.approx(2 / 7)
    # Each rescore re-sent the evidence of the best answers under the corrected key.
    _submission, *rescored = fake_service.calls
    assert len(rescored) == 2
    assert rescored[-1][3]["lo-write-outcomes"] == (0.25, False) and rescored[-1][4:] == (1.0, 7.0)


def test_rescoring_an_unanswered_problem_is_refused():
    block = Course().learner()
    block.location = block.scope_ids.usage_id  # XBlock's message uses the platform's `location`
    with pytest.raises(ValueError, match="unanswered"):
        block.rescore(only_if_higher=False)


def test_max_score_is_the_weight():
    block = Course().learner()
    assert block.max_score() == 2.0 and block.has_score
    assert block.get_score() == (0.0, 2.0) and not block.has_submitted_answer()


# ------------------------------------------------------------------------------------- evidence service


def test_refused_evidence_is_a_configuration_error_and_costs_no_attempt(fake_service):
    fake_service.error = fake_service.InvalidInput("outcome_scores['lo-x']: unknown outcome")
    block = Course().learner()
    status, body = post(block, "submit", {"answers": ALL_RIGHT})
    assert status == 409 and "course team" in body["error"]
    assert block.attempts == 0 and block.runtime.events == []


def test_storage_failure_is_503_and_costs_no_attempt(fake_service):
    fake_service.error = ConnectionError("database went away")
    block = Course().learner()
    status, body = post(block, "submit", {"answers": ALL_RIGHT})
    assert status == 503 and "did not use an attempt" in body["error"]
    assert block.attempts == 0 and block.runtime.events == [] and block.last_answers == {}
    fake_service.error = None
    assert post(block, "submit", {"answers": ALL_RIGHT})[0] == 200


def test_without_the_service_app_the_block_still_grades(monkeypatch, caplog):
    monkeypatch.setattr(handoff, "service_api", lambda: None)
    block = Course().learner()
    assert post(block, "submit", {"answers": ALL_RIGHT})[0] == 200
    assert block.runtime.of_type("grade") and "not recorded" in caplog.text


@pytest.mark.storage
@pytest.mark.django_db
def test_real_service_issues_the_credential_once_outcomes_are_validated():
    xml = """<outcome_assessment max_attempts="2">
      <outcome ref="lo-write-outcomes"/><outcome ref="lo-eu-elements"/><outcome ref="lo-assessment-qa"/>
      <question id="q1" type="single"><prompt>P</prompt><outcome ref="lo-write-outcomes"/>
        <outcome ref="lo-eu-elements"/><outcome ref="lo-assessment-qa"/>
        <choice id="a" correct="true">A</choice><choice id="b" correct="false">B</choice></question>
    </outcome_assessment>"""
    block = Course(xml).learner("ada")
    course_key, _usage = compat.course_and_usage_keys(block)
    api.register_definition(course_key, MC_BLOCK, example_definition(), RULES)
    learner = api.Learner(*compat.current_user(block))

    assert post(block, "submit", {"answers": {"q1": "b"}})[0] == 200
    assert api.learner_progress(learner, course_key, MC_BLOCK).state == api.IN_PROGRESS
    assert post(block, "submit", {"answers": {"q1": "a"}})[0] == 200
    progress = api.learner_progress(learner, course_key, MC_BLOCK)
    assert progress.state == api.EARNED and progress.credential is not None


# ------------------------------------------------------------------------------------------------ Studio


def _studio_body(block, **changes) -> dict:
    root = etree.Element("outcome_assessment")
    question_formats.add_children(root, block.assessment)
    body = {
        "display_name": "Quiz",
        "max_attempts": "2",
        "weight": "1.5",
        "show_feedback": "false",
        "microcredential": "",
        "olx": "\n".join(olx.to_string(c) for c in root),
    }
    return {**body, **changes}


def test_studio_save_updates_settings_and_questions():
    block = Course().learner("staff")
    body = _studio_body(block)
    body["olx"] = body["olx"].replace('answer="25"', 'answer="30"')
    status, reply = post(block, "studio_submit", body)
    assert status == 200 and 'answer="30"' in reply["olx"]
    assert reply["content"]["questions"][2]["answer"] == 30
    assert (block.display_name, block.max_attempts, block.weight, block.show_feedback) == ("Quiz", 2, 1.5, False)
    assert block.assessment.question("q3").answer == 30


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"max_attempts": "lots"}, "max_attempts", "whole number"),
        ({"max_attempts": "1000"}, "max_attempts", "whole number"),
        ({"weight": "-2"}, "weight", "number from"),
        ({"display_name": "  "}, "display_name", "must not be empty"),
        ({"show_feedback": "maybe"}, "show_feedback", "true or false"),
        ({"olx": '<outcome ref="lo"/><question id="q1"><prompt>P</prompt></question>'}, "olx", "question[q1]: must"),
        ({"olx": "<question"}, "olx", "well-formed"),
        ({"olx": None}, "olx", "must be a text"),
        ({"extra": "x"}, "extra", "Unknown field"),
    ],
)
def test_studio_errors_name_the_field_and_save_nothing(changes, field, words):
    block = Course().learner("staff")
    before = (block.display_name, block.max_attempts, block.weight, block.data)
    status, reply = post(block, "studio_submit", _studio_body(block, **changes))
    assert status == 400 and reply["field"] == field and words in reply["error"]
    assert (block.display_name, block.max_attempts, block.weight, block.data) == before


def test_studio_save_from_the_structured_editor():
    block = Course().learner("staff")
    content = json.loads(json.dumps(block.data))  # as the browser sends it
    content["questions"][2]["tolerance"] = 1
    content["questions"][0]["prompt"] = "  Which verb\n is observable? "
    status, reply = post(block, "studio_submit", {"content": content, "display_name": "Edited"})
    assert status == 200 and 'answer="25" tolerance="1"' in reply["olx"]
    assert block.assessment.question("q1").prompt == "Which verb is observable?"
    assert block.display_name == "Edited" and block.max_attempts == 3  # settings not sent are kept


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda c: c["questions"][2].update(tolerance="0.5"), "question[q3]/tolerance"),
        (lambda c: c["questions"][0].update(accepted=["b"]), "question[q1]/accepted"),
        (lambda c: c["outcomes"][0].update(threshold=0), "outcome[lo-write-outcomes]/@threshold"),
        (lambda c: c["questions"].append({"id": "q7", "kind": "numeric"}), "question[q7]/prompt"),
    ],
)
def test_structured_editor_errors_carry_the_path_and_save_nothing(change, path):
    block = Course().learner("staff")
    before = json.loads(json.dumps(block.data))
    content = json.loads(json.dumps(block.data))
    change(content)
    status, reply = post(block, "studio_submit", {"content": content})
    assert (status, reply["field"], reply["path"]) == (400, "content", path)
    assert reply["error"].startswith(path + ": ")
    assert json.loads(json.dumps(block.data)) == before


def test_workbench_repr_does_not_print_the_answers():
    block = Course().learner()
    assert "EQF" not in repr(block) and "correct" not in repr(block)


def test_studio_view_shows_the_olx_for_editing_and_no_learner_state():
    block = Course().learner("staff")
    html = block.studio_view({}).content
    assert "&lt;question id=&quot;q3&quot; type=&quot;numeric&quot; answer=&quot;25&quot;" in html
    assert 'name="olx"' in html and 'data-error-for="olx"' in html
    assert init_data(block.studio_view({}))["content"] == json.loads(json.dumps(block.data))
