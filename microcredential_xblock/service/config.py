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
    # .. setting_name: MICROVET['KEYS_DIR']
    # .. setting_default: "" (not set: nothing can be signed, and the start-up check microvet.E001 says so)
    # .. setting_description: Directory of the issuer's keys, as `microvet keygen` writes it (issuer.json
    #   and keys/*.pem, private keys readable by their owner only), or a directory of such issuers named
    #   by ISSUER. Needed where credentials are signed (the LMS and its workers), not in Studio.
    "KEYS_DIR": "",
    # .. setting_name: MICROVET['ISSUER']
    # .. setting_default: "default"
    # .. setting_description: Which issuer under KEYS_DIR signs: KEYS_DIR/<ISSUER> if that holds an
    #   issuer.json, else KEYS_DIR itself (a single issuer). Also the key directory name of the issuer's
    #   public profile (IssuerProfile) in the admin.
    "ISSUER": "default",
    # .. setting_name: MICROVET['FORMATS']
    # .. setting_default: ["di", "jwt"]
    # .. setting_description: Proof formats of every credential: "di" (W3C Data Integrity, eddsa-rdfc-2022
    #   JSON-LD) and/or "jwt" (VC-JWT). At least one; the start-up check microvet.E005 refuses others.
    "FORMATS": ["di", "jwt"],
    # .. toggle_name: MICROVET['ISSUE_IN_BACKGROUND']
    # .. toggle_implementation: SettingDictToggle
    # .. toggle_default: False (True in the LMS and Studio, set by the plugin)
    # .. toggle_description: Sign credentials in a Celery task (microvet.evaluate_for_learner) instead of
    #   in the web request that met the rules: the request only enqueues. Studio always enqueues on the
    #   LMS's queue (CELERY_QUEUE), as it holds no keys. The start-up check microvet.E101 reports a missing
    #   Celery app.
    # .. toggle_use_cases: open_edx
    # .. toggle_creation_date: 2026-11-28
    "ISSUE_IN_BACKGROUND": False,
    # .. setting_name: MICROVET['STATUS_PURPOSE']
    # .. setting_default: "revocation"
    # .. setting_description: statusPurpose of the lists new credentials are entered in (OB 3.0 allows one
    #   credentialStatus). "revocation": outside verifiers say "revoked", no suspension. "suspension":
    #   reversible suspension, but a revocation then reads "suspended" outside (docs/decisions/0013).
    #   Credentials keep the list they were issued on when this changes.
    "STATUS_PURPOSE": "revocation",
    # .. setting_name: MICROVET['STATUS_LIST_SIZE']
    # .. setting_default: 131072
    # .. setting_description: Entries (bits) of each new BitstringStatusList; the next list starts once
    #   one is half full. The W3C minimum of 131072 keeps a credential's index from telling who holds
    #   it (herd privacy). Lists already made keep their size.
    "STATUS_LIST_SIZE": 131_072,
    # .. setting_name: MICROVET['CACHE_SECONDS']
    # .. setting_default: 300
    # .. setting_description: How long verifiers and browsers may cache the public documents (credentials,
    #   status lists, issuer and DID documents: Cache-Control max-age), and the status lists' ttl. A
    #   revocation reaches a verifier that caches at most this much later.
    "CACHE_SECONDS": 300,
    # .. toggle_name: MICROVET['INCLUDE_NAME']
    # .. toggle_implementation: SettingDictToggle
    # .. toggle_default: False
    # .. toggle_description: Write the learner's full name (the platform profile's, or what a BEFORE_ISSUE
    #   step sets) into the credential, unhashed, next to the hashed e-mail. Off, a credential names the
    #   learner by the salted hash of their e-mail only (data minimisation).
    # .. toggle_use_cases: opt_in
    # .. toggle_creation_date: 2026-11-28
    "INCLUDE_NAME": False,
    # .. setting_name: MICROVET['BEFORE_ISSUE']
    # .. setting_default: "" (none; in the LMS the plugin sets microcredential_xblock.platform.filters.request_issuance)
    # .. setting_description: Dotted path of a function f(award, definition) -> Award | None run before
    #   every signing: it may return an enriched Award (a DID, the legal name) or None to veto. In the LMS
    #   it runs the public filter org.openedx.microvet.credential.issuance.requested.v1.
    "BEFORE_ISSUE": "",
    # .. setting_name: MICROVET['REISSUE_LIMIT']
    # .. setting_default: 5
    # .. setting_description: How many times one learner's credential for one micro-credential may be
    #   re-issued (by the learner to a DID, or by staff) within REISSUE_WINDOW_SECONDS. Each re-issue
    #   signs a new credential and takes a status-list index, so an unbounded re-issue fills lists.
    "REISSUE_LIMIT": 5,
    # .. setting_name: MICROVET['REISSUE_WINDOW_SECONDS']
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
