"""Fixtures shared by the service, view and concurrency tests (imported by those modules)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from microcredential_xblock.service import api

ROOT = Path(__file__).resolve().parent.parent
COURSE = "course-v1:Aurora+MC101+2026"
MC_BLOCK = "block-v1:Aurora+MC101+2026+type@microcredential+block@mc1"
QUIZ1 = "block-v1:Aurora+MC101+2026+type@outcome_assessment+block@quiz1"
QUIZ2 = "block-v1:Aurora+MC101+2026+type@outcome_assessment+block@quiz2"
RULES = {"all": [{"all_outcomes": True}, {"min_score": {"value": 70, "op": ">="}}]}
LEARNER = api.Learner(user_id="42", email="Ada.Learner@example.org", name="Ada Learner")


def example_definition() -> dict:
    return yaml.safe_load((ROOT / "examples" / "micro-credential.yaml").read_text(encoding="utf-8"))


def outcome_ids(definition: dict | None = None) -> list[str]:
    return [lo["id"] for lo in (definition or example_definition())["learning_outcomes"]]


def all_validated(fraction: float = 0.9) -> dict[str, api.OutcomeScore]:
    return {oid: api.OutcomeScore(fraction, True) for oid in outcome_ids()}


@pytest.fixture
def definition() -> dict:
    return copy.deepcopy(example_definition())


@pytest.fixture
def registered(db, definition):
    return api.register_definition(COURSE, MC_BLOCK, definition, RULES)


@pytest.fixture
def earned(registered):
    """A learner who passed: returns the issued credential."""
    (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    assert progress.state == api.EARNED
    return progress.credential
