"""Run every benchmark and print one table of figures, ratios and targets (``make bench``).

    python benchmarks/run_all.py [-n 200] [--rounds 5] [--context inline|urls] [--dbs sqlite,mysql,postgresql]
                                 [--bulk 10000] [--service-n 600] [--service-rounds 6] [--parallel]

Each benchmark runs in its own process (Django is configured once per process): issuer.py (DI and
VC-JWT against the JS libraries, two credentials), then per database issuance.py (the service's
cost of one issuance) and bulk_issuance.py (10,000 learners; its rate is held against 0.8x the
single-issuance rate measured just before on the same database). The table is Markdown, so the
README's performance table is this output. Exit status 1 when a target is missed or a benchmark
failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
BULK_RATIO_TARGET = 0.8


def run(script: str, *args: str) -> dict:
    """One benchmark's JSON figures, or {"error": ...} (a missing database is a row, not a crash).

    Starts with ``os.sync()``: the previous benchmark's writes (a 10,000-learner bulk run, a dropped
    database) would otherwise be flushed to disk during this one and slow its commits (seen: MariaDB and
    PostgreSQL submissions at 47/s right after a bulk run, 77-80/s on their own)."""
    os.sync()
    command = [sys.executable, str(HERE / script), "--json", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)  # noqa: S603
    lines = result.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"{script} exited {result.returncode}: {tail[:120]}"}


def _num(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}" if value >= 10 else f"{value:.2f}"


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.missed = 0

    def add(  # noqa: PLR0917 - one table row, in column order
        self, figure: str, ours: str, other: str = "", ratio: str = "", target: str = "", met: bool | None = None
    ) -> None:
        if met is False:
            self.missed += 1
        self.rows.append((figure, ours, other, ratio, target, "" if met is None else "yes" if met else "**no**"))

    def render(self) -> str:
        head = ("figure", "ours", "other", "ratio", "target", "met")
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def issuer_rows(table: Table, f: dict) -> None:
    if "error" in f:
        table.add("issuer.py", f["error"], met=False)
        return
    for label in ("example", "course"):
        name = f"{label} ({f[f'{label}_context']} @context)"
        for op, what in (("di_issue", "DI issue"), ("di_verify", "DI verify")):
            ratio = f.get(f"{label}_{op}_ratio")
            table.add(
                f"{what}, {name}, ops/s",
                _num(f[f"{label}_{op}_ops"]),
                f"{_num(f[f'{label}_js_{op}_ops'])} (Digital Bazaar)" if ratio else "",
                f"{ratio:.1f}x" if ratio else "",
                ">= 5x",
                ratio >= 5 if ratio else None,
            )
        table.add(
            f"DI verify / DI issue, {label}", "", "", f"{f[f'{label}_verify_over_issue']:.2f}x", ">= 1x",
            f[f"{label}_verify_over_issue"] >= 1,
        )  # fmt: skip
        ratio = f.get(f"{label}_jwt_sign_ratio")
        table.add(
            f"VC-JWT sign (same payload), {label}, ops/s",
            _num(f[f"{label}_jwt_sign_ops"]),
            f"{_num(f[f'{label}_js_jwt_sign_ops'])} (jose)" if ratio else "",
            f"{ratio:.1f}x" if ratio else "",
            ">= 2x",
            ratio >= 2 if ratio else None,
        )
        table.add(f"VC-JWT issue (build, check, sign), {label}, ops/s", _num(f[f"{label}_jwt_issue_ops"]))
        table.add(f"VC-JWT verify, {label}, ops/s", _num(f[f"{label}_jwt_verify_ops"]))


def service_rows(table: Table, db: str, single: dict, bulk: dict | None) -> None:
    if "error" in single:
        table.add(f"service, {db}", single["error"], met=False)
        return
    table.add(f"submissions/s without issuance, {db}", _num(single["without_issuance_ops"]), target=">= 50",
              met=single["without_issuance_ops"] >= 50)  # fmt: skip
    table.add(f"submissions/s with issuance, {db}", _num(single["with_issuance_ops"]), target=">= 20",
              met=single["with_issuance_ops"] >= 20)  # fmt: skip
    table.add(
        f"one issuance, {db}, in DI signatures",
        f"{single['issuance_ms']:.1f} ms",
        f"{single['di_signature_ms']:.2f} ms (one DI issue)",
        f"{single['issuance_in_di_signatures']:.1f}x",
        "<= 1.5x",
        single["issuance_in_di_signatures"] <= 1.5,
    )
    table.add(
        f"one issuance, {db}, in DI signatures made inside the flow (information)",
        f"{single['issuance_ms']:.1f} ms",
        f"{single['di_signature_in_flow_ms']:.2f} ms (one DI issue after a submission)",
        f"{single['issuance_in_di_signatures_in_flow']:.1f}x",
    )
    table.add(  # a floor of the goal-3 ratio: every issuance holds one such signature
        f"one DI signature made inside the flow, {db}, in tight-loop DI signatures (information)",
        f"{single['di_signature_in_flow_ms']:.2f} ms",
        f"{single['di_signature_ms']:.2f} ms (tight loop)",
        f"{single['di_signature_in_flow_ms'] / single['di_signature_ms']:.1f}x",
    )
    if bulk is None:
        return
    if "error" in bulk:
        table.add(f"bulk, {db}", bulk["error"], met=False)
        return
    ratio = bulk["bulk_ops"] / single["with_issuance_ops"]
    table.add(
        f"bulk issuance, {bulk['n']:,} learners, {db}, credentials/s",
        _num(bulk["bulk_ops"]),
        f"{_num(single['with_issuance_ops'])} (single issuance)",
        f"{ratio:.2f}x",
        f">= {BULK_RATIO_TARGET}x",
        ratio >= BULK_RATIO_TARGET,
    )
    table.add(f"bulk peak RSS growth, {db}", f"{bulk['rss_growth_mb']:.1f} MB", f"{bulk['peak_rss_mb']:.0f} MB peak",
              target="<= 20 MB", met=bulk["rss_growth_mb"] <= 20)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="operations per issuer measurement")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of issuer.py (medians)")
    parser.add_argument("--context", choices=["inline", "urls"], default="inline")
    parser.add_argument("--dbs", default="sqlite,mysql,postgresql")
    parser.add_argument("--bulk", type=int, default=10_000, help="learners in the bulk run (0: skip it)")
    parser.add_argument("--service-n", type=int, default=600, help="learners per service measurement")
    parser.add_argument("--service-rounds", type=int, default=6, help="rounds of issuance.py (medians)")
    parser.add_argument(
        "--parallel", action="store_true", help="the databases at once, after issuer.py (each its own processes)"
    )
    args = parser.parse_args()
    table = Table()
    print(f"running benchmarks/issuer.py ({args.rounds} rounds, {args.context} context) ...", file=sys.stderr)
    issuer_rows(table, run("issuer.py", "-n", str(args.n), "--rounds", str(args.rounds), "--context", args.context))

    def service(db: str) -> tuple[dict, dict | None]:
        print(f"running the service benchmarks on {db} ...", file=sys.stderr)
        single = run("issuance.py", "--db", db, "-n", str(args.service_n), "--rounds", str(args.service_rounds))
        bulk = None
        if args.bulk and "error" not in single:
            milestones = ",".join(str(m) for m in (args.bulk // 10, args.bulk // 2, args.bulk))
            bulk = run("bulk_issuance.py", "--db", db, "-n", str(args.bulk), "--milestones", milestones)
        return single, bulk

    dbs = [d for d in args.dbs.split(",") if d]
    with ThreadPoolExecutor(max_workers=len(dbs) if args.parallel else 1) as pool:
        for db, (single, bulk) in zip(dbs, pool.map(service, dbs), strict=True):
            service_rows(table, db, single, bulk)
    how = "databases in parallel" if args.parallel else "one benchmark at a time"
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    print(f"\n`make bench`, {when}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, {how}\n")
    print(table.render())
    print(f"\n{table.missed} target(s) missed" if table.missed else "\nall targets met")
    return 1 if table.missed else 0


if __name__ == "__main__":
    sys.exit(main())
