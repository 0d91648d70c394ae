"""Issue and verify EU micro-credentials in each format on one core; compare with the JS libraries.

    python benchmarks/issuer.py [-n 200] [--rounds 3] [--context inline|urls] [--json] [--no-js]

Two credentials: the example definition (examples/micro-credential.yaml) and the largest
sample-course definition (course_templates/specs, by number of N-Quads). For each, in every round,
ours then the JS side (node interop/bench.mjs: Digital Bazaar's eddsa-rdfc-2022 issue and verify,
jose signing the same VC-JWT payload with the same key), all pinned to one core; a figure is the
median over the rounds, a ratio the median of the per-round ratios. Rates are per second of CPU
time of the measuring process on both sides (the machine is shared and its load changes between
our run and the JS one; CPU time is the cost on one core). Each issue has its own recipient and second, so no
per-document cache can hit. ``--context inline`` (the default) carries our terms inline in
``@context`` (the wallets design, docs/decisions/0012); ``urls`` names the bundled URL.

Targets (issue 12): DI issue and verify >= 5x the JS libraries; DI verify >= DI issue; VC-JWT
signing >= 2x jose. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jwt as pyjwt  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

from badge_issuer import canonical, contexts  # noqa: E402
from badge_issuer.definition import Definition, load_definition, parse_definition  # noqa: E402
from badge_issuer.issue import issue_credential  # noqa: E402
from badge_issuer.keystore import generate_issuer  # noqa: E402
from badge_issuer.model import Recipient  # noqa: E402
from badge_issuer.proofs.jwt import expected_claims, sign_jwt  # noqa: E402
from badge_issuer.verify import verify  # noqa: E402

DI_RATIO_TARGET = 5.0
JWT_RATIO_TARGET = 2.0
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)  # in the past: the JS verifier checks validFrom against its clock


def ops_per_second(n: int, operation: Callable[[int], object]) -> float:
    """Operations per second of this process's CPU time (the JS side counts the same way), so that
    other load on the shared machine, which comes and goes between our run and the JS one, drops out."""
    operation(-1)  # warm-up: context caches, templates, first-call imports
    start = time.process_time()
    for i in range(n):
        operation(i)
    return n / (time.process_time() - start)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def use_context(design: str) -> None:
    """Make issued credentials carry our terms inline (the wallets design) or by URL, whichever the tree lacks."""
    if design == "inline" and hasattr(contexts, "CREDENTIAL_CONTEXTS"):  # the URL design: inline our terms
        terms = contexts.bundled_context(contexts.MICROVET_V1)["@context"]
        urls = contexts.CREDENTIAL_CONTEXTS
        urls[:] = [terms if c == contexts.MICROVET_V1 else c for c in urls]
    elif design == "urls" and not hasattr(contexts, "CREDENTIAL_CONTEXTS"):  # the inline design: name the URL
        contexts.serve_context_at(contexts.MICROVET_V1)


def context_design(document: dict) -> str:
    return "inline object" if any(isinstance(c, dict) for c in document["@context"]) else "URLs"


def largest_sample_course() -> tuple[str, Definition]:
    """The sample-course definition whose credential has the most N-Quads."""
    from course_templates.spec import load_spec  # noqa: PLC0415 - only this figure needs the course tools

    best: tuple[int, str, Definition] | None = None
    for spec in sorted((ROOT / "course_templates" / "specs").glob("*.yaml")):
        definition = parse_definition(load_spec(spec).definition)
        issuer = {"id": "did:example:issuer", "type": ["Profile"], "name": "x"}
        from badge_issuer.model import build_credential  # noqa: PLC0415

        doc = build_credential(
            definition, Recipient("a@example.org"), issuer, credential_id="urn:uuid:1", issued_at=START, score=90
        )
        quads = canonical.canonize(doc, cached=False).count("\n")
        if best is None or quads > best[0]:
            best = (quads, spec.name, definition)
    assert best is not None
    return f"{best[1]} ({best[0]} quads)", best[2]


def js_figures(unsigned: dict, seed_hex: str, n: int, payload: dict, kid: str) -> dict:
    """Run interop/bench.mjs on the same unsigned credential, JWT payload and key (pinned to one core)."""
    with tempfile.TemporaryDirectory() as tmp:
        credential, key, jwt_payload = Path(tmp, "unsigned.json"), Path(tmp, "key.json"), Path(tmp, "payload.json")
        credential.write_text(json.dumps(unsigned))
        key.write_text(json.dumps({"seed": seed_hex}))
        jwt_payload.write_text(json.dumps(payload))
        command = ["node", str(ROOT / "interop" / "bench.mjs"), str(credential), str(key), "--n", str(n)]
        command += ["--jwt-payload", str(jwt_payload), "--kid", kid]
        if hasattr(os, "sched_setaffinity"):
            command = ["taskset", "-c", "0", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603
        if result.returncode != 0:
            raise SystemExit(f"interop/bench.mjs failed: {result.stderr.strip()}")
        return json.loads(result.stdout)


def measure_credential(definition: Definition, issuer, n: int) -> dict[str, Callable[[int], object]]:
    recipients = [
        Recipient(email=f"learner{i}@example.org", subject_id=f"urn:uuid:00000000-0000-4000-8000-{i:012d}")
        for i in range(-1, 4 * n)
    ]
    counter = iter(range(10**9))

    def issue(formats: tuple[str, ...]) -> Callable[[int], object]:
        def run(_i: int) -> object:
            i = next(counter)
            return issue_credential(
                definition,
                recipients[i % len(recipients)],
                issuer,
                formats=formats,
                issued_at=START + timedelta(seconds=i),
                score=90,
            )

        return run

    di_sample = issue_credential(definition, recipients[0], issuer, formats=("di",), issued_at=START, score=90)
    jwt_sample = issue_credential(definition, recipients[0], issuer, formats=("jwt",), issued_at=START, score=90)
    now = START + timedelta(days=1)
    assert verify(di_sample.document, now=now).ok and verify(jwt_sample.jwt, now=now).ok
    unsigned = jwt_sample.document
    return {
        "samples": (di_sample, jwt_sample),
        "di_issue": issue(("di",)),
        "di_verify": lambda _i: verify(di_sample.document, now=now),
        "jwt_issue": issue(("jwt",)),
        "jwt_sign": lambda _i: sign_jwt(unsigned, issuer.jwt_key, issuer.jwt_kid),
        "jwt_verify": lambda _i: verify(jwt_sample.jwt, now=now),
    }


def bench_issuer():
    """A fresh issuer for the run, in a temporary folder removed at exit: private keys never outlive it."""
    keys_dir = tempfile.mkdtemp(prefix="microvet-bench-")
    atexit.register(shutil.rmtree, keys_dir, ignore_errors=True)
    return generate_issuer(keys_dir + "/keys", profile={"name": "Bench", "country": "IT"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="operations per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of ours-then-JS (medians are reported)")
    parser.add_argument("--context", choices=["inline", "urls"], default="inline")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-js", action="store_true", help="skip the Node comparison")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # one core, as the target says
    use_context(args.context)

    issuer = bench_issuer()
    seed = issuer.di_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    ).hex()
    sample_name, sample_definition = largest_sample_course()
    credentials = {
        "example": ("examples/micro-credential.yaml", load_definition(ROOT / "examples" / "micro-credential.yaml")),
        "course": (sample_name, sample_definition),
    }
    figures: dict = {"n": args.n, "rounds": args.rounds}
    targets: dict[str, bool] = {}
    for label, (source, definition) in credentials.items():
        ops = measure_credential(definition, issuer, args.n)
        di_sample, jwt_sample = ops.pop("samples")
        figures[f"{label}_source"] = source
        figures[f"{label}_context"] = context_design(di_sample.document)
        rounds: list[dict] = []
        for _round in range(args.rounds):
            row = {name: ops_per_second(args.n, op) for name, op in ops.items() if name != "jwt_sign"}
            row["jwt_sign"] = ops_per_second(10 * args.n, ops["jwt_sign"])
            if not args.no_js:
                unsigned = {k: v for k, v in di_sample.document.items() if k != "proof"}
                payload = dict(jwt_sample.document) | expected_claims(jwt_sample.document)
                js = js_figures(unsigned, seed, max(20, args.n // 4), payload, issuer.jwt_kid)
                # the jose token must be a valid signature of the same payload with the same key
                decoded = pyjwt.decode(js["js_jwt_sample"], issuer.jwt_key.public_key(), algorithms=["EdDSA"],
                                       options={"verify_nbf": False, "verify_exp": False})  # fmt: skip
                assert decoded == payload, "jose signed a different payload"
                row |= {k: js[k] for k in ("js_di_issue_ops", "js_di_verify_ops", "js_jwt_sign_ops")}
                row["di_issue_ratio"] = row["di_issue"] / row["js_di_issue_ops"]
                row["di_verify_ratio"] = row["di_verify"] / row["js_di_verify_ops"]
                row["jwt_sign_ratio"] = row["jwt_sign"] / row["js_jwt_sign_ops"]
            row["verify_over_issue"] = row["di_verify"] / row["di_issue"]
            rounds.append(row)
        for key in rounds[0]:
            name = key if key.endswith(("_ops", "_ratio", "_over_issue")) else f"{key}_ops"
            figures[f"{label}_{name}"] = statistics.median(r[key] for r in rounds)
        targets[f"{label}: DI verify >= DI issue"] = figures[f"{label}_verify_over_issue"] >= 1.0
        if not args.no_js:
            targets[f"{label}: DI issue >= {DI_RATIO_TARGET:g}x JS"] = (
                figures[f"{label}_di_issue_ratio"] >= DI_RATIO_TARGET
            )
            targets[f"{label}: DI verify >= {DI_RATIO_TARGET:g}x JS"] = (
                figures[f"{label}_di_verify_ratio"] >= DI_RATIO_TARGET
            )
            targets[f"{label}: VC-JWT sign >= {JWT_RATIO_TARGET:g}x jose"] = (
                figures[f"{label}_jwt_sign_ratio"] >= JWT_RATIO_TARGET
            )
    figures["peak_rss_mb"] = peak_rss_mb()
    figures = {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}
    figures["targets_met"] = targets
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>32}: {value}")
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
