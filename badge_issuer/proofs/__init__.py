"""Proof formats: Data Integrity (eddsa-rdfc-2022) and VC-JWT, with one result type for checks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One named verification step; ``reason`` says why it failed (empty when it passed)."""

    name: str
    passed: bool
    reason: str = ""
