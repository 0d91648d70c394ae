"""Exactly once under concurrency: 20 parallel submissions on separate connections, one credential.

Runs on every backend (SQLite file database in the default run, MariaDB with MICROVET_TEST_DB=mysql,
PostgreSQL with MICROVET_TEST_DB=postgresql).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from microcredential_xblock.service import api
from microcredential_xblock.service.models import (
    IssuanceClaim,
    IssuedCredential,
    OutcomeEvidence,
    StatusAllocation,
    StatusList,
)
from tests.service_fixtures import COURSE, LEARNER, MC_BLOCK, QUIZ1, RULES, all_validated, example_definition

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
        except Exception as exc:
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
    assert IssuanceClaim.objects.count() == 1 and StatusAllocation.objects.count() == 1
    assert StatusList.objects.count() == 1
    assert set(OutcomeEvidence.objects.values_list("attempts", flat=True)) == {PARALLEL}


def test_parallel_learners_get_distinct_status_indexes():
    api.register_definition(COURSE, MC_BLOCK, example_definition(), RULES)

    def submit(i: int):
        learner = api.Learner(user_id=f"learner-{i}", email=f"learner{i}@example.org")
        (progress,) = api.record_assessment(learner, COURSE, QUIZ1, all_validated(), 9, 10)
        return progress.credential.uuid

    results, errors = _in_parallel(submit)
    assert errors == []
    assert len(set(results)) == PARALLEL == IssuedCredential.objects.count()
    indexes = list(StatusAllocation.objects.values_list("status_list_id", "index"))
    assert len(set(indexes)) == PARALLEL
