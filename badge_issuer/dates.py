"""XML Schema dateTime values as this package writes them: ``2025-06-30T12:00:00Z``.

One writer for every date a credential, a proof, a status list or a key record carries: whole
seconds in UTC with a final ``Z`` (the form OB 3.0 examples, verifiers and wallets expect).
"""

from __future__ import annotations

from datetime import UTC, datetime

from .errors import DefinitionError


def xsd_datetime(moment: datetime | str | None = None, field: str = "dateTime") -> str:
    """``moment`` (default: now) as XSD dateTime in UTC, whole seconds.

    A string must already be a dateTime with a time zone and is kept as given; a naive datetime
    is refused (DefinitionError naming ``field``), since its instant is unknown.
    """
    if moment is None:
        moment = datetime.now(UTC)
    if isinstance(moment, str):
        try:
            parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError as exc:
            raise DefinitionError(field, f"{moment!r} is not an XML Schema dateTime") from exc
        if parsed.tzinfo is None:
            raise DefinitionError(field, f"{moment!r} needs a time zone (for example a final Z)")
        return moment
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise DefinitionError(field, "datetime must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
