"""service.api: registry, evidence across blocks, issuing once, staff actions, immutability."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from opaque_keys.edx.keys import CourseKey, UsageKey

from badge_issuer.errors import DefinitionError
from badge_issuer.model import verify_recipient
from badge_issuer.resolve import OfflineResolver
from badge_issuer.verify import verify
from microcredential_xblock.platform import tasks
from microcredential_xblock.service import api, issuance, lifecycle, status_lists
from microcredential_xblock.service.config import issuer_keys
from microcredential_xblock.service.models import (
    AuditEvent,
    IssuedCredential,
    IssuerProfile,
    MicroCredentialDefinition,
    StatusList,
)
from microcredential_xblock.service.views import _status_fetcher
from tests.service_fixtures import COURSE, LEARNER, MC_BLOCK, QUIZ1, QUIZ2, RULES, all_validated, outcome_ids

pytestmark = [pytest.mark.storage, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def no_throttled_retries():
    """The card's retry throttle lives in Django's cache, which outlives a test."""
    cache.clear()


def check(credential: IssuedCredential):
    return verify(
        credential.document, resolver=OfflineResolver(issuers=[issuer_keys()]), status_fetcher=_status_fetcher
    )


def test_migrations_match_models():
    call_command("makemigrations", "microvet", check=True, dry_run=True, verbosity=0)


# ------------------------------------------------------------------------------------------ registry


def test_register_is_idempotent_and_updates_on_change(registered, definition):
    again = api.register_definition(COURSE, MC_BLOCK, definition, RULES)
    assert again.pk == registered.pk and again.updated == registered.updated
    definition["title"] = "Renamed"
    changed = api.register_definition(COURSE, MC_BLOCK, definition, RULES)
    assert changed.pk == registered.pk and changed.content_hash != registered.content_hash
    assert MicroCredentialDefinition.objects.get().definition["title"] == "Renamed"


def test_register_rejects_bad_rules_and_definitions(db, definition):
    with pytest.raises(DefinitionError) as caught:
        api.register_definition(COURSE, MC_BLOCK, definition, {"all": [{"min_score": {"value": 101}}]})
    assert caught.value.subject == "rules.all[0].min_score.value"
    del definition["awarding_body"]
    with pytest.raises(DefinitionError):
        api.register_definition(COURSE, MC_BLOCK, definition, RULES)
    with pytest.raises(api.InvalidInput) as caught:
        api.register_definition(None, MC_BLOCK, definition, RULES)
    assert caught.value.subject == "course_key"
    assert not MicroCredentialDefinition.objects.exists()


# ------------------------------------------------------------------------------------------ evidence


def test_evidence_across_two_assessments_then_issue(registered):
    first, second, third = outcome_ids()
    (progress,) = api.record_assessment(
        LEARNER, COURSE, QUIZ1, {first: api.OutcomeScore(1.0, True), second: api.OutcomeScore(0.4, False)}, 8, 10
    )
    assert progress.state == api.IN_PROGRESS and progress.credential is None
    assert [o.validated for o in progress.outcomes] == [True, False, False]
    assert progress.outcomes[0].validated_by == (QUIZ1,)
    (progress,) = api.record_assessment(
        LEARNER, COURSE, QUIZ2, {second: api.OutcomeScore(0.8, True), third: api.OutcomeScore(0.9, True)}, 7, 10
    )
    assert progress.state == api.EARNED
    credential = progress.credential
    assert credential.score_percent == 75.0  # (8 + 7) / 20
    assert credential.definition_snapshot["rules"] == RULES
    report = check(credential)
    assert report.ok, report.verdict()
    assert verify_recipient(credential.document, "ada.learner@example.org")
    assert "Ada.Learner@example.org" not in str(credential.document)


def test_best_score_counts_and_validation_never_goes_back(registered):
    oid = outcome_ids()
    api.record_assessment(LEARNER, COURSE, QUIZ1, {oid[0]: api.OutcomeScore(1.0, True)}, 3, 10)
    api.record_assessment(LEARNER, COURSE, QUIZ1, {oid[0]: api.OutcomeScore(0.1, False)}, 1, 10)
    preview = api.preview_rules(COURSE, MC_BLOCK, LEARNER.user_id)
    assert preview["validated_outcomes"] == [oid[0]] and preview["score_percent"] == 30.0
    assert preview["holds"] is False
    parts = preview["tree"]["children"]
    assert [p["holds"] for p in parts] == [False, False]
    assert oid[1] in parts[0]["detail"] and "30" in parts[1]["detail"]


def test_score_below_minimum_does_not_issue(registered):
    (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 6, 10)
    assert progress.state == api.IN_PROGRESS
    assert not IssuedCredential.objects.exists()


def test_course_passed_rule(db, definition):
    api.register_definition(COURSE, MC_BLOCK, definition, {"course_passed": True})
    (progress,) = api.record_course_passing(LEARNER, COURSE, False)
    assert progress.state == api.IN_PROGRESS
    (progress,) = api.record_course_passing(LEARNER, COURSE, True)
    assert progress.state == api.EARNED
    (progress,) = api.record_course_passing(LEARNER, COURSE, True)  # a retried event
    assert IssuedCredential.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs, subject",
    [
        ({"outcome_scores": {"lo-write-outcomes": 1.0}}, "outcome_scores['lo-write-outcomes']"),
        ({"outcome_scores": {"lo-write-outcomes": api.OutcomeScore(1.5, True)}}, "outcome_scores['lo-write-outcomes']"),
        (
            {"outcome_scores": {"lo-write-outcomes": api.OutcomeScore(0.5, "yes")}},
            "outcome_scores['lo-write-outcomes']",
        ),
        ({"outcome_scores": ["lo-write-outcomes"]}, "outcome_scores"),
        ({"score": "9"}, "score"),
        ({"score": float("nan")}, "score"),
        ({"score": 11}, "max_score"),
        ({"max_score": 0, "score": 0}, "max_score"),
        ({"learner": {"user_id": "42"}}, "learner"),
        ({"learner": api.Learner(user_id=42, email="a@b.org")}, "learner.user_id"),
        ({"learner": api.Learner(user_id="42", email="nobody")}, "learner.email"),
        ({"usage_key": ""}, "usage_key"),
    ],
)
def test_record_assessment_validates_arguments(registered, kwargs, subject):
    args = {
        "learner": LEARNER,
        "course_key": COURSE,
        "usage_key": QUIZ1,
        "outcome_scores": all_validated(),
        "score": 9,
        "max_score": 10,
    } | kwargs
    with pytest.raises(api.InvalidInput) as caught:
        api.record_assessment(**args)
    assert caught.value.subject == subject
    assert isinstance(caught.value, ValueError)
    assert not IssuedCredential.objects.exists()


def test_unknown_block_is_not_found(db):
    with pytest.raises(api.NotFound):
        api.learner_progress(LEARNER, COURSE, MC_BLOCK)
    with pytest.raises(api.NotFound):
        api.get_credential("not-a-uuid")


# ------------------------------------------------------------------------------------------ exactly once


def test_double_submission_issues_once(earned):
    (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 10, 10)
    assert progress.credential.pk == earned.pk
    assert (
        issuance.issue_once(
            MicroCredentialDefinition.objects.get(),
            issuance.Award(
                learner_id=LEARNER.user_id,
                email=LEARNER.email,
                name="",
                subject_did="",
                course_key=COURSE,
                usage_key=MC_BLOCK,
                snapshot=earned.definition_snapshot,
                score_percent=90.0,
            ),
        ).pk
        == earned.pk
    )
    assert IssuedCredential.objects.count() == 1


def test_signing_failure_keeps_the_evidence_says_so_and_the_card_retries(registered, monkeypatch):
    """Issue 11 item 10: the submission is not refused once its evidence is stored; the next card view issues."""

    def broken(*args, **kwargs):
        raise OSError("disk full while signing")

    monkeypatch.setattr(issuance, "issue_credential", broken)
    (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    assert progress.state == api.ISSUING and progress.issue_failed and progress.credential is None
    assert not IssuedCredential.objects.exists()
    assert api.learner_progress(LEARNER, COURSE, MC_BLOCK).state == api.ISSUING  # the evidence is kept
    monkeypatch.undo()  # the fault is fixed: no new submission needed
    progress = api.card_progress(LEARNER, COURSE, MC_BLOCK)
    assert progress.state == api.EARNED and IssuedCredential.objects.get(current=True) == progress.credential


def test_a_failed_signing_in_process_is_queued_for_a_worker_retry_once_the_evidence_commits(
    registered, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(lifecycle, "celery_ready", lambda: True)
    monkeypatch.setattr(tasks.evaluate_for_learner, "apply_async", lambda **kw: queued.append(kw))
    monkeypatch.setattr(issuance, "issue_credential", lambda *a, **k: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
        assert progress.issue_failed
        assert queued == []  # a worker must not run before it can see the evidence
    assert queued == [
        {"args": [LEARNER.user_id, COURSE, api.RETRY], "queue": None, "countdown": lifecycle.RETRY_COUNTDOWN}
    ]


def test_the_card_retries_at_most_once_per_period(registered, monkeypatch, settings):
    settings.MICROVET = {**settings.MICROVET, "RETRY_SECONDS": 3600}
    calls = []
    monkeypatch.setattr(issuance, "issue_credential", lambda *a, **k: calls.append(1) or 1 / 0)
    api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    for _ in range(5):
        assert api.card_progress(LEARNER, COURSE, MC_BLOCK).state == api.ISSUING
    assert len(calls) == 2  # the submission, then one retry in the period


def test_unknown_outcomes_are_stored_not_refused(registered, definition):
    """An author renamed an outcome after an assessment was published: the learner's answers still count."""
    (progress,) = api.record_assessment(
        LEARNER, COURSE, QUIZ1, {"lo-renamed-away": api.OutcomeScore(1.0, True)}, 10, 10
    )
    assert progress.state == api.IN_PROGRESS
    assert api.unknown_outcomes(COURSE, ["lo-renamed-away", outcome_ids()[0]]) == ["lo-renamed-away"]
    assert api.unknown_outcomes("course-v1:Other+X+1", ["anything"]) == []  # nothing published there
    definition["learning_outcomes"] = definition["learning_outcomes"][:1]
    definition["learning_outcomes"][0]["id"] = "lo-renamed-away"  # the author publishes the id again
    api.publish(COURSE, {MC_BLOCK: (definition, RULES)}, may_sign=True)
    assert api.learner_progress(LEARNER, COURSE, MC_BLOCK).state == api.EARNED


