"""The assessment block with the real service: attempts in the database, failures that cost nothing, and
what the learner reads when the evidence is saved but the credential cannot be signed (issue 11 items 2, 10;
issue 9 Deliver 4-5). The parallel cases are in test_concurrency.py.
"""

from __future__ import annotations

import json
import sys
import types

import pytest
from django.db import OperationalError
from webob import Request
from xblock.fields import Scope

from microcredential_xblock import compat
from microcredential_xblock.blocks.assessment import OutcomeAssessmentXBlock
from microcredential_xblock.service import api, evidence, issuance
from microcredential_xblock.service.models import AssessmentResult, AttemptCounter, IssuedCredential, OutcomeEvidence
from tests.service_fixtures import MC_BLOCK, RULES, example_definition, outcome_ids
from tests.test_assessment_block import Course, init_data, post, reset_toy_state

pytestmark = [pytest.mark.storage, pytest.mark.django_db]

OUTCOMES = outcome_ids()  # lo-write-outcomes, lo-eu-elements, lo-assessment-qa
XML = """<outcome_assessment max_attempts="{limit}">
  {outcomes}
  <question id="q1" type="single"><prompt>P</prompt>{refs}
    <choice id="a" correct="true">A</choice><choice id="b" correct="false">B</choice></question>
</outcome_assessment>"""


@pytest.fixture(autouse=True)
def fresh_toy_state(monkeypatch):
    reset_toy_state(monkeypatch)


def course_with(outcomes: list[str] = OUTCOMES, limit: int = 3) -> Course:
    """An assessment of ``outcomes`` in a course whose micro-credential (the example definition) is registered."""
    xml = XML.format(
        limit=limit,
        outcomes="".join(f'<outcome ref="{o}"/>' for o in outcomes),
        refs="".join(f'<outcome ref="{o}"/>' for o in outcomes),
    )
    course = Course(xml)
    course_key, _usage = compat.course_and_usage_keys(course.learner())
    api.register_definition(course_key, MC_BLOCK, example_definition(), RULES)
    return course


def _learner(block) -> api.Learner:
    return api.Learner(*compat.current_user(block))


def test_attempts_are_counted_by_the_service_and_the_limit_holds():
    course = course_with(limit=2)
    assert [post(course.learner(), "submit", {"answers": {"q1": "b"}})[1]["attempts_left"] for _ in range(2)] == [1, 0]
    status, body = post(course.learner(), "submit", {"answers": {"q1": "a"}})
    assert status == 409 and "all your attempts" in body["error"]
    assert AttemptCounter.objects.get().used == 2 and AssessmentResult.objects.get().attempts == 2
    state = json.loads(
        course.learner().runtime.handle(course.learner(), "student_view_user_state", Request.blank("/")).body
    )
    assert (state["attempts"], state["attempts_left"]) == (2, 0)


def test_storage_failure_gives_the_attempt_back(monkeypatch):
    course = course_with(limit=1)

    def broken(*args, **kwargs):
        raise OperationalError("database went away")

    stored = evidence.stored
    monkeypatch.setattr(evidence, "stored", broken)
    status, body = post(course.learner(), "submit", {"answers": {"q1": "a"}})
    assert status == 503 and "did not use an attempt" in body["error"]
    assert AttemptCounter.objects.get().used == 0 and course.learner().attempts == 0
    monkeypatch.setattr(evidence, "stored", stored)
    status, body = post(course.learner(), "submit", {"answers": {"q1": "a"}})
    assert status == 200 and body["attempts"] == 1 and body["attempts_left"] == 0


def test_bad_answers_claim_nothing():
    course = course_with(limit=1)
    assert post(course.learner(), "submit", {"answers": {"q1": "z"}})[0] == 400
    assert not AttemptCounter.objects.exists()
    assert post(course.learner(), "submit", {"answers": {"q1": "a"}})[0] == 200


def test_signing_failure_after_the_evidence_is_saved_says_so(monkeypatch):
    course = course_with()

    def broken(*args, **kwargs):
        raise OSError("signing key unreadable")

    sign = issuance.issue_credential
    monkeypatch.setattr(issuance, "issue_credential", broken)
    block = course.learner()
    status, body = post(block, "submit", {"answers": {"q1": "a"}})
    assert status == 200, body
    assert "could not be saved" not in json.dumps(body)
    assert body["notice"].startswith("Your answers were saved and count towards the micro-credential.")
    assert body["score"]["percent"] == 100.0 and body["attempts"] == 1  # the submission counted
    assert OutcomeEvidence.objects.filter(validated=True).count() == len(OUTCOMES)
    assert not IssuedCredential.objects.exists()
    monkeypatch.setattr(issuance, "issue_credential", sign)
    course_key, _usage = compat.course_and_usage_keys(block)
    (progress,) = api.evaluate_learner(_learner(block), course_key)  # a later evaluation issues, no resubmission
    assert progress.state == api.EARNED


