"""Where ``api.evaluate`` runs: re-evaluating a course after a publish, enqueueing, throttled retries.

Signing needs the issuer's private keys, which only the LMS and its workers hold (Studio never signs).
So work that may sign is either done here, in a process allowed to sign, or handed to the LMS's Celery
workers: the tasks of ``platform.tasks``, found by name in the Celery app (the platform app registers
them when it starts; the workbench has no Celery). The evaluation itself is ``api.evaluate``, handed in
by its callers, so this module never imports the API that builds on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from microcredential_xblock import compat

from .models import AssessmentResult, CoursePassing
from .progress import Learner

log = logging.getLogger(__name__)

#: Why ``evaluate`` runs (logs and tasks carry it): a graded submission, the platform's course-passing
#: event, an author's publish, and a retry (the card's view of a due credential, or a worker's retry).
SUBMISSION, COURSE_PASSING, PUBLISHED, RETRY = "submission", "course_passing", "published", "retry"
REASONS = (SUBMISSION, COURSE_PASSING, PUBLISHED, RETRY)

# .. setting_name: MICROVET['PUBLISH_INLINE_LEARNERS']
# .. setting_default: 20
# .. setting_description: After a publish changes a micro-credential, courses with at most this many learners
#   with evidence are re-evaluated in the publishing process (Studio only reads and enqueues the due ones;
#   the demo signs in process), larger courses in one Celery task on the LMS workers. Measured on two shared
#   cores: 50 learners took 0.7 s (SQLite) and 0.9 s (PostgreSQL) in Studio, 4-5 s where signing in process;
#   20 keeps the author's publish about a third of a second longer.
PUBLISH_INLINE_LEARNERS = 20
# .. setting_name: MICROVET['RETRY_SECONDS']
# .. setting_default: 60
# .. setting_description: At most one retry per learner and course in this many seconds when the card shows
#   a credential that is due but missing (a signing fault, a lost task); the card polls with back-off.
RETRY_SECONDS = 60
#: First automatic retry of a failed in-process signing, on a worker (seconds).
RETRY_COUNTDOWN = 30


def _setting(name: str, default: Any) -> Any:
    return (getattr(settings, "MICROVET", None) or {}).get(name, default)


def learner_ids(course_key: str, after: str = "") -> QuerySet:
    """Every learner with evidence in the course (assessments or a passing verdict), in id order,
    after ``after`` (a cursor for resumable runs). Learners without evidence cannot satisfy a rule set."""
    results = AssessmentResult.objects.filter(course_key=course_key, learner_id__gt=after).values_list("learner_id")
    passing = CoursePassing.objects.filter(course_key=course_key, learner_id__gt=after).values_list("learner_id")
    return results.union(passing).order_by("learner_id")


def celery_ready() -> bool:
    from microcredential_xblock.platform.checks import celery_app_name  # noqa: PLC0415  (LMS/CMS only)

    return celery_app_name() is not None


def _send(task_name: str, args: list[Any], *, countdown: int | None = None) -> bool:
    """Enqueue a task of ``platform.tasks``; False (logged) when there is no Celery app or the broker refuses.

    The queue is ``MICROVET["CELERY_QUEUE"]`` (None: the sender's default queue); in Studio the plugin
    sets it to the LMS workers' queue, since these tasks sign (platform/plugin_settings.py).
    """
    if not celery_ready():
        log.warning("microvet: no Celery app: %s%s not queued", task_name, tuple(args))
        return False
    from celery import current_app  # noqa: PLC0415  (optional dependency: extra "openedx")

    task = current_app.tasks.get(f"microvet.{task_name}")
    if task is None:
        log.warning("microvet: the Celery app has no task microvet.%s: %s not queued", task_name, tuple(args))
        return False
    try:
        task.apply_async(args=args, queue=_setting("CELERY_QUEUE", None), countdown=countdown)
    except Exception:  # the broker is down: the card's next view retries (throttled)
        log.warning("microvet: could not enqueue %s%s", task_name, tuple(args), exc_info=True)
        return False
    return True


def enqueue(user_id: str, course_key: str, reason: str) -> None:
    """Hand one learner's evaluation to a worker (ISSUE_IN_BACKGROUND, or from Studio), once the caller's
    transaction (a submission's, which stores the evidence) has committed: the worker must see it."""
    transaction.on_commit(partial(_send, "evaluate_for_learner", [user_id, course_key, reason]))


def retry_later(user_id: str, course_key: str) -> None:
    """After an in-process signing failure: a worker retries if there is one (after the caller's
    transaction commits, like ``enqueue``); else the card's view does."""
    if celery_ready():
        transaction.on_commit(
            partial(_send, "evaluate_for_learner", [user_id, course_key, RETRY], countdown=RETRY_COUNTDOWN)
        )


def may_retry(user_id: str, course_key: str) -> bool:
    """True at most once per RETRY_SECONDS per learner and course (``cache.add`` is atomic)."""
    return cache.add(f"microvet:retry:{course_key}:{user_id}", 1, int(_setting("RETRY_SECONDS", RETRY_SECONDS)))


Evaluate = Callable[..., Any]


def reevaluate_course(course_key: str, *, may_sign: bool, evaluate: Evaluate) -> tuple[int, bool]:
    """After a publish changed a definition: evaluate the learners with evidence in the course.

    Returns (number of learners, whether a background task does it). A small course is done here
    (``evaluate``, which is ``api.evaluate``; with ``may_sign`` false only due learners are enqueued for
    the LMS workers); a large one goes to one Celery task, or is done here where that is allowed and no
    Celery exists.
    """
    ids = [learner_id for (learner_id,) in learner_ids(course_key)]
    if not ids:
        return 0, False
    large = len(ids) > int(_setting("PUBLISH_INLINE_LEARNERS", PUBLISH_INLINE_LEARNERS))
    if large and _send("evaluate_course", [course_key, PUBLISHED]):
        return len(ids), True
    if large and not may_sign:
        log.warning("microvet: %d learners of %s wait for their next submission or card view", len(ids), course_key)
        return len(ids), False
    for user_id in ids:
        try:
            evaluate(learner(user_id), course_key, PUBLISHED, background=None if may_sign else True)
        except Exception:  # one learner's bad row must not stop the others
            log.exception("microvet: re-evaluating learner %s of %s after a publish failed", user_id, course_key)
    return len(ids), not may_sign


def reevaluate_now(course_key: str, reason: str, evaluate: Evaluate) -> dict[str, list[str]]:
    """The worker's side of a large re-evaluation (``evaluate``: ``api.evaluate``): sign here; a learner
    that fails is retried alone."""
    result: dict[str, list[str]] = {"evaluated": [], "failed": []}
    for (user_id,) in learner_ids(course_key).iterator():
        try:
            evaluate(learner(user_id), course_key, reason, worker=True)
            result["evaluated"].append(user_id)
        except Exception:
            log.exception("microvet: evaluating learner %s of %s failed; retried alone", user_id, course_key)
            result["failed"].append(user_id)
            _send("evaluate_for_learner", [user_id, course_key, RETRY], countdown=RETRY_COUNTDOWN)
    return result


def learner(user_id: str) -> Learner:
    """The service's Learner for an id (the platform's user table; the demo's fallback address elsewhere)."""
    identity = compat.learner_identity(user_id)
    return Learner(identity.user_id, identity.email, identity.name)