def test_evaluate_names_a_bad_reason(registered):
    with pytest.raises(api.InvalidInput) as caught:
        api.evaluate(LEARNER, COURSE, "render")
    assert caught.value.subject == "reason"


# ------------------------------------------------------------------------------------------ publishing


#: Published first: 80 % does not reach it; then RULES (70 %) is published.
STRICT = {"all": [{"all_outcomes": True}, {"min_score": {"value": 90, "op": ">="}}]}


@pytest.fixture
def strict(db, definition):
    return api.register_definition(COURSE, MC_BLOCK, definition, STRICT)


def test_publish_reevaluates_learners_whose_evidence_satisfies_the_new_rules(strict, definition):
    (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 8, 10)
    assert progress.state == api.IN_PROGRESS
    published = api.publish(COURSE, {MC_BLOCK: (definition, RULES)}, may_sign=True)
    assert published.registered == (MC_BLOCK,) and published.learners == 1 and not published.background
    credential = IssuedCredential.objects.get()
    assert credential.learner_id == LEARNER.user_id and check(credential).ok
    again = api.publish(COURSE, {MC_BLOCK: (definition, RULES)}, may_sign=True)
    assert again.unchanged == (MC_BLOCK,) and again.learners == 0  # nothing changed: nobody re-evaluated


