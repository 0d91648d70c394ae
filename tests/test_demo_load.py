"""The demo under concurrent learners (issue 11, item 6): `make demo` on loopback, parallel qualifying
submissions through the workbench's handler URLs, every one answered 200 (no "database is locked",
no connection reset: 40 learners arrive at once, more than runserver's stock backlog of 10)."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.browser.server import SCENARIO, DemoServer

LEARNERS = 40
#: Right answers of the sample scenario's two assessments (microcredential_xblock/demo/olx).
RIGHT = ({"q-verb": "draft", "q-elements": "11"}, {"q-method": "task", "q-iso": "ISO 21001"})


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    server = DemoServer(tmp_path_factory.mktemp("demo-load")).start()
    yield server
    server.stop()


class Learner:
    """One browser: the scenario page gives the CSRF cookie and the assessments' usage ids."""

    def __init__(self, server: DemoServer, student: str):
        self.server, self.student = server, student
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def open_scenario(self) -> list[str]:
        url = f"{self.server.url}/scenario/{SCENARIO}/?student={self.student}"
        with self.opener.open(url, timeout=60) as response:
            html = response.read().decode()
        return re.findall(r"data-usage='([^']+\.outcome_assessment\.[^']+)'", html)

    def submit(self, usage: str, answers: dict) -> tuple[int, dict]:
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        request = urllib.request.Request(  # noqa: S310 - loopback only
            f"{self.server.url}/handler/{usage}/submit/?student={self.student}",
            data=json.dumps({"answers": answers}).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": token, "Referer": self.server.url + "/"},
            method="POST",
        )
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, {"body": exc.read().decode(errors="replace")[:300]}
        except OSError as exc:  # refused or reset before Django saw the request
            return 0, {"error": repr(exc)}


def test_parallel_qualifying_submissions_all_succeed(demo):
    learners = [Learner(demo, f"load-{i}") for i in range(LEARNERS)]
    usages = [learner.open_scenario() for learner in learners]
    assert all(len(u) == len(RIGHT) for u in usages)
    barrier = threading.Barrier(LEARNERS)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        for usage, answers in zip(usages[i], RIGHT, strict=True):  # both assessments: the credential is issued
            outcome = learners[i].submit(usage, answers)
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(LEARNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    failures = [r for r in results if r[0] != 200]
    assert len(results) == LEARNERS * len(RIGHT) and failures == []
    status, body = demo.get(f"/scenario/{SCENARIO}/?student=load-0")
    assert status == 200 and "Earned" in body.decode()
