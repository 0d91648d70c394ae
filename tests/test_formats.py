"""The one e-mail check, the one ISO 8601 reader and the one problem collector that every layer shares."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from badge_issuer.errors import DefinitionError
from badge_issuer.formats import EMAIL_MAX, is_email_address, parse_datetime
from badge_issuer.problems import Problems, dotted
from microcredential_xblock.blocks.olx import OlxError


@pytest.mark.parametrize(
    "value",
    ["ana@example.org", "42@learners.microvet.invalid", "o'brien+vet@example.co.uk", "a@localhost", "a@b@c.org"],
)
def test_addresses_the_platform_accepts_pass(value):
    assert is_email_address(value)


@pytest.mark.parametrize(
    "value",
    [
        "nobody",
        "@example.org",
        "ana@",
        "ana @example.org",
        "ana@exa\tmple.org",
        "ana@example.org\x00",
        None,
        42,
        "a" * (EMAIL_MAX - len("@b.org") + 1) + "@b.org",
    ],
)
def test_anything_else_fails(value):
    assert not is_email_address(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-12T08:30:00Z", datetime(2026, 1, 12, 8, 30, tzinfo=UTC)),
        ("2026-01-12T09:30:00+01:00", datetime(2026, 1, 12, 8, 30, tzinfo=UTC)),
        ("2026-01-12T08:30:00.250Z", datetime(2026, 1, 12, 8, 30, 0, 250000, tzinfo=UTC)),
    ],
)
def test_date_times_with_a_zone(text, expected):
    moment = parse_datetime(text, "validFrom")
    assert moment == expected and moment.tzinfo is not None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "must be an ISO 8601 date-time string"),
        ("yesterday", "'yesterday' is not an ISO 8601 date-time"),
        ("2026-01-12T08:30:00", "a date-time needs a time zone"),
        ("2026-01-12", "a date-time needs a time zone"),  # a date is no date-time unless dates are asked for
    ],
)
def test_refusals_name_the_field_and_why(value, reason):
    with pytest.raises(DefinitionError) as caught:
        parse_datetime(value, "rules.window.not_before")
    assert caught.value.subject == "rules.window.not_before" and caught.value.reason.startswith(reason)


def test_dates_are_whole_days_in_utc_when_asked_for():
    start = parse_datetime("2026-01-31", "b", dates="start")
    end = parse_datetime("2026-01-31", "b", dates="end")
    assert start == datetime(2026, 1, 31, tzinfo=UTC)
    assert end.date() == start.date() and end.tzinfo is UTC and end - start > timedelta(hours=23, minutes=59)
    with pytest.raises(DefinitionError, match="is not an ISO 8601 date or date-time"):
        parse_datetime("31/01/2026", "b", dates="end")


def test_naive_as_utc_only_when_asked_for():
    assert parse_datetime("2026-01-12T00:00:00", "course.start", naive_is_utc=True) == datetime(2026, 1, 12, tzinfo=UTC)
    plus_two = parse_datetime("2026-01-12T02:00:00+02:00", "course.start", naive_is_utc=True)
    assert plus_two.utcoffset() == timedelta(hours=2)


def test_problems_keep_order_and_raise_the_first_with_all():
    problems = Problems()
    problems.raise_first(DefinitionError)  # nothing found: no error
    problems.add("question[q1]/@points", "must be a number from %(low)s to %(high)s", low=0, high=10)
    problems.add("question[q1]/@points", "a second reason for the same field")
    problems.add("question[q2]/prompt", "is required")
    with pytest.raises(OlxError) as caught:
        problems.raise_first(OlxError)
    error = caught.value
    assert (error.subject, error.reason, error.msgid) == (
        "question[q1]/@points",
        "must be a number from 0 to 10",
        "must be a number from %(low)s to %(high)s",
    )
    assert [p.path for p in error.problems] == ["question[q1]/@points", "question[q1]/@points", "question[q2]/prompt"]
    assert error.errors == {
        "question[q1]/@points": "must be a number from 0 to 10",
        "question[q2]/prompt": "is required",
    }


def test_dotted_paths_name_fields_as_definition_errors_do():
    assert dotted(("learning_outcomes", 1, "id")) == "learning_outcomes[1].id"
    assert dotted(()) == "" and dotted(("course",)) == "course"
