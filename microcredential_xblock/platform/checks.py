"""System check of the platform integration: background issuance needs a Celery app.

The service's own checks (keys, issuer country, formats) live in service/checks.py.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.utils.translation import gettext as _

from microcredential_xblock.service.config import config

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
