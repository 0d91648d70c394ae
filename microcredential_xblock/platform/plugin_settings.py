"""Plugin registration for the LMS and Studio: ``PLUGIN_APP`` and ``plugin_settings(settings)``.

``plugin_settings`` runs while the platform builds its settings (edx-django-utils ``add_plugins``). It only
fills in what the operator left unset and *appends* our steps to ``OPEN_EDX_FILTERS_CONFIG``: an
operator's own steps, ``fail_silently`` and extra keys are kept, and running it twice adds nothing.

At that moment some platform settings are not values yet but lazily derived objects (edx-platform's
``openedx.core.lib.derived.Derived``, resolved later by ``derive_settings``): ``LOCALE_PATHS`` is one in
Teak and master. Nothing here iterates or copies a platform setting; a lazy one is wrapped in a lazy
object of the same class whose value is the platform's value with our change applied (``_amend``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

PLUGIN_PATH = "microcredential_xblock.platform"
LMS = "lms.djangoapp"
CMS = "cms.djangoapp"
_RECEIVERS = "platform.receivers"
#: Studio's receivers (publishing drives the credential lifecycle) live in this module.
_CMS_RECEIVERS = "platform.publishing"

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
    # .. toggle_name: MICROVET['REVOKE_WITH_CERTIFICATE']
    # .. toggle_implementation: SettingDictToggle
    # .. toggle_default: False
    # .. toggle_description: When the platform revokes a learner's course certificate (CERTIFICATE_REVOKED),
    #   also revoke their micro-credentials of that course whose rules rest on passing the course
    #   (course_passed). Off, credentials stand on the outcome evidence they were issued for.
    # .. toggle_use_cases: opt_in
    # .. toggle_creation_date: 2026-11-28
    "REVOKE_WITH_CERTIFICATE": False,
    # .. setting_name: MICROVET['CELERY_QUEUE']
    # .. setting_default: None (the platform's default queue); "edx.lms.core.default" in Studio
    # .. setting_description: Celery queue of the signing and re-evaluation tasks. Studio enqueues on the
    #   LMS's default queue, whose workers hold the keys, as the platform routes its own LMS work from Studio.
    "CELERY_QUEUE": None,
    #: Run before every issuance by the service: our public filter MicroCredentialIssuanceRequested.
    "BEFORE_ISSUE": f"{PLUGIN_PATH}.filters.request_issuance",
}

#: Defaults inside Studio. Studio authors and publishes; it never signs, so it needs no private keys
#: and the key checks are skipped there (service/checks.py reads ``SIGNS``).
CMS_DEFAULTS: dict[str, Any] = {
    # .. toggle_name: MICROVET['SIGNS']
    # .. toggle_implementation: SettingDictToggle
    # .. toggle_default: True (False in Studio, set by the plugin)
    # .. toggle_description: Whether this process signs credentials. Where False (Studio), the issuer's
    #   private keys are not needed and the start-up checks do not look for them.
    # .. toggle_use_cases: open_edx
    # .. toggle_creation_date: 2026-12-01
    "SIGNS": False,
    #: Learners re-evaluated on publishing are issued by the LMS's workers, which hold the keys: Studio
    #: enqueues on the LMS's default queue, as the platform routes its own LMS work from Studio
    #: (cms/envs/common.py ``POLICY_CHANGE_GRADES_ROUTING_KEY``).
    "ISSUE_IN_BACKGROUND": True,
    "CELERY_QUEUE": "edx.lms.core.default",
}


def _receiver(func: str, signal: str, sender: str | None = None, module: str = _RECEIVERS) -> dict[str, str]:
    entry = {
        "receiver_func_name": func,
        "signal_path": signal,
        "dispatch_uid": f"{PLUGIN_PATH}.{module.removeprefix('platform.')}.{func}",
    }
    if sender:
        entry["sender_path"] = sender
    return entry


#: The LMS's receivers, all in platform/receivers.py (edx-django-utils imports one module per project
#: type: a receiver written elsewhere is imported into that module). The CCX event is routed through
#: ``receivers.CCX_COURSE_PASSING_STATUS_UPDATED`` so that a release without it still starts.
LMS_RECEIVERS: list[dict[str, str]] = [
    _receiver("on_course_passing_status_updated", "openedx_events.learning.signals.COURSE_PASSING_STATUS_UPDATED"),
    _receiver("on_ccx_course_passing_status_updated", f"{PLUGIN_PATH}.receivers.CCX_COURSE_PASSING_STATUS_UPDATED"),
    _receiver("on_certificate_revoked", "openedx_events.learning.signals.CERTIFICATE_REVOKED"),
    _receiver("on_user_retired", "microcredential_xblock.compat.USER_RETIRE_LMS_CRITICAL"),
    _receiver(
        "on_credential_saved",
        "django.db.models.signals.post_save",
        "microcredential_xblock.service.models.IssuedCredential",
    ),
]

#: Studio's receivers, in platform/publishing.py: publishing a course makes its definitions issuable
#: (ADR 0009). The modulestore's ``SignalHandler.course_published`` is reached through
#: ``compat.COURSE_PUBLISHED`` (a stand-in signal outside the platform, so the plugin wiring is the same
#: in the contract tests).
CMS_RECEIVERS: list[dict[str, str]] = [
    _receiver("on_course_published", "microcredential_xblock.compat.COURSE_PUBLISHED", module=_CMS_RECEIVERS),
]

_SETTINGS = {"relative_path": "platform.plugin_settings"}
_STUDIO_SETTINGS = {"relative_path": "platform.studio_settings"}

#: The ``plugin_app`` of ``MicrovetPlatformConfig`` (keys are edx_django_utils.plugins.constants values,
#: spelled out so this module imports without edx-django-utils). The models app
#: (``service.apps.MicrovetConfig``) is installed next to it in both the LMS and Studio.
PLUGIN_APP: dict[str, Any] = {
    "url_config": {
        LMS: {"namespace": "microvet", "regex": r"^microvet/", "relative_path": "platform.urls"},
    },
    "settings_config": {
        LMS: {"common": _SETTINGS, "production": _SETTINGS},
        CMS: {"common": _STUDIO_SETTINGS, "production": _STUDIO_SETTINGS},
    },
    "signals_config": {
        LMS: {"relative_path": _RECEIVERS, "receivers": LMS_RECEIVERS},
        **({CMS: {"relative_path": _CMS_RECEIVERS, "receivers": CMS_RECEIVERS}} if CMS_RECEIVERS else {}),
    },
}


LOCALE_DIR = Path(__file__).resolve().parent.parent / "conf" / "locale"


def is_lazy(value: Any) -> bool:
    """A lazily derived platform setting (edx-platform's ``Derived``: a ``calculate_value(settings)``
    callable that ``derive_settings`` replaces with its result), not a value yet."""
    return callable(getattr(value, "calculate_value", None)) and not isinstance(value, (list, tuple, dict, str))


def _amend(settings: Any, name: str, change: Callable[[Any], Any], default: Any = None) -> None:
    """Set ``settings.<name>`` to ``change(current value)``; if that value is lazy, to a lazy object of the
    same class, so that ``derive_settings`` later resolves the platform's value and applies the change."""
    current = getattr(settings, name, default)
    if is_lazy(current):
        setattr(settings, name, type(current)(lambda resolved: change(current.calculate_value(resolved))))
    else:
        setattr(settings, name, change(current))


