"""The app's settings: ``settings.MICROVET`` merged over safe defaults (never XBlock fields)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import reverse

from badge_issuer.errors import KeyMaterialError
from badge_issuer.issuer_keys import IssuerKeys
from badge_issuer.keystore import ISSUER_FILE, load_issuer

DEFAULTS: dict[str, Any] = {
    # .. setting_name: MICROVET['BASE_URL']
    # .. setting_default: the platform's LMS_ROOT_URL, else "http://localhost:8000"
    # .. setting_description: Origin written into every credential id, status-list URL and public link.
    #   Read when first used, so inside Open edX it is the LMS_ROOT_URL the YAML configured (at
    #   plugin-settings time the platform still has its placeholder). Never change it once issuing.
    "BASE_URL": "",
    "KEYS_DIR": "",
    "ISSUER": "default",
    "FORMATS": ["di", "jwt"],
    "ISSUE_IN_BACKGROUND": False,
    # .. setting_name: MICROVET['STATUS_PURPOSE']
    # .. setting_default: "revocation"
    # .. setting_description: statusPurpose of the lists new credentials are entered in (OB 3.0 allows one
    #   credentialStatus). "revocation": outside verifiers say "revoked", no suspension. "suspension":
    #   reversible suspension, but a revocation then reads "suspended" outside (docs/decisions/0013).
    #   Credentials keep the list they were issued on when this changes.
    "STATUS_PURPOSE": "revocation",
    "STATUS_LIST_SIZE": 131_072,
    "CACHE_SECONDS": 300,
    "INCLUDE_NAME": False,
    "BEFORE_ISSUE": "",
    # .. setting_name: MICROVET["REISSUE_LIMIT"]
    # .. setting_default: 5
    # .. setting_description: How many times one learner's credential for one micro-credential may be
    #   re-issued (by the learner to a DID, or by staff) within REISSUE_WINDOW_SECONDS. Each re-issue
    #   signs a new credential and takes a status-list index, so an unbounded re-issue fills lists.
    "REISSUE_LIMIT": 5,
    # .. setting_name: MICROVET["REISSUE_WINDOW_SECONDS"]
    # .. setting_default: 86400
    # .. setting_description: The sliding window of REISSUE_LIMIT, in seconds (default: one day).
    "REISSUE_WINDOW_SECONDS": 86_400,
}
FORMATS = ("di", "jwt")
#: BASE_URL outside Open edX when none is set (the workbench's default address).
FALLBACK_BASE_URL = "http://localhost:8000"


@dataclass(frozen=True)
class Config:
    base_url: str
    keys_dir: Path | None
    issuer: str
    formats: tuple[str, ...]
    issue_in_background: bool
    status_purpose: str
    status_list_size: int
    cache_seconds: int
    include_name: bool
    #: Dotted path of ``f(award, definition) -> Award | None`` run before signing (None: vetoed).
    before_issue: str
    reissue_limit: int
    reissue_window_seconds: int

    @property
    def issuer_dir(self) -> Path | None:
        """``KEYS_DIR/<ISSUER>`` if that holds an issuer, else ``KEYS_DIR`` itself (single issuer)."""
        if self.keys_dir is None:
            return None
        named = self.keys_dir / self.issuer
        return named if (named / "issuer.json").exists() else self.keys_dir


def config() -> Config:
    return _config()


@lru_cache(maxsize=1)
def _config() -> Config:
    raw = {**DEFAULTS, **getattr(settings, "MICROVET", {})}
    return Config(
        base_url=str(raw["BASE_URL"] or getattr(settings, "LMS_ROOT_URL", "") or FALLBACK_BASE_URL).rstrip("/"),
        keys_dir=Path(raw["KEYS_DIR"]) if raw["KEYS_DIR"] else None,
        issuer=str(raw["ISSUER"]),
        formats=tuple(raw["FORMATS"]),
        issue_in_background=bool(raw["ISSUE_IN_BACKGROUND"]),
        status_purpose=str(raw["STATUS_PURPOSE"]),
        status_list_size=int(raw["STATUS_LIST_SIZE"]),
        cache_seconds=int(raw["CACHE_SECONDS"]),
        include_name=bool(raw["INCLUDE_NAME"]),
        before_issue=str(raw["BEFORE_ISSUE"] or ""),
        reissue_limit=int(raw["REISSUE_LIMIT"]),
        reissue_window_seconds=int(raw["REISSUE_WINDOW_SECONDS"]),
    )


#: (directory, issuer.json stamp, keys) of the last load; replaced whole, so threads never see half of it.
_loaded: tuple[Path, tuple[int, int, int] | None, IssuerKeys] | None = None


def _stamp(directory: Path) -> tuple[int, int, int] | None:
    """Identity of issuer.json: rotation writes a new one and renames it into place (its commit point),
    so inode, mtime and size change; one ``stat`` per call, no file read."""
    try:
        info = (directory / ISSUER_FILE).stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def issuer_keys() -> IssuerKeys:
    """The loaded issuer (KeyMaterialError names the file at fault; the system checks report it early).

    Re-read whenever issuer.json changes, so every LMS, Studio and worker process signs with the new
    keys as soon as ``microvet rotate`` has run, without a restart (issue 11, item 12).
    """
    global _loaded  # noqa: PLW0603 - a one-entry cache keyed by the file's stamp
    directory = config().issuer_dir
    if directory is None:
        raise KeyMaterialError("MICROVET['KEYS_DIR']", "is not set")
    stamp = _stamp(directory)
    loaded = _loaded
    if loaded is not None and loaded[0] == directory and loaded[1] == stamp and stamp is not None:
        return loaded[2]
    keys = load_issuer(directory)
    _loaded = (directory, stamp, keys)
    return keys


def absolute_url(name: str, *args: Any) -> str:
    """A public URL of the service (credential, status list, verification page) under BASE_URL."""
    return config().base_url + reverse(f"microvet:{name}", args=args)


@receiver(setting_changed)
def _reset(setting: str, **_: Any) -> None:
    """Tests that override MICROVET see the new value."""
    global _loaded  # noqa: PLW0603
    if setting in ("MICROVET", "LMS_ROOT_URL"):
        _config.cache_clear()
        _loaded = None
