"""status_lists.SLOTS: status-list indexes drawn from a per-process picture of committed rows (ADR 0019).

Transactional on purpose: the picture is kept only once what it names has committed, which a test
inside one rolled-back transaction never does. Runs on every backend.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from microcredential_xblock.service import api, status_lists
from microcredential_xblock.service.config import config
from microcredential_xblock.service.models import IssuedCredential, StatusList
from tests.service_fixtures import COURSE, MC_BLOCK, QUIZ1, RULES, all_validated, example_definition

pytestmark = [pytest.mark.storage, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_picture():
    status_lists.SLOTS.forget()
    api.register_definition(COURSE, MC_BLOCK, example_definition(), RULES)
    yield
    status_lists.SLOTS.forget()


def _issue(i: int) -> IssuedCredential:
    learner = api.Learner(user_id=f"slot-{i}", email=f"slot{i}@example.org")
    (progress,) = api.record_assessment(learner, COURSE, QUIZ1, all_validated(), 9, 10)
    assert progress.state == api.EARNED
    return progress.credential


def _signed_index(credential: IssuedCredential) -> int:
    return int(credential.document["credentialStatus"]["statusListIndex"])


def _stored(credential: IssuedCredential) -> IssuedCredential:
    return IssuedCredential.objects.get(pk=credential.pk)


def _rival(index: int) -> IssuedCredential:
    """A credential another process issued on the current list, behind this process's picture."""
    return IssuedCredential.objects.create(
        learner_id=f"rival-{index}", recipient_email="r@example.org", course_key=COURSE, usage_key=MC_BLOCK,
        microcredential_id="urn:rival", definition_snapshot={}, document={}, issued_at="2026-11-01T00:00:00Z",
        status_list=StatusList.objects.get(), status_index=index,
    )  # fmt: skip


def _lowest_free(monkeypatch) -> None:
    """Deterministic draws: the lowest index the picture does not know to be taken."""
    monkeypatch.setattr(
        status_lists.Bits, "allocate", lambda self, taken, rng=None: next(i for i in range(self.size) if i not in taken)
    )


def test_issuance_after_the_first_reads_no_status_list_nor_its_indexes():
    _issue(0)
    with CaptureQueriesContext(connection) as queries:
        credential = _issue(1)
    by_list = re.compile(r"status_list_id[`\"]? = ")  # a WHERE on the list: what a picture's read does
    statements = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in statements if "microvet_statuslist" in s or by_list.search(s)]
    assert _stored(credential).status_index == _signed_index(credential)


def test_an_index_a_rival_took_behind_the_pictures_back_is_drawn_again_and_signed(monkeypatch):
    _lowest_free(monkeypatch)
    first = _issue(0)
    assert _signed_index(first) == 0
    _rival(1)
    second = _issue(1)
    assert _signed_index(second) == _stored(second).status_index == 2
    assert IssuedCredential.objects.count() == 3  # the collided attempt left nothing behind
    assert _issue(2).document["credentialStatus"]["statusListIndex"] == "3"  # 1 is known taken now


def test_the_fill_limit_moves_every_process_to_a_successor_list(monkeypatch):
    monkeypatch.setattr(status_lists, "FILL_LIMIT", 2 / 131_072)  # two credentials fill a list
    lists = [_issue(i).document["credentialStatus"]["statusListCredential"].rsplit("/", 1)[-1] for i in range(5)]
    purpose = config().status_purpose
    assert lists == [f"{purpose}-{n}" for n in (1, 1, 2, 2, 3)]
    assert [row.credentials.count() for row in StatusList.objects.order_by("sequence")] == [2, 2, 1]


def test_a_picture_is_read_again_when_old_and_then_sees_other_processes(monkeypatch):
    _lowest_free(monkeypatch)
    _issue(0)
    _rival(1)
    monkeypatch.setattr(status_lists, "REFRESH_SECONDS", 0.0)
    with CaptureQueriesContext(connection) as queries:
        second = _issue(1)
    assert _signed_index(second) == 2
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert sum("microvet_issuedcredential" in sql for sql in inserts) == 1  # no collision: the picture knew


def test_a_list_made_in_a_transaction_that_rolls_back_is_never_pictured():
    with pytest.raises(RuntimeError), transaction.atomic():
        status_lists.SLOTS.draw(config().status_purpose)
        assert StatusList.objects.count() == 1
        raise RuntimeError("the caller's transaction fails")
    assert not StatusList.objects.exists()
    credential = _issue(0)  # would point at the vanished list if the picture had kept it
    assert _stored(credential).status_list == StatusList.objects.get()


def test_a_flush_forgets_the_picture():
    _issue(0)
    call_command("flush", interactive=False, verbosity=0)
    api.register_definition(COURSE, MC_BLOCK, example_definition(), RULES)
    credential = _issue(1)
    assert _stored(credential).status_list == StatusList.objects.get()
