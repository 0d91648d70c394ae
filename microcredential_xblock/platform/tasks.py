"""Issuance and revocation outside the request: Celery tasks in the LMS, in-process elsewhere.

Tasks carry only the learner id and the course key (no e-mail in the broker); the worker looks the
learner up. They are safe to run twice: ``issuance.issue_once`` is exactly-once by a unique key,
and revocation skips what is already revoked. ``acks_late`` + ``reject_on_worker_lost``: a worker
that dies mid-task leaves the message to be delivered again, and the signing transaction it held
was rolled back, so the retry issues the one credential.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils.translation import gettext_noop

from microcredential_xblock.service import api, lifecycle
from microcredential_xblock.service.config import config
from microcredential_xblock.service.lifecycle import learner
from microcredential_xblock.service.models import IssuedCredential, MicroCredentialDefinition

from .plugin_settings import platform_setting

log = logging.getLogger(__name__)

#: First retry after about 2 s, doubling up to 10 minutes, 8 tries: about 25 minutes in all.
RETRY_BACKOFF = 2
RETRY_BACKOFF_MAX = 600
MAX_RETRIES = 8
#: Who revoked, in the audit trail, when the platform revoked the course certificate.
CERTIFICATE_ACTOR = "openedx:certificate-revoked"
CERTIFICATE_REASON = gettext_noop("The course certificate was revoked.")
_RETRY = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (Exception,),
    "dont_autoretry_for": (api.InvalidInput, api.NotFound),  # bad input stays bad: no retry
    "retry_backoff": RETRY_BACKOFF,
    "retry_backoff_max": RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
}


def uses_course_passed(rules: object) -> bool:
    """Whether a rule tree has a ``course_passed`` leaf anywhere."""
    if isinstance(rules, dict):
        return "course_passed" in rules or any(uses_course_passed(v) for v in rules.values())
    if isinstance(rules, list):
        return any(uses_course_passed(v) for v in rules)
    return False


def course_passed_definitions(course_key: str) -> list[MicroCredentialDefinition]:
    rows = MicroCredentialDefinition.objects.filter(course_key=course_key).order_by("pk")
    return [row for row in rows if uses_course_passed(row.rules)]


def evaluate_now(user_id: str, course_key: str, passed: bool | None = None) -> list[str]:
    """Record the platform's passing verdict (None: keep the stored one) and issue where rules hold.

    Returns the states per micro-credential of the course (for logs and tests).
    """
    if passed is None:
        return [p.state for p in api.evaluate_learner(learner(user_id), course_key)]
    return [p.state for p in api.record_course_passing(learner(user_id), course_key, passed)]


def revoke_now(user_id: str, course_key: str) -> list[str]:
    """Revoke the learner's course_passed credentials of the course; returns the revoked UUIDs."""
    ids = {row.microcredential_id for row in course_passed_definitions(course_key)}
    current = IssuedCredential.objects.filter(
        learner_id=user_id, course_key=course_key, microcredential_id__in=ids, current=True
    ).exclude(state=IssuedCredential.REVOKED)
    revoked = []
    for credential in current:
        try:
            api.revoke(credential.uuid, actor=CERTIFICATE_ACTOR, reason=CERTIFICATE_REASON)
        except api.InvalidInput:  # revoked meanwhile by a repeated event: nothing to do
            continue
        revoked.append(str(credential.uuid))
    return revoked


@shared_task(name="microvet.issue_for_learner", **_RETRY)
def issue_for_learner(self, user_id: str, course_key: str, passed: bool | None = None) -> list[str]:
    states = evaluate_now(user_id, course_key, passed)
    log.info("microvet: learner %s in %s: %s (attempt %d)", user_id, course_key, states, self.request.retries + 1)
    return states


@shared_task(name="microvet.evaluate_for_learner", **_RETRY)
def evaluate_for_learner(self, user_id: str, course_key: str, reason: str = api.RETRY) -> list[str]:
    """``api.evaluate`` on a worker: what a submission's request (ISSUE_IN_BACKGROUND), a publish in Studio
    or a failed in-process signing hands over. Signs here; failures raise for the retry."""
    states = [p.state for p in api.evaluate(learner(user_id), course_key, reason, worker=True)]
    log.info(
        "microvet: learner %s in %s (%s): %s (attempt %d)",
        user_id,
        course_key,
        reason,
        states,
        self.request.retries + 1,
    )
    return states


@shared_task(name="microvet.evaluate_course", **_RETRY)
def evaluate_course(self, course_key: str, reason: str = api.PUBLISHED) -> dict[str, list[str]]:
    """Every learner with evidence in a large course, after a publish changed its micro-credentials."""
    result = lifecycle.reevaluate_now(course_key, reason, api.evaluate)
    log.info(
        "microvet: %s re-evaluated (%s): %d learners, %d failed and retried alone",
        course_key,
        reason,
        len(result["evaluated"]),
        len(result["failed"]),
    )
    return result


@shared_task(name="microvet.revoke_for_certificate", **_RETRY)
def revoke_for_certificate(self, user_id: str, course_key: str) -> list[str]:
    revoked = revoke_now(user_id, course_key)
    log.info("microvet: certificate of learner %s in %s revoked: revoked %s", user_id, course_key, revoked)
    return revoked


def _dispatch(task, run_inline, *args) -> None:
    """Enqueue when issuing in the background, else run here. Nothing is lost on failure: an
    inline failure is queued for a retry when a Celery app exists; a broker that refuses the
    message makes us run inline; and the passing fact is stored before signing, so the next event
    or ``manage.py lms microvet_issue_course`` issues anyway."""
    if config().issue_in_background:
        try:
            task.apply_async(args=args, queue=platform_setting("CELERY_QUEUE"))
            return
        except Exception:
            log.warning("microvet: could not enqueue %s%s; running it in this process", task.name, args, exc_info=True)
    try:
        run_inline(*args)
    except (api.InvalidInput, api.NotFound):
        log.exception("microvet: %s%s rejected", task.name, args)
    except Exception:
        from .checks import celery_app_name  # noqa: PLC0415

        if celery_app_name() is None:
            log.exception("microvet: %s%s failed; the next event or microvet_issue_course retries", task.name, args)
            return
        log.exception("microvet: %s%s failed in process; queued for a retry", task.name, args)
        task.apply_async(args=args, queue=platform_setting("CELERY_QUEUE"), countdown=RETRY_BACKOFF)


def issue(user_id: str, course_key: str, passed: bool | None = None) -> None:
    _dispatch(issue_for_learner, evaluate_now, user_id, course_key, passed)


def revoke_for_certificate_revoked(user_id: str, course_key: str) -> None:
    _dispatch(revoke_for_certificate, revoke_now, user_id, course_key)
