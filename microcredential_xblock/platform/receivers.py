"""Receivers of platform signals, connected by the plugin's ``signals_config`` (plugin_settings.PLUGIN_APP).

Grade events repeat and arrive in web and worker processes alike: receivers only check the
payload, log, and hand over to ``tasks`` (Celery in the LMS); issuing is exactly-once, so a
repeated event changes nothing. ``send_event`` swallows receiver exceptions (except under DEBUG),
which is why failures are logged and retried in ``tasks``, not raised here.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from openedx_events.learning import signals as learning_signals

from microcredential_xblock import compat
from microcredential_xblock.service.models import IssuedCredential

from . import events, tasks
from .filters import announce_issued
from .plugin_settings import platform_setting
from .retirement import on_user_retired  # noqa: F401 - wired here by PLUGIN_APP's signals_config

log = logging.getLogger(__name__)

#: For CCX courses the LMS sends this event instead of COURSE_PASSING_STATUS_UPDATED. A release whose
#: openedx-events lacks it gets a signal that nothing sends, so the plugin still starts (and says so once
#: at start-up: platform/checks.py ``missing_platform_features``).
CCX_COURSE_PASSING_STATUS_UPDATED = getattr(learning_signals, "CCX_COURSE_PASSING_STATUS_UPDATED", None) or Signal()


def _ids(data: Any) -> tuple[str, str] | None:
    """(user id, course key) from a payload with ``user`` and ``course``, or None if either is missing.

    A CCX payload's course (``CcxCourseData``) names the CCX and its ``master_course_key``: a CCX counts
    as its master course, whose published micro-credentials its blocks record evidence for
    (``compat.course_and_usage_keys``)."""
    user_id = getattr(getattr(data, "user", None), "id", None)
    course = getattr(data, "course", None)
    course_key = (
        getattr(course, "course_key", None)
        or getattr(course, "master_course_key", None)
        or compat.master_key(getattr(course, "ccx_course_key", None))
    )
    if user_id is None or not course_key:
        log.warning("microvet: event without a user id or course key ignored: %r", data)
        return None
    return str(user_id), str(course_key)


def on_course_passing_status_updated(signal: Any, sender: Any, course_passing_status: Any, **kwargs: Any) -> None:
    """COURSE_PASSING_STATUS_UPDATED: micro-credentials whose rule says "course passed" may now be due."""
    ids = _ids(course_passing_status)
    if ids is None:
        return
    user_id, course_key = ids
    if not tasks.course_passed_definitions(course_key):
        log.debug("microvet: %s has no course_passed micro-credential", course_key)
        return
    passed = bool(course_passing_status.is_passing)
    log.info("microvet: learner %s %s %s", user_id, "passes" if passed else "does not pass", course_key)
    tasks.issue(user_id, course_key, passed)


#: CCX_COURSE_PASSING_STATUS_UPDATED: the same, for a CCX course (its payload names the CCX course key).
on_ccx_course_passing_status_updated = on_course_passing_status_updated


def on_certificate_revoked(signal: Any, sender: Any, certificate: Any, **kwargs: Any) -> None:
    """CERTIFICATE_REVOKED: revoke the course_passed credentials too, if MICROVET["REVOKE_WITH_CERTIFICATE"]."""
    if not platform_setting("REVOKE_WITH_CERTIFICATE"):
        return
    ids = _ids(certificate)
    if ids is None:
        return
    log.info("microvet: certificate of learner %s in %s revoked", *ids)
    tasks.revoke_for_certificate_revoked(*ids)


def on_credential_saved(sender: Any, instance: IssuedCredential, created: bool, **kwargs: Any) -> None:
    """post_save of IssuedCredential: after commit, BADGE_AWARDED + MicroCredentialIssued for a new
    credential, BADGE_REVOKED for a revocation. Nothing is sent for a rolled-back issuance."""
    if created:
        transaction.on_commit(partial(events.emit, instance.pk, True), robust=True)
        transaction.on_commit(partial(_announce, instance.pk), robust=True)
    elif "state" in (kwargs.get("update_fields") or ()) and instance.state == IssuedCredential.REVOKED:
        transaction.on_commit(partial(events.emit, instance.pk, False), robust=True)


def _announce(pk: int) -> None:
    announce_issued(IssuedCredential.objects.get(pk=pk))