def test_publish_keeps_the_last_valid_definition_and_removes_unpublished_blocks(earned, definition):
    document = earned.document
    broken = dict(definition, title="")
    published = api.publish(COURSE, {MC_BLOCK: (broken, RULES)}, may_sign=True)
    assert MC_BLOCK in published.refused and "title" in published.refused[MC_BLOCK]
    assert MicroCredentialDefinition.objects.get().definition["title"] == definition["title"]
    published = api.publish(COURSE, {}, may_sign=True)  # the author deleted the block and published
    assert published.removed == (MC_BLOCK,) and not MicroCredentialDefinition.objects.exists()
    earned.refresh_from_db()
    assert earned.document == document and check(earned).ok  # credentials already issued never change


def test_publish_from_studio_never_signs(strict, definition, monkeypatch, django_capture_on_commit_callbacks):
    """Studio has no private keys: with ``may_sign=False`` a due learner is only enqueued for the LMS workers."""
    api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 8, 10)
    sent = []
    monkeypatch.setattr(lifecycle, "_send", lambda name, args, **kw: sent.append((name, args)) or True)
    monkeypatch.setattr(issuance, "issuer_keys", lambda: pytest.fail("Studio loaded the issuer keys"))
    with django_capture_on_commit_callbacks(execute=True):
        published = api.publish(COURSE, {MC_BLOCK: (definition, RULES)}, may_sign=False)
    assert published.background and not IssuedCredential.objects.exists()
    assert sent == [("evaluate_for_learner", [LEARNER.user_id, COURSE, api.PUBLISHED])]


