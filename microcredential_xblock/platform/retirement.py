"""Learner retirement: the platform's retirement pipeline erases what we hold about a learner.

Wired by ``PLUGIN_APP["signals_config"]`` to ``compat.USER_RETIRE_LMS_CRITICAL`` (the LMS step of
the pipeline, sent with the user before the platform renames the account). Evidence is deleted;
credentials lose e-mail, name, DID and stored signed copies but keep their status-list index, so a
credential the learner still holds keeps answering verifiers (docs/decisions/0011). Exceptions are
not swallowed: the pipeline marks the step failed and retries it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from microcredential_xblock.service import evidence, issuance

log = logging.getLogger(__name__)


def on_user_retired(sender: Any, user: Any = None, **kwargs: Any) -> None:
    """USER_RETIRE_LMS_CRITICAL(user=...): forget the learner (idempotent; the pipeline may repeat)."""
    user_id = getattr(user, "id", None)
    if user_id is None:
        log.warning("microvet: retirement signal without a user ignored")
        return
    retire_learner(str(user_id))


def retire_learner(learner_id: str) -> int:
    """Delete the learner's evidence and anonymise their credentials in one transaction."""
    with transaction.atomic():
        evidence.forget(learner_id)
        count = issuance.forget_recipient(learner_id)
    log.info("microvet: learner %s retired (%d credential(s) anonymised)", learner_id, count)
    return count
