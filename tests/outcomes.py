"""One assertion for the property tests: a real share of the generated cases took the branch under test.

A property "refused with a clear error, or issued and verified" also holds when every generated case
is refused; ``Outcomes`` counts the branches across Hypothesis's examples so the test fails then.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import event


class Outcomes:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def record(self, outcome: str) -> None:
        """Count one example's branch (also a Hypothesis event, shown by ``--hypothesis-show-statistics``)."""
        self.counts[outcome] += 1
        event(outcome)

    def assert_share(self, outcome: str, at_least: float) -> None:
        total = sum(self.counts.values())
        share = self.counts[outcome] / total if total else 0.0
        assert share >= at_least, (
            f"{self.counts[outcome]} of {total} generated cases were {outcome!r}, fewer than {at_least:.0%}: "
            f"{dict(self.counts)}"
        )
