"""Shared fixtures: paths to the bundled sample data and the offline OB 3.0 material; the service
fixtures (tests/service_fixtures.py) as a plugin; and the end-of-run check that nothing with private
keys is left in the temp dir."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.temp_hygiene import leftovers

ROOT = Path(__file__).resolve().parent.parent
#: Copies of the offline OB 3.0 test vectors, examples and the ELM sample (provenance: PROVENANCE.md).
OB3_DATA = ROOT / "tests" / "data" / "ob3"
IN_CI = os.environ.get("CI", "").lower() == "true"
#: Registered here, so pytest rewrites its assertions (a module's ``pytest_plugins`` comes too late).
pytest_plugins = ["tests.service_fixtures"]


def require(condition: bool, what: str) -> None:
    """Skip a test whose service or tool is missing, except under CI=true, where that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true")
    pytest.skip(f"{what} is not available on this machine")


@pytest.fixture(scope="session")
def ob3_data() -> Path:
    return OB3_DATA


@pytest.fixture(scope="session")
def example_definition_path() -> Path:
    return ROOT / "examples" / "micro-credential.yaml"


@pytest.fixture(scope="session")
def source_msgids() -> frozenset[str]:
    """Every msgid of the English source catalog (what ``scripts/i18n.py extract`` found marked)."""
    from babel.messages.pofile import read_po  # noqa: PLC0415 - only the i18n tests need Babel

    with (ROOT / "microcredential_xblock" / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po").open("rb") as po:
        return frozenset(m.id for m in read_po(po) if isinstance(m.id, str) and m.id)


@pytest.fixture(autouse=True)
def forget_remembered_rows():
    """The service remembers committed rows per process (status-list pictures, endorsements to embed:
    ADR 0019). A test's transaction is rolled back afterwards even when the test ran its on-commit
    callbacks, so what was remembered may name rows that no longer exist: forget it after each test."""
    yield
    if "microcredential_xblock.service.status_lists" in sys.modules:
        sys.modules["microcredential_xblock.service.status_lists"].SLOTS.forget()
    if "microcredential_xblock.service.embedding" in sys.modules:
        sys.modules["microcredential_xblock.service.embedding"].forget()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove this run's temp folder (tests/djsettings.py), then fail the run if it left private keys in
    the system's temp dir (a process that did not inherit ``TMPDIR``, a path written outside it)."""
    run = sys.modules.get("tests.djsettings")
    if run is None or not run.OWNS_RUN_DIR:  # a process this run started: the run checks at its end
        return
    shutil.rmtree(run.RUN_DIR, ignore_errors=True)
    left = leftovers(run.SYSTEM_TEMP_DIR, run.SYSTEM_TEMP_BEFORE, run.RUN_OWNER_FILE)
    if left:
        session.config.get_terminal_writer().line(
            "The test run left private keys in the temp dir: " + ", ".join(map(str, left)), red=True, bold=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
