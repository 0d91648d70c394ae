"""The syntax of two kinds of values every layer reads: e-mail addresses and ISO 8601 date-times.

Framework-free, so badge_issuer, the Django service and the course tools share one check each.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from .errors import DefinitionError
from .i18n import gettext_noop

#: RFC 5321's limit on a forward path, and the ``max_length`` of the service's ``EmailField`` columns.
EMAIL_MAX = 254
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


def is_email_address(value: Any) -> bool:
    """Whether ``value`` is shaped like an address: ``local@domain``, no spaces or control characters.

    Written here rather than taken from a library: badge_issuer has no Django (so no ``EmailValidator``),
    and ``email-validator`` refuses the special-use domains the workbench gives learners without an
    address (``.invalid``, RFC 2606). The check is deliberately no stricter than the platform's: learner
    addresses were validated by Open edX already, and a credential only carries a salted hash of one.
    """
    if not isinstance(value, str) or len(value) > EMAIL_MAX or _SPACE_OR_CONTROL.search(value):
        return False
    local, at, domain = value.rpartition("@")
    return bool(at and local and domain)


def parse_datetime(
    value: Any, path: str, *, dates: Literal["start", "end"] | None = None, naive_is_utc: bool = False
) -> datetime:
    """An ISO 8601 date-time with a time zone (``Z`` or an offset, as XML Schema dateTime) as an aware datetime.

    ``dates``: a plain date (``2026-01-31``) is accepted too, as the start or the end of that day in UTC.
    ``naive_is_utc``: a date-time without a zone is read as UTC instead of refused (author input only:
    in a credential a zone-less time is ambiguous). Raises DefinitionError naming ``path`` and why.
    """
    if not isinstance(value, str):
        reason = (
            gettext_noop("must be an ISO 8601 date or date-time string")
            if dates
            else gettext_noop("must be an ISO 8601 date-time string")
        )
        raise DefinitionError(path, reason)
    text = value.strip()
    try:
        if dates and len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max if dates == "end" else time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        reason = (
            gettext_noop("%(value)s is not an ISO 8601 date or date-time")
            if dates
            else gettext_noop("%(value)s is not an ISO 8601 date-time")
        )
        raise DefinitionError(path, reason, value=repr(value)) from None
    if moment.tzinfo is None:
        if not naive_is_utc:
            raise DefinitionError(path, gettext_noop("a date-time needs a time zone (e.g. 2026-01-01T00:00:00Z)"))
        moment = moment.replace(tzinfo=UTC)
    return moment
