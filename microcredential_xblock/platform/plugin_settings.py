"""Plugin registration for the LMS: ``PLUGIN_APP`` and ``plugin_settings(settings)``.

``plugin_settings`` runs while the LMS builds its settings (edx-django-utils ``add_plugins``). It only
fills in what the operator left unset and *appends* our steps to ``OPEN_EDX_FILTERS_CONFIG``: an
operator's own steps, ``fail_silently`` and extra keys are kept, and running it twice adds nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

PLUGIN_PATH = "microcredential_xblock.platform"
LMS = "lms.djangoapp"
_RECEIVERS = "platform.receivers"

#: filter type -> our pipeline steps, in the order they run after the operator's steps.
FILTER_STEPS: dict[str, list[str]] = {
    "org.openedx.learning.certificate.render.started.v1": [f"{PLUGIN_PATH}.filters.AddMicroCredentialToCertificate"],
    "org.openedx.learning.home.enrollment.api.rendered.v1": [f"{PLUGIN_PATH}.filters.AddMicroCredentialToEnrollment"],
    "org.openedx.learning.course_about.render.started.v1": [f"{PLUGIN_PATH}.filters.AddMicroCredentialToCourseAbout"],
    "org.openedx.learning.instructor.dashboard.tabs.requested.v1": [f"{PLUGIN_PATH}.filters.AddIssuedCredentialsTab"],
}

#: Defaults inside the LMS (the service's own defaults, service/config.py, apply to everything else).
LMS_DEFAULTS: dict[str, Any] = {
    "ISSUE_IN_BACKGROUND": True,  # the platform's Celery workers sign; web requests only enqueue
    "REVOKE_WITH_CERTIFICATE": False,  # CERTIFICATE_REVOKED revokes course_passed credentials only if True
    "CELERY_QUEUE": None,  # None: the platform's default queue
    #: Run before every issuance by the service: our public filter MicroCredentialIssuanceRequested.
    "BEFORE_ISSUE": f"{PLUGIN_PATH}.filters.request_issuance",
}


def _receiver(func: str, signal: str, sender: str | None = None) -> dict[str, str]:
    entry = {
        "receiver_func_name": func,
        "signal_path": signal,
        "dispatch_uid": f"{PLUGIN_PATH}.receivers.{func}",
    }
    if sender:
        entry["sender_path"] = sender
    return entry


#: The ``plugin_app`` of ``MicrovetPlatformConfig`` (keys are edx_django_utils.plugins.constants values,
#: spelled out so this module imports without edx-django-utils).
PLUGIN_APP: dict[str, Any] = {
    "url_config": {
        LMS: {"namespace": "microvet", "regex": r"^microvet/", "relative_path": "platform.urls"},
    },
    "settings_config": {
        LMS: {
            "common": {"relative_path": "platform.plugin_settings"},
            "production": {"relative_path": "platform.plugin_settings"},
        },
    },
    "signals_config": {
        LMS: {
            "relative_path": _RECEIVERS,
            "receivers": [
                _receiver(
                    "on_course_passing_status_updated",
                    "openedx_events.learning.signals.COURSE_PASSING_STATUS_UPDATED",
                ),
                _receiver("on_certificate_revoked", "openedx_events.learning.signals.CERTIFICATE_REVOKED"),
                _receiver("on_user_retired", "microcredential_xblock.compat.USER_RETIRE_LMS_CRITICAL"),
                _receiver(
                    "on_credential_saved",
                    "django.db.models.signals.post_save",
                    "microcredential_xblock.service.models.IssuedCredential",
                ),
            ],
        },
    },
}


LOCALE_DIR = Path(__file__).resolve().parent.parent / "conf" / "locale"


def plugin_settings(settings: Any) -> None:
    """Fill in safe defaults and merge our filter steps; never overwrite what the operator set."""
    microvet = dict(getattr(settings, "MICROVET", None) or {})
    for key, value in LMS_DEFAULTS.items():
        microvet.setdefault(key, value)
    lms_root = getattr(settings, "LMS_ROOT_URL", "")
    if lms_root:
        microvet.setdefault("BASE_URL", lms_root)
    settings.MICROVET = microvet
    settings.OPEN_EDX_FILTERS_CONFIG = merge_filter_steps(getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None) or {})
    # The service's pages, checks and messages are translated from the package's own catalogs.
    locale_paths = list(getattr(settings, "LOCALE_PATHS", []) or [])
    if str(LOCALE_DIR) not in map(str, locale_paths):
        settings.LOCALE_PATHS = [*locale_paths, str(LOCALE_DIR)]


def merge_filter_steps(config: dict[str, Any], steps: dict[str, list[str]] = FILTER_STEPS) -> dict[str, Any]:
    """A copy of ``config`` with ``steps`` appended to each filter's pipeline (once).

    A filter configured as a bare list or string (both accepted by openedx-filters) becomes the
    dict form with the same steps first.
    """
    merged = dict(config)
    for filter_type, ours in steps.items():
        current = merged.get(filter_type) or {}
        if isinstance(current, str):
            current = {"pipeline": [current]}
        elif isinstance(current, list):
            current = {"pipeline": list(current)}
        else:
            current = dict(current)
        pipeline = list(current.get("pipeline", []))
        pipeline += [step for step in ours if step not in pipeline]
        current["pipeline"] = pipeline
        current.setdefault("fail_silently", True)
        merged[filter_type] = current
    return merged


def platform_setting(name: str) -> Any:
    """One of our LMS-only settings (``LMS_DEFAULTS``) from ``settings.MICROVET``."""
    from django.conf import settings  # noqa: PLC0415  (this module is also loaded while settings are built)

    return (getattr(settings, "MICROVET", None) or {}).get(name, LMS_DEFAULTS[name])
