"""The app's settings: ``settings.MICROVET`` merged over safe defaults (never XBlock fields)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from badge_issuer.errors import KeyMaterialError
from badge_issuer.keys import IssuerKeys, load_issuer

DEFAULTS: dict[str, Any] = {
    "BASE_URL": "http://localhost:8000",
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
}
FORMATS = ("di", "jwt")


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
        base_url=str(raw["BASE_URL"]).rstrip("/"),
        keys_dir=Path(raw["KEYS_DIR"]) if raw["KEYS_DIR"] else None,
        issuer=str(raw["ISSUER"]),
        formats=tuple(raw["FORMATS"]),
        issue_in_background=bool(raw["ISSUE_IN_BACKGROUND"]),
        status_purpose=str(raw["STATUS_PURPOSE"]),
        status_list_size=int(raw["STATUS_LIST_SIZE"]),
        cache_seconds=int(raw["CACHE_SECONDS"]),
        include_name=bool(raw["INCLUDE_NAME"]),
        before_issue=str(raw["BEFORE_ISSUE"] or ""),
    )


@lru_cache(maxsize=1)
def issuer_keys() -> IssuerKeys:
    """The loaded issuer (KeyMaterialError names the file at fault; the system checks report it early)."""
    directory = config().issuer_dir
    if directory is None:
        raise KeyMaterialError("MICROVET['KEYS_DIR']", "is not set")
    return load_issuer(directory)


@receiver(setting_changed)
def _reset(setting: str, **_: Any) -> None:
    """Tests that override MICROVET see the new value."""
    if setting == "MICROVET":
        _config.cache_clear()
        issuer_keys.cache_clear()
