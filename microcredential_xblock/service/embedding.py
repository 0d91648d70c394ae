"""The alliance endorsements embedded in credentials issued now, remembered per process (ADR 0016, 0019).

Issuance asks for them on every credential; they change when staff upload or withdraw one (a save,
which clears this process's memory at once and every other's within ``REMEMBER_SECONDS``) or when a
recheck falls due or one expires (the remembered answer ends no later than that). Only answers read
outside a transaction, or once it committed, are remembered.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.utils import timezone

from .alliance import RECHECK_AFTER, recheck
from .alliance_models import AllianceMember, Endorsement

#: How long another process may go on embedding an endorsement staff withdrew here.
REMEMBER_SECONDS = 60

Embeddable = dict[str, list[Any]]
_lock = threading.Lock()
_remembered: dict[tuple[str, str], tuple[datetime, Embeddable]] = {}


def embeddable(achievement_id: str, issuer_id: str, *, now: datetime | None = None) -> Embeddable:
    """The endorsements to embed in a credential issued now: target ("achievement"/"issuer") -> documents."""
    moment = now or timezone.now()
    key = (achievement_id, issuer_id)
    with _lock:
        until, found = _remembered.get(key, (moment, {}))
    if moment < until:
        return found
    found, until = _read(achievement_id, issuer_id, moment)

    def remember() -> None:
        with _lock:
            _remembered[key] = (until, found)

    transaction.on_commit(remember)
    return found


def _read(achievement_id: str, issuer_id: str, moment: datetime) -> tuple[Embeddable, datetime]:
    found: Embeddable = {Endorsement.ACHIEVEMENT: [], Endorsement.ISSUER: []}
    until = moment + timedelta(seconds=REMEMBER_SECONDS)
    rows = Endorsement.objects.filter(
        subject_id__in=[achievement_id, issuer_id], state=Endorsement.ACCEPTED
    ).select_related("member")
    for row in rows:
        checked = recheck(row, now=moment)
        if checked.state == Endorsement.ACCEPTED:
            found[checked.subject_kind].append(checked.document)
            until = min(until, checked.checked_at + RECHECK_AFTER, checked.valid_until or until)
    return found, until


@receiver(post_save, sender=Endorsement, dispatch_uid="microvet-embedding-endorsement-saved")
@receiver(post_delete, sender=Endorsement, dispatch_uid="microvet-embedding-endorsement-deleted")
@receiver(post_save, sender=AllianceMember, dispatch_uid="microvet-embedding-member-saved")
@receiver(post_delete, sender=AllianceMember, dispatch_uid="microvet-embedding-member-deleted")
@receiver(post_migrate, dispatch_uid="microvet-embedding-flushed")
def forget(**kwargs: object) -> None:
    """An endorsement or member changed here (or the tables were flushed): ask the database next time."""
    with _lock:
        _remembered.clear()
