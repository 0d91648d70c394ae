"""xsd_datetime: the one writer of XML Schema dateTime values (proofs, credentials, status lists, keys)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from badge_issuer.dates import xsd_datetime
from badge_issuer.errors import DefinitionError


def test_an_aware_datetime_is_written_in_utc_whole_seconds():
    moment = datetime(2026, 6, 30, 14, 0, 5, 999999, tzinfo=timezone(timedelta(hours=2)))
    assert xsd_datetime(moment) == "2026-06-30T12:00:05Z"


def test_now_by_default():
    before = datetime.now(UTC).replace(microsecond=0)
    written = datetime.fromisoformat(xsd_datetime().replace("Z", "+00:00"))
    assert before <= written <= datetime.now(UTC)


def test_a_string_with_a_time_zone_is_kept_as_given():
    assert xsd_datetime("2026-06-30T14:00:00+02:00") == "2026-06-30T14:00:00+02:00"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-06-30T12:00:00", "needs a time zone"),
        ("30 June 2026", "is not an XML Schema dateTime"),
        (datetime(2026, 6, 30, 12), "must be timezone-aware"),  # noqa: DTZ001 - the naive value under test
    ],
)
def test_a_moment_without_an_instant_names_the_field(value, reason):
    with pytest.raises(DefinitionError, match=reason) as raised:
        xsd_datetime(value, "validFrom")
    assert raised.value.subject == "validFrom"
