"""Property: a definition with arbitrary Unicode, long strings or odd numbers is either refused with a
clear, field-named error, or issued in both formats and then verified."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badge_issuer.definition import parse_definition
from badge_issuer.errors import DefinitionError
from badge_issuer.issue import issue_credential
from badge_issuer.model import Recipient
from badge_issuer.verify import verify

from .issuing import make_issuer
from .outcomes import Outcomes
from .test_model_properties import BUILT_SHARE, mutated, mutation

ISSUED_AT = datetime(2026, 11, 28, tzinfo=UTC)


@pytest.fixture(scope="module")
def issuer(tmp_path_factory):
    return make_issuer(tmp_path_factory.mktemp("property-issuer") / "keys")


def test_issued_or_refused_never_half_valid(issuer):
    outcomes = Outcomes()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(mutation, min_size=1, max_size=4), st.emails())
    def issued_or_refused(mutations, email):
        try:
            definition = parse_definition(mutated(mutations))
        except DefinitionError as error:
            assert error.subject and error.reason
            outcomes.record("refused")
            return
        score = None if definition.pass_mark is None else float(definition.pass_mark)
        issued = issue_credential(
            definition, Recipient(email=email), issuer, formats=("di", "jwt"), issued_at=ISSUED_AT, score=score
        )
        now = ISSUED_AT + timedelta(minutes=1)
        for credential in (issued.document, issued.jwt):
            report = verify(credential, now=now, recipient_email=email)
            assert report.ok, report.verdict()
        outcomes.record("issued and verified")

    issued_or_refused()
    outcomes.assert_share("issued and verified", at_least=BUILT_SHARE)
