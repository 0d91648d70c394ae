"""What the service tells the blocks about a learner's way to a micro-credential: states, reasons, values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import IssuedCredential

IN_PROGRESS, EARNED, SUSPENDED, REVOKED, EXPIRED = "in_progress", "earned", "suspended", "revoked", "expired"
#: The rules hold but no credential exists yet: queued for a worker, or signing failed and is retried.
ISSUING = "issuing"


@dataclass(frozen=True)
class Learner:
    user_id: str
    email: str
    name: str = ""


@dataclass(frozen=True)
class OutcomeProgress:
    id: str
    text: str
    validated: bool
    validated_by: tuple[str, ...]


@dataclass(frozen=True)
class Progress:
    """One learner's way towards one micro-credential, as the micro-credential block shows it."""

    usage_key: str
    microcredential_id: str
    title: str
    state: str
    outcomes: tuple[OutcomeProgress, ...]
    credential: IssuedCredential | None
    #: ISSUING because signing failed just now (the evidence is stored; a retry issues).
    issue_failed: bool = False
    #: The published definition the learner is evaluated against (what the card describes).
    definition: dict[str, Any] | None = None
