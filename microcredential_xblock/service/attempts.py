"""Attempts at an assessment, counted in the database so a limit holds under parallel submissions (ADR 0010).

A claim is one conditional ``UPDATE ... SET used = used + 1 WHERE used < limit``: the database
serialises concurrent updates of the row (InnoDB and PostgreSQL re-check the condition on the row
they waited for; SQLite writes one transaction at a time), so no two requests take the last attempt.
The row is inserted first in its own statement (``INSERT ... IGNORE`` / ``ON CONFLICT DO NOTHING``),
as in evidence.py, so the first submissions of a learner never race on creating it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import AttemptCounter


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
