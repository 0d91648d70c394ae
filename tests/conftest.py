"""Shared fixtures: paths to the bundled sample data and the offline OB 3.0 material."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Copies of the offline OB 3.0 test vectors, examples and the ELM sample (provenance: PROVENANCE.md).
OB3_DATA = ROOT / "tests" / "data" / "ob3"
IN_CI = os.environ.get("CI", "").lower() == "true"


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
