"""microvet_issue_course, microvet_revoke, microvet_resign_status_lists: dry run, progress,
summary, and resuming after an interruption without duplicates."""

from __future__ import annotations

import io
import shutil
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from badge_issuer.keystore import rotate_keys
from badge_issuer.proofs.data_integrity import verify_di
from badge_issuer.resolve import OfflineResolver
from microcredential_xblock.management.commands import (
    microvet_issue_course,
    microvet_resign_status_lists,
    microvet_revoke,
)
from microcredential_xblock.platform import tasks
from microcredential_xblock.service import api
from microcredential_xblock.service.config import issuer_keys
from microcredential_xblock.service.models import AuditEvent, IssuedCredential, StatusList
from tests.service_fixtures import COURSE, MC_BLOCK, QUIZ1, RULES, all_validated, outcome_ids

pytestmark = pytest.mark.django_db

STRICTER = {"all": [{"all_outcomes": True}, {"min_score": {"value": 95, "op": ">="}}]}


def run(command, *args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command.Command(), *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def summary(out: str) -> dict[str, int]:
    return {k: int(v) for k, v in (line.split("  ")[0].split("=") for line in out.splitlines() if "=" in line)}


def learner(n: int) -> api.Learner:
    return api.Learner(str(n), f"learner{n}@example.org", f"Learner {n}")


@pytest.fixture
def cohort(db, definition):
    """Rules first too strict (95 %): five learners at 90 % with every outcome validated, one at 50 %.
    Then the rule is relaxed to 70 %: the five are due, nobody has been issued yet."""
    api.register_definition(COURSE, MC_BLOCK, definition, STRICTER)
    for n in range(1, 6):
        api.record_assessment(learner(n), COURSE, QUIZ1, all_validated(), 9, 10)
    first = outcome_ids()[0]
    api.record_assessment(learner(9), COURSE, QUIZ1, {first: api.OutcomeScore(0.5, False)}, 5, 10)
    assert not IssuedCredential.objects.exists()
    return api.register_definition(COURSE, MC_BLOCK, definition, RULES)


# ------------------------------------------------------------------------------------------ issue_course


def test_issue_course_dry_run_changes_nothing(cohort):
    out, err = run(microvet_issue_course, COURSE, dry_run=True)
    assert summary(out) == {"learners": 6, "issued": 5, "complete": 0, "failed": 0}
    assert "Dry run" in out and "Learners [" in err and "6/6" in err
    assert not IssuedCredential.objects.exists()


def test_issue_course_issues_once_and_a_rerun_issues_nothing(cohort):
    out, _ = run(microvet_issue_course, COURSE)
    assert summary(out) == {"learners": 6, "issued": 5, "complete": 0, "failed": 0}
    assert sorted(IssuedCredential.objects.values_list("learner_id", flat=True)) == ["1", "2", "3", "4", "5"]
    out, _ = run(microvet_issue_course, COURSE)
    assert summary(out) == {"learners": 6, "issued": 0, "complete": 5, "failed": 0}
    assert IssuedCredential.objects.count() == IssuedCredential.objects.filter(current=True).count() == 5


def test_issue_course_resumes_after_an_interruption_without_duplicates(cohort):
    real = tasks.evaluate_now

    def interrupted_at_learner_3(learner_id, course_key):
        if learner_id == "3":
            raise KeyboardInterrupt
        return real(learner_id, course_key)

    with mock.patch.object(tasks, "evaluate_now", interrupted_at_learner_3), pytest.raises(CommandError) as caught:
        run(microvet_issue_course, COURSE)
    assert "--after=2" in str(caught.value)
    assert sorted(IssuedCredential.objects.values_list("learner_id", flat=True)) == ["1", "2"]
    out, _ = run(microvet_issue_course, COURSE, after="2")
    assert summary(out)["learners"] == 4 and summary(out)["issued"] == 3
    run(microvet_issue_course, COURSE)  # from the start again: still no duplicates
    assert IssuedCredential.objects.count() == IssuedCredential.objects.filter(current=True).count() == 5


def test_issue_course_reports_failures_and_carries_on(cohort):
    real = tasks.evaluate_now

    def failing_for_learner_2(learner_id, course_key):
        if learner_id == "2":
            raise RuntimeError("signing service down")
        return real(learner_id, course_key)

    with mock.patch.object(tasks, "evaluate_now", failing_for_learner_2), pytest.raises(CommandError) as caught:
        run(microvet_issue_course, COURSE)
    assert "1 item(s) failed" in str(caught.value)
    assert IssuedCredential.objects.count() == 4
    out, _ = run(microvet_issue_course, COURSE)
    assert summary(out)["issued"] == 1


def test_issue_course_of_a_course_without_micro_credential_is_an_error(db):
    with pytest.raises(CommandError, match="No micro-credential is registered"):
        run(microvet_issue_course, "course-v1:No+Such+Course")


def test_no_progress_bar_when_asked(cohort):
    _, err = run(microvet_issue_course, COURSE, dry_run=True, no_progress=True)
    assert err == ""


# ------------------------------------------------------------------------------------------ revoke


@pytest.fixture
def issued(cohort):
    run(microvet_issue_course, COURSE)
    return list(IssuedCredential.objects.order_by("pk"))


def test_revoke_dry_run_then_revoke_with_audit(issued):
    out, _ = run(microvet_revoke, course=COURSE, reason="course run cancelled", dry_run=True)
    assert summary(out)["revoked"] == 5
    assert not IssuedCredential.objects.filter(state=IssuedCredential.REVOKED).exists()
    out, err = run(microvet_revoke, course=COURSE, reason="course run cancelled", actor="registrar")
    assert summary(out) == {"revoked": 5, "skipped": 0, "failed": 0} and "5/5" in err
    assert set(IssuedCredential.objects.values_list("state", flat=True)) == {IssuedCredential.REVOKED}
    assert AuditEvent.objects.filter(action="revoke", actor="registrar", reason="course run cancelled").count() == 5
    out, _ = run(microvet_revoke, course=COURSE, reason="again")  # nothing left to do
    assert summary(out)["revoked"] == 0


def test_revoke_selected_credentials_only(issued):
    run(microvet_revoke, uuid=[str(issued[0].uuid)], reason="fraud")
    run(microvet_revoke, course=COURSE, learner=["2"], reason="fraud")
    revoked = set(IssuedCredential.objects.filter(state=IssuedCredential.REVOKED).values_list("learner_id", flat=True))
    assert revoked == {issued[0].learner_id, "2"}


def test_revoke_resumes_after_an_interruption(issued):
    real = api.revoke
    calls = []

    def interrupted_on_third(uid, **kwargs):
        calls.append(uid)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(uid, **kwargs)

    with mock.patch.object(api, "revoke", interrupted_on_third), pytest.raises(CommandError, match="the same command"):
        run(microvet_revoke, course=COURSE, reason="cancelled")
    assert IssuedCredential.objects.filter(state=IssuedCredential.REVOKED).count() == 2
    out, _ = run(microvet_revoke, course=COURSE, reason="cancelled")
    assert summary(out)["revoked"] == 3
    assert AuditEvent.objects.filter(action="revoke").count() == 5  # each revoked once


@pytest.mark.parametrize(
    ("options", "message"),
    [({"reason": "x"}, "--course or --uuid"), ({"reason": " ", "course": COURSE}, "must not be empty"),
     ({"reason": "x", "uuid": ["nope"]}, "must be a credential UUID")],
)  # fmt: skip
def test_revoke_refuses_unclear_selections(db, options, message):
    with pytest.raises(CommandError, match=message):
        run(microvet_revoke, **options)


# ------------------------------------------------------------------------------------------ status lists


@pytest.fixture
def own_keys(settings, tmp_path):
    """A private copy of the test issuer, so this module may rotate its keys."""
    keys = tmp_path / "keys"
    shutil.copytree(settings.MICROVET["KEYS_DIR"], keys)
    settings.MICROVET = {**settings.MICROVET, "KEYS_DIR": str(keys)}
    return keys / "default"


def test_resign_status_lists_after_key_rotation(own_keys, issued, settings):
    api.revoke(issued[0].uuid, actor="t", reason="r")
    before = {row.pk: row.signed for row in StatusList.objects.all()}
    old_method = next(iter(before.values()))["proof"][0]["verificationMethod"]
    rotate_keys(own_keys)
    settings.MICROVET = dict(settings.MICROVET)  # reload the issuer keys
    out, _ = run(microvet_resign_status_lists, dry_run=True)
    assert summary(out)["signed"] == len(before) >= 1
    assert {row.pk: row.signed for row in StatusList.objects.all()} == before
    out, _ = run(microvet_resign_status_lists)
    assert summary(out) == {"signed": len(before), "failed": 0}
    resolver = OfflineResolver(issuers=[issuer_keys()])
    for row in StatusList.objects.all():
        assert row.signed["proof"][0]["verificationMethod"] not in (old_method, "")  # the new key signed ...
        assert row.signed["credentialSubject"] == before[row.pk]["credentialSubject"]  # ... the same bits
        assert all(check.passed for check in verify_di(row.signed, resolver))


def test_resign_skips_lists_signed_after_the_cutoff(issued):
    out, _ = run(microvet_resign_status_lists, signed_before="2000-01-01T00:00:00Z")
    assert summary(out)["signed"] == 0
    with pytest.raises(CommandError, match="ISO 8601"):
        run(microvet_resign_status_lists, signed_before="yesterday")


@pytest.mark.parametrize("command", [microvet_issue_course, microvet_revoke, microvet_resign_status_lists])
def test_help_renders(command):
    name = command.__name__.rsplit(".", 1)[-1]
    text = command.Command().create_parser("manage.py", name).format_help()
    assert str(command.Command.help) in " ".join(text.split()) and "--dry-run" in text
