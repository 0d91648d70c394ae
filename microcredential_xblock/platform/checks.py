"""Start-up checks of the platform integration: background issuance needs a Celery app (a system
check), and what this release of the platform's libraries lacks is said in the log at start-up (INFO)
and by ``manage.py check`` (microvet.I001).

The service's own checks (keys, issuer country, formats) live in service/checks.py.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from django.core import checks
from django.utils.translation import gettext as _

from microcredential_xblock.service.config import config

log = logging.getLogger(__name__)

#: Features that need a newer openedx-events / openedx-filters than some supported releases have:
#: (module, name, what is missing without it). Each missing one is one INFO line at start-up.
OPTIONAL_FEATURES = (
    (
        "openedx_filters.learning.filters",
        "InstructorDashboardTabsRequested",
        "no 'Issued credentials' tab on the instructor dashboard (course staff use /microvet/staff/<course>/)",
    ),
    (
        "openedx_events.learning.signals",
        "CCX_COURSE_PASSING_STATUS_UPDATED",
        "course_passed rules are not evaluated in CCX courses",
    ),
)

#: Celery's fallback app, which exists when nobody created one; tasks sent through it go nowhere useful.
CELERY_FALLBACK_APP = "default"


def celery_app_name() -> str | None:
    """The name of the current Celery app, or None when Celery is missing or only its fallback exists."""
    try:
        from celery import current_app  # noqa: PLC0415  (optional dependency: extra "openedx")
    except ImportError:
        return None
    main = current_app.main
    return None if main in (None, CELERY_FALLBACK_APP) else main


@checks.register("microvet")
def check_background_issuance(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if config().issue_in_background and celery_app_name() is None:
        return [
            checks.Error(
                _("MICROVET['ISSUE_IN_BACKGROUND'] is on, but no Celery app is configured."),
                hint=_(
                    "Run inside the LMS (which creates its Celery app) or set MICROVET['ISSUE_IN_BACKGROUND'] "
                    "to False to issue in the web process."
                ),
                id="microvet.E101",
            )
        ]
    return []


def missing_platform_features() -> list[str]:
    """What this release cannot do, a line per missing optional feature, logged at INFO: an older release
    is a supported set-up, not a fault, and every LMS, Studio and worker process starts with this."""
    lines = _missing_features()
    for line in lines:
        log.info(line)
    return lines


@checks.register("microvet")
def check_platform_features(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``manage.py check`` names what this release cannot do (microvet.I001), where operators look."""
    return [checks.Info(line, id="microvet.I001") for line in _missing_features()]


def _missing_features() -> list[str]:
    lines = []
    for module, name, consequence in OPTIONAL_FEATURES:
        try:
            present = hasattr(importlib.import_module(module), name)
        except ImportError:
            present = False
        if not present:
            lines.append(f"microvet: {module}.{name} is not in this release: {consequence}")
    return lines
