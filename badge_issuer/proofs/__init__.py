"""Proof formats: Data Integrity (eddsa-rdfc-2022) and VC-JWT, with one result type for checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Check:
    """One named verification step; ``reason`` says why it failed (empty when it passed)."""

    name: str
    passed: bool
    reason: str = ""


def xsd_datetime(moment: datetime | None = None) -> str:
    """``2025-06-30T12:00:00Z``: whole seconds in UTC, the dateTime form proofs and key records use."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")