def test_an_outcome_the_author_removed_is_left_out_not_a_409():
    course = course_with(outcomes=[*OUTCOMES[:2], "lo-renamed-after-publishing"])
    status, body = post(course.learner(), "submit", {"answers": {"q1": "a"}})
    assert status == 200, body
    # Kept, not refused: the learner's answers are never lost for an author's change (ADR 0009); an
    # outcome no published definition has counts for nothing until an author brings it back.
    stored = set(OutcomeEvidence.objects.values_list("outcome_id", flat=True))
    assert stored == {*OUTCOMES[:2], "lo-renamed-after-publishing"}
    assert {o["id"] for o in body["outcomes"]} == {*OUTCOMES[:2], "lo-renamed-after-publishing"}


def test_results_name_outcomes_by_their_text():
    texts = {lo["id"]: lo["text"] for lo in example_definition()["learning_outcomes"]}
    course = course_with(outcomes=[*OUTCOMES, "lo-unknown"])
    _status, body = post(course.learner(), "submit", {"answers": {"q1": "b"}})
    named = {o["id"]: o["text"] for o in body["outcomes"]}
    assert named == {**texts, "lo-unknown": "lo-unknown"}  # an id no micro-credential knows stays an id
    block = course.learner()
    assert {o["id"]: o["text"] for o in block.student_view_data()["outcomes"]} == named
    later = init_data(block.student_view({}))
    assert {o["id"]: o["text"] for o in later["result"]["outcomes"]} == named
    assert later["usage_id"] == str(block.scope_ids.usage_id)


def test_attempts_from_before_the_counter_still_count():
    course = course_with(limit=3)
    block = course.learner()
    block.attempts = 2  # counted by the block's own state before this release
    block.save()
    assert post(course.learner(), "submit", {"answers": {"q1": "b"}})[1]["attempts_left"] == 0
    assert post(course.learner(), "submit", {"answers": {"q1": "a"}})[0] == 409


def test_unlimited_attempts_keep_counting():
    course = course_with(limit=0)
    for number in (1, 2, 3, 4):
        body = post(course.learner(), "submit", {"answers": {"q1": "b"}})[1]
        assert (body["attempts"], body["attempts_left"]) == (number, None)


@pytest.mark.parametrize(
    ("kwargs", "subject"),
    [
        ({"max_attempts": -1}, "max_attempts"),
        ({"max_attempts": "3"}, "max_attempts"),
        ({"max_attempts": True}, "max_attempts"),
        ({"max_attempts": 3, "used_before": -2}, "used_before"),
        ({"max_attempts": 3, "usage_key": ""}, "usage_key"),
    ],
)
def test_claim_attempt_checks_its_arguments(kwargs, subject):
    learner = api.Learner("7", "seven@example.org")
    arguments = {"usage_key": "block-v1:A+B+C+type@outcome_assessment+block@q", **kwargs}
    with pytest.raises(api.InvalidInput) as err:
        api.claim_attempt(learner, arguments.pop("usage_key"), arguments.pop("max_attempts"), **arguments)
    assert err.value.subject == subject
    assert not AttemptCounter.objects.exists()


def test_release_never_goes_below_zero():
    learner = api.Learner("7", "seven@example.org")
    api.release_attempt(learner, "quiz")
    assert api.attempts_used(learner, "quiz") == 0
    assert api.claim_attempt(learner, "quiz", 1) == 1
    api.release_attempt(learner, "quiz")
    api.release_attempt(learner, "quiz")
    assert api.attempts_used(learner, "quiz") == 0 and api.claim_attempt(learner, "quiz", 1) == 1


def test_staff_deleting_the_learners_state_gives_the_attempts_back(monkeypatch):
    """The LMS calls ``clear_student_state`` with the learner's anonymous id (instructor "delete state")."""
    course = course_with(limit=1)
    assert post(course.learner("ada"), "submit", {"answers": {"q1": "b"}})[0] == 200
    assert post(course.learner("ada"), "submit", {"answers": {"q1": "a"}})[0] == 409
    auth = types.ModuleType("common.djangoapps.student.models")
    auth.user_by_anonymous_id = lambda anonymous_id: (
        types.SimpleNamespace(pk="ada") if anonymous_id == "anon-1" else None
    )
    for name in ("common", "common.djangoapps", "common.djangoapps.student"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "common.djangoapps.student.models", auth)
    block = course.learner("ada")
    block.clear_student_state(user_id="nobody", course_id="c", item_id="i", requesting_user_id="9")
    assert post(course.learner("ada"), "submit", {"answers": {"q1": "a"}})[0] == 409  # unknown id: nothing reset
    block.clear_student_state(user_id="anon-1", course_id="c", item_id="i", requesting_user_id="9")
    for name in OutcomeAssessmentXBlock.fields:  # the platform deletes the learner's StudentModule
        if OutcomeAssessmentXBlock.fields[name].scope == Scope.user_state:
            delattr(block, name)
    block.save()
    assert post(course.learner("ada"), "submit", {"answers": {"q1": "a"}})[1]["attempts"] == 1
    assert OutcomeEvidence.objects.filter(validated=True).count() == len(OUTCOMES)  # evidence is kept


def test_a_claim_the_service_refuses_is_a_409_not_a_5xx(monkeypatch):
    course = course_with()
    monkeypatch.setattr(compat, "course_and_usage_keys", lambda block: ("workbench:x", "k" * 300))
    status, body = post(course.learner(), "submit", {"answers": {"q1": "a"}})
    assert status == 409 and "course team" in body["error"]
    assert not AttemptCounter.objects.exists()