def test_a_large_course_is_reevaluated_in_one_background_task(strict, definition, monkeypatch, settings):
    settings.MICROVET = {**settings.MICROVET, "PUBLISH_INLINE_LEARNERS": 2}
    for i in range(3):
        api.record_assessment(api.Learner(f"l{i}", f"l{i}@example.org"), COURSE, QUIZ1, all_validated(), 8, 10)
    sent = []
    monkeypatch.setattr(lifecycle, "_send", lambda name, args, **kw: sent.append((name, args)) or True)
    published = api.publish(COURSE, {MC_BLOCK: (definition, RULES)}, may_sign=True)
    assert published.learners == 3 and published.background and not IssuedCredential.objects.exists()
    assert sent == [("evaluate_course", [COURSE, api.PUBLISHED])]
    result = lifecycle.reevaluate_now(COURSE, api.PUBLISHED, api.evaluate)  # what the task runs on the worker
    assert result == {"evaluated": ["l0", "l1", "l2"], "failed": []} and IssuedCredential.objects.count() == 3


def test_background_submission_only_enqueues_once_the_evidence_commits(
    registered, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.MICROVET = {**settings.MICROVET, "ISSUE_IN_BACKGROUND": True}
    sent = []
    monkeypatch.setattr(lifecycle, "_send", lambda name, args, **kw: sent.append((name, args)) or True)
    monkeypatch.setattr(issuance, "issue_credential", lambda *a, **k: pytest.fail("signed in the web request"))
    with django_capture_on_commit_callbacks(execute=True):
        (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
        assert progress.state == api.ISSUING and not progress.issue_failed
        assert sent == []  # the worker must be able to read the evidence that made the learner due
    assert sent == [("evaluate_for_learner", [LEARNER.user_id, COURSE, api.SUBMISSION])]


def test_issuer_summary_reads_only_public_data(db, settings, tmp_path):
    assert api.issuer_summary()["name"] == issuer_keys().profile["name"]  # the key set's public issuer.json
    settings.MICROVET = {**settings.MICROVET, "KEYS_DIR": ""}  # Studio: no keys at all
    assert api.issuer_summary() is None
    IssuerProfile.objects.create(name="Aurora VET", url="https://aurora.example", country="IT")
    assert api.issuer_summary() == {"name": "Aurora VET", "url": "https://aurora.example"}


# ------------------------------------------------------------------------------------------ immutability


def test_editing_or_deleting_the_definition_changes_nothing_issued(earned, definition):
    document = earned.document
    definition["title"] = "Something else entirely"
    api.register_definition(COURSE, MC_BLOCK, definition, {"course_passed": True})
    earned.refresh_from_db()
    assert earned.document == document
    assert earned.definition_snapshot["definition"]["title"] == "Designing micro-credentials for VET"
    MicroCredentialDefinition.objects.all().delete()
    assert check(IssuedCredential.objects.get()).ok


# ------------------------------------------------------------------------------------------ status


def _status_check(credential):
    return next(c for c in check(credential).checks if c.name.startswith("status"))


def test_revoke_sets_the_bit_and_resigns_the_list(earned):
    before = StatusList.objects.get().signed
    api.revoke(earned.uuid, actor="staff", reason="Plagiarism found")
    row = StatusList.objects.get()
    assert row.signed != before
    earned.refresh_from_db()
    assert earned.state == IssuedCredential.REVOKED and earned.revoked_at is not None
    status = _status_check(earned)
    assert not status.passed and "suspended" in status.reason  # one entry per OB 3.0 credential: ADR 0005
    assert api.learner_progress(LEARNER, COURSE, MC_BLOCK).state == api.REVOKED
    with pytest.raises(api.InvalidInput):
        api.reinstate(earned.uuid, actor="staff", reason="oops")
    assert [e.action for e in AuditEvent.objects.all()] == ["revoke"]
    # A revoked learner is not silently re-issued by a later submission.
    api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 10, 10)
    assert IssuedCredential.objects.count() == 1


def test_suspend_then_reinstate(earned):
    api.suspend(earned.uuid, actor="staff", reason="Under review")
    assert api.learner_progress(LEARNER, COURSE, MC_BLOCK).state == api.SUSPENDED
    assert not _status_check(earned).passed
    api.reinstate(earned.uuid, actor="staff", reason="Review closed")
    assert api.learner_progress(LEARNER, COURSE, MC_BLOCK).state == api.EARNED
    assert _status_check(earned).passed
    assert [(e.action, e.actor) for e in AuditEvent.objects.all()] == [("suspend", "staff"), ("reinstate", "staff")]
    with pytest.raises(api.InvalidInput) as caught:
        api.suspend(earned.uuid, actor="staff", reason="")
    assert caught.value.subject == "reason"


def test_reissue_links_old_and_new(earned):
    new = api.reissue(
        earned.uuid,
        actor="staff",
        reason="Name corrected",
        name="Ada M. Learner",
        subject_did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    )
    earned.refresh_from_db()
    assert new.replaces == earned and earned.state == IssuedCredential.REVOKED
    assert new.document["credentialSubject"]["id"].startswith("did:key:")
    assert new.recipient_name == "Ada M. Learner" and new.uuid != earned.uuid
    assert IssuedCredential.objects.get(current=True) == new and earned.current is None
    assert api.learner_progress(LEARNER, COURSE, MC_BLOCK).credential == new
    assert check(new).ok and not _status_check(earned).passed
    assert len(set(IssuedCredential.objects.values_list("status_list_id", "status_index"))) == 2
    with pytest.raises(api.InvalidInput):
        api.reissue(new.uuid, actor="staff", reason="x", subject_did="not a did")


def test_expired_state(earned):
    IssuedCredential.objects.filter(pk=earned.pk).update(valid_until="2000-01-01T00:00:00Z")
    assert api.learner_progress(LEARNER, COURSE, MC_BLOCK).state == api.EXPIRED


def test_public_urls(earned):
    urls = api.public_urls(earned)
    assert urls["json"] == f"https://lms.example.org/microvet/credentials/{earned.uuid}" == earned.document["id"]
    assert urls["verify"].endswith("/verify") and urls["jwt"].endswith(".jwt")


def test_a_full_list_gets_a_successor(registered, monkeypatch):
    monkeypatch.setattr(status_lists, "FILL_LIMIT", 1 / 131_072)  # one credential fills a list
    for i in range(2):
        api.record_assessment(api.Learner(user_id=f"l{i}", email=f"l{i}@example.org"), COURSE, QUIZ1,
                              all_validated(), 9, 10)  # fmt: skip
    lists = list(StatusList.objects.order_by("sequence").values_list("list_id", flat=True))
    assert lists == ["suspension-1", "suspension-2"]
    assert [c.document["credentialStatus"]["statusListCredential"].rsplit("/", 1)[-1]
            for c in IssuedCredential.objects.order_by("pk")] == lists  # fmt: skip


def test_opaque_keys_are_accepted(registered):
    course, quiz = CourseKey.from_string(COURSE), UsageKey.from_string(QUIZ1)
    (progress,) = api.record_assessment(LEARNER, course, quiz, all_validated(), 9, 10)
    assert progress.state == api.EARNED and progress.credential.course_key == COURSE
    assert api.learner_progress(LEARNER, course, UsageKey.from_string(MC_BLOCK)).credential == progress.credential


@pytest.mark.parametrize("action", [api.revoke, api.suspend, api.reinstate])
def test_staff_actions_on_unknown_credentials(db, action):
    for uid in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(api.NotFound):
            action(uid, actor="staff", reason="x")


def test_a_credential_is_replaced_once(earned):
    api.reissue(earned.uuid, actor="staff", reason="Name corrected", name="Ada M. Learner")
    with pytest.raises(api.InvalidInput) as caught:
        api.reissue(earned.uuid, actor="staff2", reason="Name corrected", name="Ada Learner")
    assert caught.value.subject == "state"
    assert IssuedCredential.objects.count() == 2 and IssuedCredential.objects.filter(state="active").count() == 1


def test_learner_name_must_be_text(registered):
    with pytest.raises(api.InvalidInput) as caught:
        api.record_assessment(api.Learner("42", "a@b.org", None), COURSE, QUIZ1, all_validated(), 9, 10)
    assert caught.value.subject == "learner.name"
