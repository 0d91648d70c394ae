"""Exactly once under concurrency: one credential for 20 parallel submissions, attempt limits that hold.

Runs on every backend (SQLite file database in the default run, MariaDB with MICROVET_TEST_DB=mysql,
PostgreSQL with MICROVET_TEST_DB=postgresql).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from microcredential_xblock import compat
from microcredential_xblock.service import api
from microcredential_xblock.service.models import (
    AssessmentResult,
    AttemptCounter,
    IssuedCredential,
    OutcomeEvidence,
    StatusList,
)
from tests.service_fixtures import (
    COURSE,
    LEARNER,
    MC_BLOCK,
    QUIZ1,
    QUIZ2,
    RULES,
    all_validated,
    example_definition,
    outcome_ids,
)
from tests.test_assessment_block import Course, post, reset_toy_state

pytestmark = [pytest.mark.storage, pytest.mark.django_db(transaction=True)]
PARALLEL = 20


def _in_parallel(work, count: int = PARALLEL) -> tuple[list, list]:
    """Run ``work(i)`` in ``count`` threads released together; each thread has its own connection."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - every error of a thread, for the main thread's assertion
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results, errors


def test_parallel_submissions_issue_exactly_one_credential():
    assert connection.vendor in ("sqlite", "mysql", "postgresql")
    api.register_definition(COURSE, MC_BLOCK, example_definition(), RULES)

    def submit(i: int):
        (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
        return progress.credential.uuid

    results, errors = _in_parallel(submit)
    assert errors == []
    assert IssuedCredential.objects.count() == 1
    assert len(set(results)) == 1 and results[0] == IssuedCredential.objects.get().uuid
    assert IssuedCredential.objects.get().current and IssuedCredential.objects.get().status_index is not None
    assert StatusList.objects.count() == 1
    assert set(OutcomeEvidence.objects.values_list("attempts", flat=True)) == {PARALLEL}


def test_two_assessments_that_complete_the_rules_together_issue_when_submitted_at_once(monkeypatch):
    """A submission evaluates inside the transaction that stores its evidence (ADR 0021). Two assessments of
    one learner, each validating half of the outcomes, submitted at once: the second must wait for the first
    and see its evidence; if each evaluated without the other's, nothing would be issued."""
    api.register_definition(COURSE, MC_BLOCK, example_definition(), RULES)
    outcomes = outcome_ids()
    halves = [outcomes[: len(outcomes) // 2], outcomes[len(outcomes) // 2 :]]
    meeting = threading.Barrier(2, timeout=2)
    evaluate = api.evaluate

    def evaluate_together(*args, **kwargs):
        try:
            meeting.wait()  # both evaluations at the same moment, if both submissions can get here
        except threading.BrokenBarrierError:
            pass  # the other one waits for this one's commit: the right outcome
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(api, "evaluate", evaluate_together)

    def submit(i: int):
        scores = {outcome: api.OutcomeScore(0.9, True) for outcome in halves[i]}
        return api.record_assessment(LEARNER, COURSE, (QUIZ1, QUIZ2)[i], scores, 9, 10)

    results, errors = _in_parallel(submit, 2)
    assert errors == []
    issued = IssuedCredential.objects.get(current=True)
    assert {p.credential.uuid for (p,) in results if p.credential} == {issued.uuid}


def test_parallel_learners_get_distinct_status_indexes():
    api.register_definition(COURSE, MC_BLOCK, example_definition(), RULES)

    def submit(i: int):
        learner = api.Learner(user_id=f"learner-{i}", email=f"learner{i}@example.org")
        (progress,) = api.record_assessment(learner, COURSE, QUIZ1, all_validated(), 9, 10)
        return progress.credential.uuid

    results, errors = _in_parallel(submit)
    assert errors == []
    assert len(set(results)) == PARALLEL == IssuedCredential.objects.count()
    indexes = list(IssuedCredential.objects.values_list("status_list_id", "status_index"))
    assert len(set(indexes)) == PARALLEL


# ------------------------------------------------------------------------------------------ attempts (issue 11 item 2)

GUESSES_XML = """<outcome_assessment max_attempts="{limit}">
  <outcome ref="lo-write-outcomes"/>
  <question id="q1" type="single"><prompt>Which?</prompt><outcome ref="lo-write-outcomes"/>
    <choice id="a" correct="true">A</choice><choice id="b" correct="false">B</choice>
    <choice id="c" correct="false">C</choice><choice id="d" correct="false">D</choice>
    <choice id="e" correct="false">E</choice><choice id="f" correct="false">F</choice></question>
</outcome_assessment>"""


@pytest.fixture
def course(monkeypatch):
    """One assessment in a ToyRuntime course whose micro-credential is registered with the real service."""
    reset_toy_state(monkeypatch)

    def make(limit: int) -> Course:
        made = Course(GUESSES_XML.format(limit=limit))
        course_key, _usage = compat.course_and_usage_keys(made.learner())
        api.register_definition(course_key, MC_BLOCK, example_definition(), RULES)
        return made

    return make


def _parallel_submissions(course: Course, answers: list[str]) -> list[int]:
    """The same learner submits ``answers`` at once, each request on its own block and connection."""

    def submit(i: int) -> int:
        return post(course.learner("ada"), "submit", {"answers": {"q1": answers[i]}})[0]

    statuses, errors = _in_parallel(submit, len(answers))
    assert errors == []
    return statuses


def test_twenty_parallel_submissions_with_three_attempts_accept_exactly_three(course):
    quiz = course(3)
    statuses = _parallel_submissions(quiz, ["b"] * PARALLEL)
    assert sorted(statuses) == [200] * 3 + [409] * (PARALLEL - 3)
    assert AttemptCounter.objects.get().used == 3
    assert AssessmentResult.objects.get().attempts == 3  # three submissions recorded, no more
    assert post(quiz.learner("ada"), "submit", {"answers": {"q1": "a"}})[0] == 409


def test_six_parallel_guesses_with_one_attempt_accept_exactly_one(course):
    quiz = course(1)
    statuses = _parallel_submissions(quiz, list("abcdef"))
    assert sorted(statuses) == [200] + [409] * 5
    accepted = "abcdef"[statuses.index(200)]
    (evidence,) = OutcomeEvidence.objects.filter(outcome_id="lo-write-outcomes")
    assert evidence.attempts == 1 and evidence.validated == (accepted == "a")


def test_parallel_claims_number_the_attempts_once_each():
    def claim(i: int):
        return api.claim_attempt(LEARNER, QUIZ1, 3)

    results, errors = _in_parallel(claim)
    assert errors == []
    assert sorted(r for r in results if r is not None) == [1, 2, 3] and results.count(None) == PARALLEL - 3
