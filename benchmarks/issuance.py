"""Submissions per second through ``service.api.record_assessment``, with and without issuance.

    python benchmarks/issuance.py [-n 100] [--db sqlite|mysql|postgresql]

Each learner submits once. "Without issuance" the submission misses the rule (evidence stored,
rules evaluated, nothing issued); "with issuance" it satisfies the rule, so the same call also
signs (Data Integrity + VC-JWT), allocates a status index and stores the credential. The cost of
one issuance is reported as a multiple of one bare Ed25519 signature over 32 bytes.

Targets (one process, 2-core CI machine): >= 50 submissions/s without issuance, i.e. the service
adds at most 20 ms to an LMS submission whose own handler (grading, grade and completion events)
costs several times that; >= 20 submissions/s with issuance, i.e. signing and storing one
credential within 50 ms. Exit status 1 when a target is missed.
"""

# ruff: noqa: PLC0415  (Django must be set up before the service's models can be imported)
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WITHOUT_TARGET = 50.0
WITH_TARGET = 20.0


def _setup(db: str) -> list:
    os.environ["MICROVET_TEST_DB"] = db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.djsettings")
    import django
    from django.test.utils import setup_databases, setup_test_environment

    django.setup()
    from django.db import connections

    if db != "sqlite":  # its own database, so a benchmark never drops a concurrent test run's test_microvet
        connections["default"].settings_dict["TEST"]["NAME"] = "bench_microvet"
    setup_test_environment()
    return setup_databases(verbosity=0, interactive=False)


def bare_signature_seconds(n: int = 5000) -> float:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key, message = ed25519.Ed25519PrivateKey.generate(), b"\x00" * 32
    start = time.perf_counter()
    for _ in range(n):
        key.sign(message)
    return (time.perf_counter() - start) / n


def submissions_per_second(n: int, *, issue: bool, tag: str) -> float:
    from microcredential_xblock.service import api
    from tests.service_fixtures import COURSE, QUIZ1, all_validated

    scores = all_validated() if issue else dict(list(all_validated().items())[:1])
    learners = [api.Learner(user_id=f"{tag}-{i}", email=f"{tag}{i}@example.org") for i in range(n + 1)]
    api.record_assessment(learners[-1], COURSE, QUIZ1, scores, 9, 10)  # warm-up: caches, status list
    start = time.perf_counter()
    for learner in learners[:n]:
        (progress,) = api.record_assessment(learner, COURSE, QUIZ1, scores, 9, 10)
        assert (progress.credential is not None) is issue
    return n / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100, help="learners per measurement")
    parser.add_argument("--db", choices=["sqlite", "mysql", "postgresql"], default="sqlite")
    args = parser.parse_args()
    databases = _setup(args.db)
    from microcredential_xblock.service import api
    from tests.service_fixtures import COURSE, MC_BLOCK, RULES, example_definition

    api.register_definition(COURSE, MC_BLOCK, example_definition(), RULES)
    without = submissions_per_second(args.n, issue=False, tag="plain")
    with_issue = submissions_per_second(args.n, issue=True, tag="issue")
    signature = bare_signature_seconds()
    issuance = 1 / with_issue - 1 / without
    print(f"database: {args.db}, learners per run: {args.n}")
    print(f"submissions/s without issuance: {without:8.1f}   (target >= {WITHOUT_TARGET:.0f})")
    print(f"submissions/s with issuance:    {with_issue:8.1f}   (target >= {WITH_TARGET:.0f})")
    print(
        f"one issuance: {issuance * 1000:.1f} ms = {issuance / signature:,.0f} x one bare Ed25519 signature "
        f"({signature * 1e6:.1f} us)"
    )
    from django.test.utils import teardown_databases

    teardown_databases(databases, verbosity=0)
    return 0 if without >= WITHOUT_TARGET and with_issue >= WITH_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
