"""Translation marker for the framework-free floor.

badge_issuer must not import Django, so strings shown to people are only *marked* here; the
upper floor (XBlocks, Django app) passes the marked text through its real gettext at display time.
"""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    """Return ``message`` unchanged; marks it for extraction by makemessages/xgettext."""
    return message
