"""Django system checks: the issuer's keys and identity, reported at start-up with clear messages."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

from badge_issuer.errors import KeyMaterialError

from .config import FORMATS, config, issuer_keys


@checks.register("microvet")
def check_configuration(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not (getattr(settings, "MICROVET", None) or {}).get("SIGNS", True):
        return []  # Studio: never signs, needs no keys (platform/plugin_settings.py CMS_DEFAULTS)
    cfg = config()
    errors: list[checks.CheckMessage] = []
    if cfg.keys_dir is None:
        return [
            checks.Error(
                _("MICROVET['KEYS_DIR'] is not set."),
                hint=_("Point it at an issuer key directory made with `microvet keygen`."),
                id="microvet.E001",
            )
        ]
    if not cfg.keys_dir.is_dir() or not os.access(cfg.keys_dir, os.R_OK | os.X_OK):
        return [
            checks.Error(
                _("The keys directory %(dir)s is missing or unreadable.") % {"dir": cfg.keys_dir},
                hint=_("Create it or fix its permissions for the LMS user."),
                id="microvet.E002",
            )
        ]
    try:
        keys = issuer_keys()
    except KeyMaterialError as exc:
        return [
            checks.Error(
                _("Issuer keys cannot be loaded: %(error)s") % {"error": exc},
                hint=_("Private keys must be readable PKCS#8 files with mode 0600."),
                id="microvet.E003",
            )
        ]
    if not keys.profile.get("country"):
        errors.append(
            checks.Error(
                _("The issuer profile in %(dir)s has no country.") % {"dir": cfg.issuer_dir},
                hint=_("Set an ISO 3166-1 alpha-2 country such as IT (EU element 3)."),
                id="microvet.E004",
            )
        )
    unknown = [f for f in cfg.formats if f not in FORMATS]
    if unknown or not cfg.formats:
        errors.append(checks.Error(_("MICROVET['FORMATS'] must list di and/or jwt."), id="microvet.E005"))
    if cfg.status_purpose not in ("revocation", "suspension"):
        errors.append(
            checks.Error(_("MICROVET['STATUS_PURPOSE'] must be revocation or suspension."), id="microvet.E006")
        )
    if not cfg.base_url.startswith("https://"):
        errors.append(
            checks.Warning(
                _("MICROVET['BASE_URL'] is not https; credentials will carry http URLs."), id="microvet.W001"
            )
        )
    return errors
