"""Studio's publish signal drives the lifecycle: a definition becomes issuable when it is published.

Connected by the plugin's ``signals_config`` for ``cms.djangoapp`` to the modulestore's
``COURSE_PUBLISHED`` (``xmodule.modulestore.django.SignalHandler.course_published``, also sent after a
course import). The modulestore sends it inside the publishing transaction, so the work runs on commit
(as the platform's own receivers do) and reads the *published* branch only. Studio never signs: the
learners that the new rules make due are handed to the LMS workers (``service.api.publish``).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction

from microcredential_xblock import compat
from microcredential_xblock.service import api

log = logging.getLogger(__name__)


def on_course_published(sender: Any, course_key: Any, **kwargs: Any) -> None:
    """COURSE_PUBLISHED: register the course's published micro-credentials after the commit."""
    if not getattr(course_key, "is_course", True):  # libraries publish too; they hold no credentials
        return
    transaction.on_commit(partial(publish_course, course_key), robust=True)


def publish_course(course_key: Any) -> api.Published | None:
    """Read the published micro-credential blocks and hand them to the service; never raises (a
    receiver's exception would be swallowed by the modulestore's ``send_robust`` anyway).

    A block the store could not load as ours (an error block) makes the set incomplete: nothing is
    then removed from the registry, so a loading fault never withdraws a micro-credential.
    """
    try:
        blocks = compat.published_blocks(course_key)
        ours = [block for block in blocks if hasattr(block, "published_pair")]
        definitions = {compat.branch_free(block.location): block.published_pair() for block in ours}
        complete = len(ours) == len(blocks)
        if not complete:
            log.warning("microvet: %d micro-credential blocks of %s did not load", len(blocks) - len(ours), course_key)
        published = api.publish(str(course_key), definitions, may_sign=False, complete=complete)
    except Exception:
        log.exception("microvet: could not register the published micro-credentials of %s", course_key)
        return None
    log.info(
        "microvet: %s published: registered %s, removed %s, refused %s; %d learners re-evaluated%s",
        course_key, published.registered, published.removed, sorted(published.refused), published.learners,
        " in the background" if published.background else "",
    )  # fmt: skip
    return published
