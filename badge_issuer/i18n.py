"""Translation marker for the framework-free floor.

badge_issuer must not import Django, so strings shown to people are only *marked* here; the
upper floor (XBlocks, Django app) passes the marked text through its real gettext at display time.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path

#: The languages the package is translated into, as (code, name in that language).
LANGUAGES = (
    ("en", "English"),
    ("it", "Italiano"),
    ("el", "Ελληνικά"),
    ("es", "Español"),
    ("pt", "Português"),
    ("de", "Deutsch"),
)
#: The project's compiled catalogs (one pip package; ``make compile_translations`` writes the .mo files).
LOCALE_DIR = Path(__file__).resolve().parent.parent / "microcredential_xblock" / "conf" / "locale"


def gettext_noop(message: str) -> str:
    """Return ``message`` unchanged; marks it for extraction by makemessages/xgettext."""
    return message


@cache
def translator(language: str) -> Callable[[str], str]:
    """gettext for ``language`` (a BCP 47 tag; its primary subtag picks the catalog), English if none.

    For text written *into* credentials in the credential's own language (the achievement's
    description), not for display: stdlib gettext on the same catalogs the upper floor uses.
    """
    primary = (language or "en").split("-")[0].lower()
    return gettext.translation("django", LOCALE_DIR, languages=[primary], fallback=True).gettext
