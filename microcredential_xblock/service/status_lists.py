"""Bitstring status lists in the database: the current list, index allocation, bit changes (ADR 0003, 0019).

Issuance draws an index from ``Slots``, a per-process picture of the current list: which list new
credentials go to and which of its indexes are already taken, so that a draw costs no query and
practically never collides. The picture is filled from committed rows only (``transaction.on_commit``),
is re-read at most ``REFRESH_SECONDS`` later (other processes allocate too), and the credential row's
unique (list, index) pair stays the arbiter: a collision with a rival the picture did not know about
rolls the issuance back, the index is marked taken, and the issuance draws again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils import timezone

from badge_issuer.issue import sign_credential
from badge_issuer.status import StatusList as Bits
from badge_issuer.status import status_entry, status_list_credential

from .config import absolute_url, config, issuer_keys
from .models import IssuedCredential, StatusList

#: A list is retired once half full, so every index hides among at least 65,536 unused ones.
FILL_LIMIT = 0.5
#: How long a process trusts its picture of the current list before reading it again.
REFRESH_SECONDS = 60.0


def current_status_list(purpose: str) -> tuple[StatusList, list[int]]:
    """The list new credentials draw from, created (and signed) when none has room, with its taken indexes.

    Read when a process pictures the list (``Slots``): the indexes it loads are also what the fill
    limit counts. A new list is made in its own (nested) transaction.
    """
    size = config().status_list_size
    latest = StatusList.objects.filter(purpose=purpose).order_by("-sequence").first()
    if latest is not None:
        taken = _taken(latest)
        if len(taken) < latest.size * FILL_LIMIT:
            return latest, taken
    sequence = latest.sequence + 1 if latest is not None else 1
    try:
        with transaction.atomic():
            row = StatusList.objects.create(
                list_id=f"{purpose}-{sequence}",
                purpose=purpose,
                sequence=sequence,
                size=size,
                encoded=Bits(purpose, size).encode(),
            )
            sign_list(row)
            return row, []
    except IntegrityError:  # a rival made the successor first: use theirs
        with transaction.atomic():
            row = StatusList.objects.select_for_update().get(purpose=purpose, sequence=sequence)
            return row, _taken(row)


def _taken(row: StatusList) -> list[int]:
    return list(IssuedCredential.objects.filter(status_list=row).values_list("status_index", flat=True))


def sign_list(row: StatusList) -> None:
    """Re-sign a status list credential with the active key (after a bit change or a key rotation)."""
    keys = issuer_keys()
    unsigned = status_list_credential(
        absolute_url("status", row.list_id),
        keys.issuer_id,
        row.purpose,
        row.encoded,
        timezone.now(),
        ttl_ms=config().cache_seconds * 1000,
    )
    row.signed = sign_credential(unsigned, keys, ("di",)).document
    row.save(update_fields=["signed", "encoded", "updated"])


def list_purposes(credential: IssuedCredential) -> set[str]:
    """statusPurpose of the list the credential was issued on (what outside verifiers will report)."""
    return {credential.status_list.purpose} if credential.status_list_id is not None else set()


def set_status_bit(credential: IssuedCredential, value: bool) -> None:
    """Set or clear the credential's bit and re-sign the list (caller holds a transaction)."""
    if credential.status_list_id is None:
        return
    row = StatusList.objects.select_for_update().get(pk=credential.status_list_id)
    bits = Bits.from_encoded(row.purpose, row.encoded)
    bits.set(credential.status_index, value)
    row.encoded = bits.encode()
    sign_list(row)


# ------------------------------------------------------------------------------------------ allocation


@dataclass(frozen=True)
class Slot:
    """An index drawn for one issuance, and its ``credentialStatus`` entry."""

    status_list: StatusList
    index: int

    @property
    def entry(self) -> dict:
        return status_entry(absolute_url("status", self.status_list.list_id), self.index, self.status_list.purpose)


class _Picture:
    """One process's view of a list: its row, the taken indexes as a bitmap, their count, its age."""

    def __init__(self, row: StatusList, taken: list[int]) -> None:
        self.row, self.bitmap, self.count = row, bytearray(row.size // 8), 0
        self.bits = Bits.from_encoded(row.purpose, row.encoded)
        self.read_at = time.monotonic()
        for index in taken:
            self.mark(index)

    def __contains__(self, index: object) -> bool:
        return isinstance(index, int) and bool(self.bitmap[index >> 3] & (0x80 >> (index & 7)))

    def mark(self, index: int) -> None:
        if index not in self:
            self.bitmap[index >> 3] |= 0x80 >> (index & 7)
            self.count += 1

    def usable(self) -> bool:
        return self.count < self.row.size * FILL_LIMIT and time.monotonic() - self.read_at < REFRESH_SECONDS


class Slots:
    """Index draws for issuance without a query per draw (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pictures: dict[str, _Picture] = {}

    def draw(self, purpose: str) -> Slot:
        with self._lock:
            picture = self._pictures.get(purpose)
        if picture is None or not picture.usable():
            picture = self._read(purpose)
        with self._lock:
            return Slot(picture.row, picture.bits.allocate(picture))

    def taken(self, slot: Slot) -> None:
        """The slot's credential is written: remember it once committed (the picture holds committed rows only)."""
        transaction.on_commit(self._marker(slot))

    def collided(self, slot: Slot) -> None:
        """A rival holds the slot's index (committed or about to be): never draw it again."""
        self._marker(slot)()

    def forget(self) -> None:
        with self._lock:
            self._pictures.clear()

    def _marker(self, slot: Slot) -> Callable[[], None]:
        def mark() -> None:
            with self._lock:
                picture = self._pictures.get(slot.status_list.purpose)
                if picture is not None and picture.row.pk == slot.status_list.pk:
                    picture.mark(slot.index)

        return mark

    def _read(self, purpose: str) -> _Picture:
        picture = _Picture(*current_status_list(purpose))

        def keep() -> None:
            with self._lock:
                self._pictures[purpose] = picture

        transaction.on_commit(keep)  # not inside a transaction that may still roll the list back
        return picture


SLOTS = Slots()


@receiver(post_migrate, dispatch_uid="microvet-status-slots-forget")
def _forget_after_flush(**kwargs: object) -> None:
    """``flush`` (and a test database's reset) emits post_migrate: the rows a picture names may be gone."""
    SLOTS.forget()
