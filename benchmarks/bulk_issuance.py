"""Bulk issuance with ``manage.py lms microvet_issue_course``: credentials per second and memory.

    python benchmarks/bulk_issuance.py [-n 10000] [--milestones 1000,5000,10000] [--db sqlite|mysql|postgresql]
                                       [--tracemalloc] [--json]

``n`` learners already have validated evidence under a rule they miss (95 %); the rule is then
relaxed to 70 % and the command issues to all of them, the path an operator takes after a rule
change. At each milestone it prints the throughput so far and the process's peak RSS so far
(``ru_maxrss`` only grows, so equal figures at 1k and 10k mean the run never needed more memory
for more learners: the command pages through learners by id, ``CHUNK`` at a time, and never holds
the course's learners or credentials). ``--tracemalloc`` adds Python's own peak allocation
(slower: figures with it are not throughput figures). The clock is ``_service.clock``: CPU time of
this process on SQLite, wall time on the database servers.

Targets (one process, 2-core machine, each database): >= 20 credentials/s over the run (10,000
learners in under 9 minutes, the rate benchmarks/issuance.py sets for one issuance per submission),
and peak RSS at the last milestone at most 20 MB above the first (flat: nothing grows with the
number of learners). ``make bench`` (benchmarks/run_all.py) also holds the rate against 0.8x the
single-issuance rate that benchmarks/issuance.py measures on the same database. Exit status 1 when
a target is missed. Needs the ``openedx`` extra (Celery: the command is the platform's).
"""

# ruff: noqa: PLC0415  (Django is set up before the service is imported)
from __future__ import annotations

import argparse
import io
import json
import resource
import sys
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import _service  # noqa: E402

RATE_TARGET = 20.0
GROWTH_TARGET_MB = 20.0
STRICT = {"all": [{"all_outcomes": True}, {"min_score": {"value": 95, "op": ">="}}]}


def seed(n: int) -> None:
    """n learners with every outcome validated at 90 % (bulk inserts: the setup is not measured)."""
    from microcredential_xblock.service.models import AssessmentResult, OutcomeEvidence

    course, quiz, outcome_ids = _service.COURSE, _service.QUIZ1, _service.outcome_ids()

    ids = [f"bench-{i:06d}" for i in range(n)]
    AssessmentResult.objects.bulk_create(
        [AssessmentResult(learner_id=i, course_key=course, usage_key=quiz, best_score=9, max_score=10, attempts=1)
         for i in ids], batch_size=1000,
    )  # fmt: skip
    OutcomeEvidence.objects.bulk_create(
        [OutcomeEvidence(learner_id=i, course_key=course, assessment_usage_key=quiz, outcome_id=o,
                         best_fraction=0.9, validated=True, attempts=1) for i in ids for o in outcome_ids],
        batch_size=1000,
    )  # fmt: skip


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--milestones", default="1000,5000,10000")
    parser.add_argument("--db", choices=["sqlite", "mysql", "postgresql"], default="sqlite")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object (and nothing else)")
    args = parser.parse_args()
    milestones = sorted({int(m) for m in args.milestones.split(",") if 0 < int(m) <= args.n} | {args.n})

    databases = _service.setup(args.db)
    from django.core.management import call_command

    from microcredential_xblock.management.commands import microvet_issue_course
    from microcredential_xblock.platform import tasks
    from microcredential_xblock.service import api
    from microcredential_xblock.service.models import IssuedCredential

    say = (lambda *_a, **_k: None) if args.json else print
    course, block, definition = _service.COURSE, _service.MC_BLOCK, _service.example_definition()
    api.register_definition(course, block, definition, STRICT)
    seed(args.n)
    api.register_definition(course, block, definition, _service.RULES)  # the rule change
    say(f"database: {args.db}, learners: {args.n}, chunk: {microvet_issue_course.CHUNK}")
    say(
        f"{'learners':>9} {'credentials/s':>14} {'peak RSS MB':>12}"
        + (f" {'peak alloc MB':>14}" if args.tracemalloc else "")
    )

    rows: list[tuple[int, float, float]] = []
    clock = _service.clock(args.db)  # the clock of benchmarks/issuance.py, whose rate this is held against
    real = tasks.evaluate_now
    done = 0
    start = clock()
    if args.tracemalloc:
        tracemalloc.start()

    def measured(learner_id: str, course_key: str) -> list[str]:
        nonlocal done
        states = real(learner_id, course_key)
        done += 1
        if done in milestones:
            rate = done / (clock() - start)
            rows.append((done, rate, rss_mb()))
            extra = f" {tracemalloc.get_traced_memory()[1] / 2**20:14.1f}" if args.tracemalloc else ""
            say(f"{done:>9} {rate:>14.1f} {rss_mb():>12.1f}{extra}", flush=True)
        return states

    tasks.evaluate_now = measured
    out = io.StringIO()
    call_command(microvet_issue_course.Command(), course, no_progress=True, stdout=out)
    tasks.evaluate_now = real
    assert IssuedCredential.objects.count() == args.n, "every learner gets exactly one credential"
    say(out.getvalue().strip())

    _service.teardown(databases)
    rate, growth = rows[-1][1], rows[-1][2] - rows[0][2]
    met = rate >= RATE_TARGET and growth <= GROWTH_TARGET_MB
    if args.json:
        print(json.dumps({"db": args.db, "n": args.n, "bulk_ops": rate, "rss_growth_mb": growth,
                          "peak_rss_mb": rows[-1][2], "targets_met": met}))  # fmt: skip
        return 0 if met else 1
    print(f"credentials/s: {rate:.1f} (target >= {RATE_TARGET:.0f}); peak RSS growth from {rows[0][0]} to "
          f"{rows[-1][0]} learners: {growth:.1f} MB (target <= {GROWTH_TARGET_MB:.0f})")  # fmt: skip
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