def _with_locale_dir(paths: Any) -> list:
    paths = list(paths or [])
    return paths if str(LOCALE_DIR) in map(str, paths) else [*paths, str(LOCALE_DIR)]


def _with_defaults(defaults: dict[str, Any]) -> Callable[[Any], dict[str, Any]]:
    """Our defaults under the operator's MICROVET. Not BASE_URL: when the common settings run,
    LMS_ROOT_URL is still the platform's placeholder (the YAML sets the real one later), so the
    service takes LMS_ROOT_URL at use time (service/config.py)."""

    def merge(microvet: Any) -> dict[str, Any]:
        return {**defaults, **dict(microvet or {})}

    return merge


def plugin_settings(settings: Any) -> None:
    """The LMS: fill in safe defaults and merge our filter steps; never overwrite what the operator set."""
    _amend(settings, "MICROVET", _with_defaults(LMS_DEFAULTS), {})
    _amend(settings, "OPEN_EDX_FILTERS_CONFIG", merge_filter_steps, {})
    # The service's pages, checks and messages are translated from the package's own catalogs.
    _amend(settings, "LOCALE_PATHS", _with_locale_dir, [])


def studio_settings(settings: Any) -> None:
    """Studio (``platform/studio_settings.py``): its defaults and our catalogs; no filter steps (they
    render LMS pages) and no keys (Studio never signs)."""
    _amend(settings, "MICROVET", _with_defaults(CMS_DEFAULTS), {})
    _amend(settings, "LOCALE_PATHS", _with_locale_dir, [])


def merge_filter_steps(config: Any, steps: dict[str, list[str]] = FILTER_STEPS) -> dict[str, Any]:
    """A copy of ``config`` with ``steps`` appended to each filter's pipeline (once).

    A filter configured as a bare list or string (both accepted by openedx-filters) becomes the
    dict form with the same steps first.
    """
    merged = dict(config or {})
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
