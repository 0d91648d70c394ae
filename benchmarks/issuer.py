"""Issue and verify full EU micro-credentials in each format on one core; compare with Digital Bazaar's JS.

    python benchmarks/issuer.py [-n 200] [--json] [--no-js]

Prints operations per second for Data Integrity (eddsa-rdfc-2022) and VC-JWT (EdDSA) issue and
verify, the peak RSS of the process, and, measured in the same run on the same credential, the JS
libraries' eddsa-rdfc-2022 sign and verify speed (node interop/bench.mjs). Targets (issue #2):
our DI issue and verify >= 2x the JS libraries; VC-JWT issue >= 2,000 credentials/s with EdDSA.
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import serialization  # noqa: E402

from badge_issuer.definition import load_definition  # noqa: E402
from badge_issuer.issue import issue_credential  # noqa: E402
from badge_issuer.keys import generate_issuer  # noqa: E402
from badge_issuer.model import Recipient  # noqa: E402
from badge_issuer.verify import verify  # noqa: E402

DI_RATIO_TARGET = 2.0
JWT_ISSUE_TARGET = 2000.0


def ops_per_second(n: int, operation: Callable[[int], object]) -> float:
    operation(-1)  # warm-up: context caches, first-call imports
    start = time.perf_counter()
    for i in range(n):
        operation(i)
    return n / (time.perf_counter() - start)


def peak_alloc_kb(operation: Callable[[int], object]) -> float:
    """Peak Python allocation of one (warm) operation, in KiB (tracemalloc; untimed)."""
    operation(-1)
    tracemalloc.start()
    operation(0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def js_figures(unsigned: dict, seed_hex: str, n: int) -> dict:
    """Run interop/bench.mjs on the same unsigned credential and key (pinned to one core)."""
    with tempfile.TemporaryDirectory() as tmp:
        credential, key = Path(tmp, "unsigned.json"), Path(tmp, "key.json")
        credential.write_text(json.dumps(unsigned))
        key.write_text(json.dumps({"seed": seed_hex}))
        command = ["node", str(ROOT / "interop" / "bench.mjs"), str(credential), str(key), "--n", str(n)]
        if hasattr(os, "sched_setaffinity"):
            command = ["taskset", "-c", "0", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=True)  # noqa: S603
        return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="operations per measurement")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-js", action="store_true", help="skip the Node comparison")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # one core, as the target says

    definition = load_definition(ROOT / "examples" / "micro-credential.yaml")
    issuer = generate_issuer(tempfile.mkdtemp() + "/keys", profile={"name": "Bench", "country": "IT"})
    now = datetime.now(UTC)
    recipients = [
        Recipient(email=f"learner{i}@example.org", subject_id=f"urn:uuid:00000000-0000-4000-8000-{i:012d}")
        for i in range(-1, args.n)
    ]

    def issue(formats: tuple[str, ...]) -> Callable[[int], object]:
        return lambda i: issue_credential(
            definition, recipients[i + 1], issuer, formats=formats, issued_at=now, score=90
        )

    di_sample = issue_credential(definition, recipients[0], issuer, formats=("di",), issued_at=now, score=90)
    jwt_sample = issue_credential(definition, recipients[0], issuer, formats=("jwt",), issued_at=now, score=90)
    operations = {
        "di_issue": issue(("di",)),
        "di_verify": lambda i: verify(di_sample.document, now=now),
        "jwt_issue": issue(("jwt",)),
        "jwt_verify": lambda i: verify(jwt_sample.jwt, now=now),
    }
    figures: dict = {"n": args.n}
    figures |= {f"{name}_ops": ops_per_second(args.n, op) for name, op in operations.items()}
    figures |= {f"{name}_peak_kb": peak_alloc_kb(op) for name, op in operations.items()}
    assert verify(di_sample.document, now=now).ok and verify(jwt_sample.jwt, now=now).ok
    figures["peak_rss_mb"] = peak_rss_mb()
    targets = {"jwt_issue_ops >= 2000/s": figures["jwt_issue_ops"] >= JWT_ISSUE_TARGET}
    if not args.no_js:
        seed = issuer.di_key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        ).hex()
        unsigned = {k: v for k, v in di_sample.document.items() if k != "proof"}
        figures |= {k if k != "n" else "js_n": v for k, v in js_figures(unsigned, seed, max(20, args.n // 4)).items()}
        figures["di_issue_ratio"] = figures["di_issue_ops"] / figures["js_di_issue_ops"]
        figures["di_verify_ratio"] = figures["di_verify_ops"] / figures["js_di_verify_ops"]
        targets["di_issue_ratio >= 2"] = figures["di_issue_ratio"] >= DI_RATIO_TARGET
        targets["di_verify_ratio >= 2"] = figures["di_verify_ratio"] >= DI_RATIO_TARGET
    figures = {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}
    figures["targets_met"] = targets
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>20}: {value}")
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
