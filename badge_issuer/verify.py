"""One entry point for verification: a credential (JSON-LD dict or VC-JWT) -> a report of named checks.

Checks, in the order of the OB 3.0 verification steps: format, JSON Schema, safe mode, proof(s)
(Data Integrity and/or VC-JWT, including the key-to-issuer binding), validity period with clock skew,
status list entries, optional recipient, embedded endorsements. Everything is offline: keys come
from a KeyResolver, status lists from a ``status_fetcher`` (the database, or files).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import schema
from .contexts import check_safe_mode
from .errors import DefinitionError, MicrovetError
from .formats import parse_datetime
from .model import issuer_id, verify_recipient
from .proofs import Check
from .proofs.data_integrity import verify_di
from .proofs.jwt import verify_jwt
from .resolve import KeyResolver, OfflineResolver
from .status import check_status

StatusFetcher = Callable[[str], Mapping[str, Any]]
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class Report:
    """``ok`` only when every check passed. ``document`` is the credential (decoded from a JWT if need be)."""

    checks: list[Check] = field(default_factory=list)
    document: dict[str, Any] | None = None
    formats: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def verdict(self) -> str:
        """One line for people: VALID, or INVALID with the first failed check and its reason."""
        if self.ok:
            return f"VALID: {len(self.checks)} checks passed ({'+'.join(self.formats)})"
        first = self.failures[0]
        return f"INVALID: {first.name}: {first.reason} ({len(self.failures)} of {len(self.checks)} checks failed)"

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "formats": list(self.formats),
            "checks": [{"name": c.name, "passed": c.passed, "reason": c.reason} for c in self.checks],
            "id": (self.document or {}).get("id"),
        }


def is_jwt(value: Any) -> bool:
    return isinstance(value, str) and value.count(".") == 2 and value.lstrip().startswith("ey")


def verify(
    credential: Mapping[str, Any] | str,
    *,
    resolver: KeyResolver | None = None,
    recipient_email: str | None = None,
    now: datetime | None = None,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    status_fetcher: StatusFetcher | None = None,
) -> Report:
    """Verify ``credential``; never raises for a bad credential (every problem becomes a failed check)."""
    resolver = resolver or OfflineResolver()
    report = Report()
    document = _proof_checks(credential, resolver, report)
    if document is None:
        return report
    report.document = document
    _schema_check(document, report)
    _safe_mode_check(document, report)
    _validity_check(document, now or datetime.now(UTC), clock_skew, report)
    _status_checks(document, resolver, status_fetcher, now, report)
    if recipient_email is not None:
        matches = verify_recipient(document, recipient_email)
        report.checks.append(
            Check("recipient", matches, "" if matches else "the credential was not issued to this e-mail address")
        )
    _endorsement_checks(document, resolver, now, report)
    return report


def _proof_checks(credential: Mapping[str, Any] | str, resolver: KeyResolver, report: Report) -> dict[str, Any] | None:
    if is_jwt(credential):
        document, checks = verify_jwt(str(credential).strip(), resolver)
        report.checks += [Check(f"jwt: {c.name}", c.passed, c.reason) for c in checks]
        report.formats += ("jwt",)
        if document is None:
            return None
        if "proof" in document:
            report.checks += [
                Check(f"data integrity: {c.name}", c.passed, c.reason) for c in verify_di(document, resolver)
            ]
            report.formats += ("di",)
        return document
    if not isinstance(credential, Mapping):
        report.checks.append(Check("format", False, "neither a JSON object nor a compact VC-JWT"))
        return None
    document = dict(credential)
    report.checks += [Check(f"data integrity: {c.name}", c.passed, c.reason) for c in verify_di(document, resolver)]
    report.formats += ("di",)
    return document


def credential_types(document: Mapping[str, Any]) -> list[str]:
    """``type`` of a credential as a list (JSON-LD allows one string)."""
    value = document.get("type", [])
    return value if isinstance(value, list) else [value]


def _schema_check(document: dict[str, Any], report: Report) -> None:
    kind = "endorsement" if "EndorsementCredential" in credential_types(document) else "achievement"
    if "BitstringStatusListCredential" in credential_types(document):
        return  # no OB 3.0 schema for status lists; safe mode and the proof still apply
    errors = schema.validate(document, kind)
    report.checks.append(Check("json schema", not errors, "; ".join(errors[:3])))


def _safe_mode_check(document: dict[str, Any], report: Report) -> None:
    try:
        check_safe_mode({k: v for k, v in document.items() if k != "proof"})
    except MicrovetError as exc:
        report.checks.append(Check("safe mode", False, str(exc)))
    else:
        report.checks.append(Check("safe mode", True))


def _validity_check(document: dict[str, Any], now: datetime, skew: timedelta, report: Report) -> None:
    try:
        valid_from = parse_datetime(document.get("validFrom", document.get("issuanceDate")), "validFrom")
        valid_until = document.get("validUntil", document.get("expirationDate"))
        until = parse_datetime(valid_until, "validUntil") if valid_until is not None else None
    except DefinitionError as exc:
        report.checks.append(Check("validity period", False, str(exc)))
        return
    if valid_from > now + skew:
        report.checks.append(Check("validity period", False, f"not valid before {valid_from.isoformat()}"))
    elif until is not None and until < now - skew:
        report.checks.append(Check("validity period", False, f"expired on {until.isoformat()}"))
    else:
        report.checks.append(Check("validity period", True))


def _status_entries(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    value = document.get("credentialStatus")
    entries = value if isinstance(value, list) else ([value] if value else [])
    return [e for e in entries if isinstance(e, Mapping)]


def _status_checks(
    document: dict[str, Any], resolver: KeyResolver, fetcher: StatusFetcher | None, now: datetime | None, report: Report
) -> None:
    for entry in _status_entries(document):
        purpose = entry.get("statusPurpose", "status")
        name = f"status ({purpose})"
        url = entry.get("statusListCredential")
        if fetcher is None:
            report.checks.append(
                Check(
                    name,
                    False,
                    f"status list {url} is not available offline; give a copy (microvet verify --resolve-dir) "
                    "or let microvet verify fetch it (without --offline)",
                )
            )
            continue
        try:
            list_credential = dict(fetcher(str(url)))
        except (OSError, ValueError, KeyError, MicrovetError) as exc:
            report.checks.append(Check(name, False, f"status list {url} could not be read: {exc}"))
            continue
        list_report = verify(list_credential, resolver=resolver, now=now)
        if not list_report.ok:
            report.checks.append(Check(name, False, f"status list {url} does not verify: {list_report.verdict()}"))
            continue
        issuer = issuer_id(document)
        if issuer_id(list_credential) != issuer:
            report.checks.append(Check(name, False, "the status list was not issued by the credential's issuer"))
            continue
        try:
            is_set = check_status(entry, list_credential)
        except MicrovetError as exc:
            report.checks.append(Check(name, False, str(exc)))
            continue
        report.checks.append(Check(name, not is_set, f"the credential is {_PAST[purpose]}" if is_set else ""))


_PAST = {"revocation": "revoked", "suspension": "suspended"}


def _embedded_endorsements(document: Mapping[str, Any]) -> list[tuple[str, Any]]:
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    issuer = document.get("issuer")
    places = [("", document), ("issuer.", issuer), ("credentialSubject.achievement.", achievement)]
    found: list[tuple[str, Any]] = []
    for prefix, node in places:
        if isinstance(node, Mapping):
            found += [(f"{prefix}endorsement[{i}]", e) for i, e in enumerate(node.get("endorsement") or [])]
            found += [(f"{prefix}endorsementJwt[{i}]", e) for i, e in enumerate(node.get("endorsementJwt") or [])]
    return found


def _endorsement_checks(document: dict[str, Any], resolver: KeyResolver, now: datetime | None, report: Report) -> None:
    for path, endorsement in _embedded_endorsements(document):
        inner = verify(endorsement, resolver=resolver, now=now)
        report.checks.append(Check(path, inner.ok, "" if inner.ok else inner.verdict()))


def file_status_fetcher(resolve_dir: str | Path) -> StatusFetcher:
    """Read status list credentials from files laid out like their URLs: <dir>/<host>/<path>[.json]."""
    root = Path(resolve_dir)

    def fetch(url: str) -> Mapping[str, Any]:
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s and s not in (".", "..")]
        if not parts.netloc or not segments:
            raise ValueError(f"{url} is not an http(s) URL with a path")
        path = root.joinpath(parts.netloc.replace(":", "_"), *segments)
        for candidate in (path, path.with_name(path.name + ".json")):
            if candidate.is_file():
                return json.loads(candidate.read_text(encoding="utf-8"))
        raise OSError(f"no file {path} or {path}.json")

    return fetch
