"""Shared fixtures: paths to the bundled sample data and the offline OB 3.0 material."""

from __future__ import annotations

import os
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
