"""The Celery path with a real worker (``celery worker --pool=solo``) and the Redis broker the LMS
uses: an event enqueues, the worker issues; a failure is retried with back-off; a worker killed
in the middle of signing leaves nothing behind and the redelivered task issues exactly once.

Both processes share the test database (a file for SQLite) and the issuer keys; the worker runs
with tests/platform_settings.py. Missing Redis skips locally and fails under CI=true.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import celery
import pytest
from celery import Celery
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings

from microcredential_xblock.platform import tasks
from microcredential_xblock.service import api
from microcredential_xblock.service.models import IssuedCredential
from tests import platform_settings
from tests.conftest import ROOT, require
from tests.service_fixtures import COURSE, LEARNER, MC_BLOCK, QUIZ1, all_validated, example_definition

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

BROKER = os.environ.get("MICROVET_TEST_BROKER", "redis://127.0.0.1:6379/11")
STARTUP_TIMEOUT = 60
TASK_TIMEOUT = 90


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


class Worker:
    """One ``celery worker`` subprocess; ``kill()`` is SIGKILL, as when a node dies."""

    def __init__(self, queue: str, control: Path, log: Path) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.platform_settings",
            "MICROVET_WORKER_DB": str(connection.settings_dict["NAME"]),
            "MICROVET_WORKER_KEYS": settings.MICROVET["KEYS_DIR"],
            "MICROVET_WORKER_CONTROL": str(control),
            "MICROVET_TEST_QUEUE": queue,
            "MICROVET_TEST_BROKER": BROKER,
        }
        command = [
            sys.executable, "-m", "celery", "-A", "tests.platform_settings:app", "worker", "--pool=solo",
            "--queues", queue, "--loglevel=INFO", "--without-heartbeat", "--without-mingle", "--without-gossip",
        ]  # fmt: skip
        self.log, self.sink = log, log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            command, cwd=ROOT, env=env, stdout=self.sink, stderr=subprocess.STDOUT
        )
        self.wait_for(lambda: "ready." in self.output(), STARTUP_TIMEOUT, "the worker to start")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"worker exited ({self.process.returncode}) while waiting for {what}:\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}:\n{self.output()[-4000:]}")
            time.sleep(0.2)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.sink.close()


@pytest.fixture
def broker():
    """A producer app on Redis made current, as the LMS's app is, on a queue of this test alone."""
    require(redis_up(), "Redis at 127.0.0.1:6379")
    queue = f"microvet-test-{uuid.uuid4().hex[:12]}"
    app = Celery("producer", broker=BROKER, set_as_current=False)
    app.conf.task_default_queue = queue
    previous = celery.current_app._get_current_object()
    app.set_current()
    background = {**platform_settings.MICROVET, "ISSUE_IN_BACKGROUND": True}
    with override_settings(MICROVET=background):
        yield queue
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)
    previous.set_current()


@pytest.fixture
def workers(broker, tmp_path):
    """Start workers on demand; every one is stopped at the end."""
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(broker, tmp_path, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def due(db):
    """A learner whose course_passed micro-credential becomes due when the course is passed."""
    get_user_model().objects.create(pk=42, username="ada", email=LEARNER.email)
    rules = {"all": [{"course_passed": True}, {"all_outcomes": True}]}
    api.register_definition(COURSE, MC_BLOCK, example_definition(), rules)
    api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    assert not IssuedCredential.objects.exists()


def wait_for_credential(worker: Worker) -> IssuedCredential:
    worker.wait_for(IssuedCredential.objects.exists, TASK_TIMEOUT, "the credential")
    worker.wait_for(lambda: "succeeded" in worker.output(), TASK_TIMEOUT, "the task to finish")
    return IssuedCredential.objects.get()


def assert_issued_exactly_once(credential: IssuedCredential) -> None:
    assert IssuedCredential.objects.count() == 1
    assert IssuedCredential.objects.get(current=True).pk == credential.pk
    assert credential.status_list_id is not None and credential.status_index is not None
    assert credential.document.get("proof") and credential.jwt


def test_event_enqueues_and_the_worker_issues(due, workers):
    worker = workers()
    tasks.issue("42", COURSE, True)  # what the receiver does in the LMS
    assert_issued_exactly_once(wait_for_credential(worker))


def test_a_failure_is_retried_with_back_off(due, workers, tmp_path):
    (tmp_path / "fail-once").touch()
    worker = workers()
    tasks.issue("42", COURSE, True)
    credential = wait_for_credential(worker)
    assert not (tmp_path / "fail-once").exists()  # the first attempt did fail
    assert "Retry in" in worker.output() and "injected failure" in worker.output()
    assert_issued_exactly_once(credential)


def test_worker_killed_mid_task_issues_exactly_once_after_redelivery(due, workers, tmp_path):
    (tmp_path / "slow").touch()
    first = workers()
    tasks.issue("42", COURSE, True)
    first.wait_for((tmp_path / "inside").exists, TASK_TIMEOUT, "the task to be inside the issuing transaction")
    first.kill()
    assert not IssuedCredential.objects.exists()  # rolled back
    (tmp_path / "slow").unlink()
    second = workers()  # the unacknowledged message comes back after the visibility timeout
    credential = wait_for_credential(second)
    time.sleep(platform_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] + 1)
    assert_issued_exactly_once(credential)
    assert second.output().count("succeeded") == 1
