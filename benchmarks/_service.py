"""Django set-up and sample data for the service benchmarks, from a plain install (no test suite, no pytest).

The database is a fresh one made for the run and dropped after it: SQLite in a temporary file (WAL
journal, ``synchronous=NORMAL``, the usual settings for a file database that is written often:
no fsync per commit), or ``bench_microvet`` on MariaDB (127.0.0.1:3306, root) or PostgreSQL
(127.0.0.1:5432, postgres), never a database a test run or a deployment uses.
"""

# ruff: noqa: PLC0415  (Django is configured before the service is imported)
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "micro-credential.yaml"
COURSE = "course-v1:Aurora+MC101+2026"
MC_BLOCK = "block-v1:Aurora+MC101+2026+type@microcredential+block@mc1"
QUIZ1 = "block-v1:Aurora+MC101+2026+type@outcome_assessment+block@quiz1"
RULES = {"all": [{"all_outcomes": True}, {"min_score": {"value": 70, "op": ">="}}]}
_SUFFIX = os.environ.get("MICROVET_TEST_DB_SUFFIX", "")


def _database(db: str, directory: Path) -> dict[str, Any]:
    name = "bench_microvet" + _SUFFIX
    if db == "mysql":
        return {
            "ENGINE": "django.db.backends.mysql",
            "NAME": name,
            "USER": "root",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": "3306",
            "OPTIONS": {"charset": "utf8mb4"},
            "TEST": {"NAME": name, "CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    if db == "postgresql":
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": "5432",
            "TEST": {"NAME": name},
        }
    path = str(directory / "bench.sqlite3")
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 60,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        "TEST": {"NAME": path},
    }


def clock(db: str) -> Callable[[], float]:
    """The clock of a service figure: on SQLite the database works inside this process, so its CPU time
    counts all the work and holds on a busy machine; for a database server, wall time counts its share."""
    return time.process_time if db == "sqlite" else time.perf_counter


def setup(db: str) -> Any:
    """Configure Django for ``db``, create the benchmark database; returns what ``teardown`` needs."""
    import django
    from django.conf import settings

    from badge_issuer.keys import generate_issuer

    directory = Path(tempfile.mkdtemp(prefix="microvet-bench-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    generate_issuer(
        directory / "default",
        did="web",
        domain="lms.example.org",
        path="microvet",
        profile={"name": "Aurora VET", "url": "https://aurora-vet.example.it", "country": "IT"},
    )
    settings.configure(
        SECRET_KEY="benchmark-only-not-secret",  # noqa: S106
        USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "microcredential_xblock.service",
        ],
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        DATABASES={"default": _database(db, directory)},
        ROOT_URLCONF="benchmarks._urls",
        MICROVET={"BASE_URL": "https://lms.example.org", "KEYS_DIR": str(directory), "FORMATS": ["di", "jwt"]},
    )
    django.setup()
    from django.test.utils import setup_databases, setup_test_environment

    setup_test_environment()
    return setup_databases(verbosity=0, interactive=False)


def teardown(databases: Any) -> None:
    from django.test.utils import teardown_databases

    teardown_databases(databases, verbosity=0)


def example_definition() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def outcome_ids() -> list[str]:
    return [lo["id"] for lo in example_definition()["learning_outcomes"]]


def all_validated(fraction: float = 0.9) -> dict[str, Any]:
    from microcredential_xblock.service import api

    return {oid: api.OutcomeScore(fraction, True) for oid in outcome_ids()}
