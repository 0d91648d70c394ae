"""The lifecycle's background paths with a real Celery worker on Redis (tests/test_celery.py's harness):
with ISSUE_IN_BACKGROUND a submission only enqueues and the worker signs; a publish that makes a learner
due hands them to the worker, never signing in the publishing process."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from microcredential_xblock.service import api, issuance
from microcredential_xblock.service.models import IssuedCredential
from tests.service_fixtures import COURSE, LEARNER, MC_BLOCK, QUIZ1, all_validated, example_definition
from tests.test_celery import (  # noqa: F401  (fixtures)
    assert_issued_exactly_once,
    broker,
    wait_for_credential,
    workers,
)

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]
STRICT = {"all": [{"all_outcomes": True}, {"min_score": {"value": 90, "op": ">="}}]}
RULES = {"all": [{"all_outcomes": True}, {"min_score": {"value": 70, "op": ">="}}]}


@pytest.fixture
def learner(db):
    get_user_model().objects.create(pk=42, username="ada", email=LEARNER.email)


def never_sign_here(monkeypatch):
    monkeypatch.setattr(issuance, "issue_credential", lambda *a, **k: pytest.fail("signed in this process"))


def test_a_background_submission_only_enqueues_and_the_worker_issues(learner, workers, monkeypatch):  # noqa: F811
    api.register_definition(COURSE, MC_BLOCK, example_definition(), RULES)
    worker = workers()
    with monkeypatch.context() as patch:
        never_sign_here(patch)
        (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    assert progress.state == api.ISSUING and progress.credential is None
    credential = wait_for_credential(worker)
    assert_issued_exactly_once(credential)
    assert "microvet.evaluate_for_learner" in worker.output() and "submission" in worker.output()


def test_a_publish_hands_due_learners_to_the_worker(learner, workers, monkeypatch):  # noqa: F811
    api.register_definition(COURSE, MC_BLOCK, example_definition(), STRICT)
    api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 8, 10)  # 80 %: not enough yet
    assert not IssuedCredential.objects.exists()
    worker = workers()
    with monkeypatch.context() as patch:
        never_sign_here(patch)
        published = api.publish(COURSE, {MC_BLOCK: (example_definition(), RULES)}, may_sign=False)
    assert published.learners == 1 and published.background
    assert_issued_exactly_once(wait_for_credential(worker))
