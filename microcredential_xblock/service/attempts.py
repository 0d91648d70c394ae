"""Attempts at an assessment, counted in the database so a limit holds under parallel submissions (ADR 0010).

A claim is one conditional ``UPDATE ... SET used = used + 1 WHERE used < limit``: the database
serialises concurrent updates of the row (InnoDB and PostgreSQL re-check the condition on the row
they waited for; SQLite writes one transaction at a time), so no two requests take the last attempt.
The row is inserted first in its own statement (``INSERT ... IGNORE`` / ``ON CONFLICT DO NOTHING``),
as in evidence.py, so the first submissions of a learner never race on creating it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import inputs
from .errors import InvalidInput
from .models import AttemptCounter
from .progress import Learner


def claim(learner_id: str, usage_key: str, limit: int, used_before: int = 0) -> int | None:
    """Use one attempt (``limit`` 0: unlimited); the attempt's number, or None when all are used.

    ``used_before`` seeds a new row: attempts counted before this table existed (the block's state).
    """
    AttemptCounter.objects.bulk_create(
        [AttemptCounter(learner_id=learner_id, usage_key=usage_key, used=used_before)], ignore_conflicts=True
    )
    row = AttemptCounter.objects.filter(learner_id=learner_id, usage_key=usage_key)
    with transaction.atomic():
        if (row.filter(used__lt=limit) if limit else row).update(used=F("used") + 1, updated=timezone.now()) == 0:
            return None
        # Still inside the transaction that holds the row: this is our own attempt's number.
        return row.values_list("used", flat=True).get()


def release(learner_id: str, usage_key: str) -> None:
    """Give back an attempt whose submission could not be recorded (it cost the learner nothing)."""
    AttemptCounter.objects.filter(learner_id=learner_id, usage_key=usage_key, used__gt=0).update(
        used=F("used") - 1, updated=timezone.now()
    )


def reset(learner_id: str, usage_key: str) -> None:
    AttemptCounter.objects.filter(learner_id=learner_id, usage_key=usage_key).delete()


def used(learner_id: str, usage_key: str) -> int:
    return (
        AttemptCounter.objects.filter(learner_id=learner_id, usage_key=usage_key).values_list("used", flat=True).first()
        or 0
    )


# ------------------------------------------------------------------------------------------ the API
# What the outcome-assessment block calls besides record_assessment (through service.api, ADR 0010).


def claim_attempt(learner: Learner, usage_key: Any, max_attempts: int, *, used_before: int = 0) -> int | None:
    """Use one of the learner's ``max_attempts`` (0: unlimited) at an assessment, atomically in the
    database; the attempt's number (1, 2, ...), or None when all are used. Claim before scoring.

    ``used_before``: attempts the block counted itself before this counter existed (first claim only).
    """
    learner, usage_key = inputs.learner(learner), inputs.key(usage_key, "usage_key")
    limit, used_before = inputs.count(max_attempts, "max_attempts"), inputs.count(used_before, "used_before")
    return claim(learner.user_id, usage_key, limit, used_before)


def release_attempt(learner: Learner, usage_key: Any) -> None:
    """Give back a claimed attempt whose submission could not be recorded (nothing was stored)."""
    learner, usage_key = inputs.learner(learner), inputs.key(usage_key, "usage_key")
    release(learner.user_id, usage_key)


def reset_attempts(learner_id: Any, usage_key: Any) -> None:
    """Staff deleted the learner's state of an assessment: all its attempts are available again.

    The evidence stays (a validated outcome never goes back, ADR 0004).
    """
    if not isinstance(learner_id, str) or not learner_id or len(learner_id) > 64:
        raise InvalidInput("learner_id", _("must be a non-empty string of at most 64 characters"))
    reset(learner_id, inputs.key(usage_key, "usage_key"))


def attempts_used(learner: Learner, usage_key: Any) -> int:
    learner, usage_key = inputs.learner(learner), inputs.key(usage_key, "usage_key")
    return used(learner.user_id, usage_key)
