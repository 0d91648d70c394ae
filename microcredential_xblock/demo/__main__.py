"""``python -m microcredential_xblock.demo [--port 8000] [--var DIR]``: prepare and run the demo workbench.

First run: creates DIR (default: ``var/`` in the repository), migrates the SQLite database and creates
development issuer keys (did:key) in DIR/keys. Later runs reuse both. Then serves on 127.0.0.1:PORT.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: Who signs the demo's credentials: a sample provider, clearly marked as development keys.
DEMO_ISSUER = {
    "name": "Istituto Formazione Professionale Aurora (demo keys)",
    "url": "https://aurora-vet.example.it",
    "email": "credentials@aurora-vet.example.it",
    "country": "IT",
    "region": "Emilia-Romagna",
}


def publish_samples() -> list[str]:
    """Publish the scenarios' micro-credentials that were never published, as importing a course into
    Studio publishes it; later edits reach learners only through the editor's Publish action."""
    from workbench.runtime import WorkbenchRuntime  # noqa: PLC0415 - needs Django set up
    from workbench.scenarios import get_scenarios  # noqa: PLC0415

    from microcredential_xblock.blocks.credential import MicroCredentialXBlock  # noqa: PLC0415
    from microcredential_xblock.service import api  # noqa: PLC0415
    from microcredential_xblock.service.models import MicroCredentialDefinition  # noqa: PLC0415

    published = []
    runtime = WorkbenchRuntime("author")
    for scenario in get_scenarios().values():
        blocks = [runtime.get_block(scenario.usage_id)]
        while blocks:
            block = blocks.pop()
            blocks.extend(runtime.get_block(child) for child in getattr(block, "children", []))
            if not isinstance(block, MicroCredentialXBlock) or block.problems():
                continue
            if MicroCredentialDefinition.objects.filter(usage_key=block.usage_key).exists():
                continue
            api.publish(block.course_key, {block.usage_key: block.published_pair()}, may_sign=True, complete=False)
            published.append(block.usage_key)
    return published


def prepare(var: Path) -> Path:
    """Create the var directory, migrate the database, create dev keys and publish the samples once;
    returns the keys dir."""
    import django  # noqa: PLC0415 - settings must be chosen first
    from django.core.management import call_command  # noqa: PLC0415

    from badge_issuer.keystore import generate_issuer  # noqa: PLC0415

    var.mkdir(parents=True, exist_ok=True)
    django.setup()
    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
    keys = var / "keys" / "default"
    if not (keys / "issuer.json").exists():
        keys.mkdir(parents=True, exist_ok=True)
        issuer = generate_issuer(keys, did="key", profile=DEMO_ISSUER)
        print(f"Created development issuer keys for {issuer.issuer_id} in {keys}")
    for usage_key in publish_samples():
        print(f"Published the sample micro-credential {usage_key}")
    from microcredential_xblock.demo import alliance as demo_alliance  # noqa: PLC0415 - needs Django set up

    for name in demo_alliance.seed(var):
        print(f"Added the sample alliance member {name}")
    return keys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m microcredential_xblock.demo", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--var", type=Path, default=REPO / "var", help="data directory (database, keys, logs)")
    args = parser.parse_args(argv)
    var = args.var.resolve()
    os.environ["MICROVET_DEMO_VAR"] = str(var)
    os.environ["MICROVET_DEMO_PORT"] = str(args.port)
    os.environ["DJANGO_SETTINGS_MODULE"] = "microcredential_xblock.demo.workbench_settings"
    prepare(var)
    from django.core.management import call_command  # noqa: PLC0415

    print(f"microVET demo: http://127.0.0.1:{args.port}/scenario/microcredential.0/?student=alice")
    # --insecure: serve the workbench's static files although DEBUG is off (no tracebacks for visitors).
    call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False, insecure_serving=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
