"""W3C Bitstring Status List: revocation and suspension of issued credentials.

Pure values and functions; where the lists live is the caller's business (the Django app keeps
them in its database, the command line in ``FileStatusStore``). Signing a list credential is done
by the caller with ``badge_issuer.proofs``. Bit order follows the spec: index 0 is the most
significant (left-most) bit of byte 0. Indexes are drawn at random so that an index says nothing
about issue order (herd privacy, BSL §5).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import os
import re
import secrets
import zlib
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from random import Random
from typing import Any

from .contexts import VC_V2
from .dates import xsd_datetime
from .errors import StatusListError
from .files import write_atomic

PURPOSES = ("revocation", "suspension")
#: 16 KiB uncompressed: the spec's minimum, so one list hides each holder among 131,072.
MIN_SIZE = 131_072
#: Refuse to inflate more than this (a gzip bomb in a fetched list must not eat the memory).
MAX_BYTES = 16 * 1024 * 1024
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
#: Random draws before falling back to a scan; a list is practically never that full.
_DRAWS = 64


@dataclass
class StatusList:
    """One status list: ``size`` bits for one ``purpose``, all clear when new."""

    purpose: str
    size: int = MIN_SIZE
    bits: bytearray = field(default_factory=bytearray, repr=False)

    def __post_init__(self) -> None:
        _check_purpose(self.purpose, "statusPurpose")
        if not isinstance(self.size, int) or self.size < MIN_SIZE or self.size % 8:
            raise StatusListError("size", f"{self.size!r} must be a multiple of 8 and at least {MIN_SIZE}")
        if not self.bits:
            self.bits = bytearray(self.size // 8)
        elif len(self.bits) * 8 != self.size:
            raise StatusListError("bits", f"{len(self.bits) * 8} bits given for a list of size {self.size}")

    @classmethod
    def from_encoded(cls, purpose: str, encoded: str) -> StatusList:
        bits = decode(encoded)
        return cls(purpose, len(bits) * 8, bits)

    def _locate(self, index: int) -> tuple[int, int]:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.size:
            raise StatusListError("statusListIndex", f"{index!r} is outside the list (0..{self.size - 1})")
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        byte, mask = self._locate(index)
        return bool(self.bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        byte, mask = self._locate(index)
        if value:
            self.bits[byte] |= mask
        else:
            self.bits[byte] &= ~mask & 0xFF

    def clear(self, index: int) -> None:
        self.set(index, False)

    def allocate(self, taken: Container[int], rng: Random | None = None) -> int:
        """A random index that is neither in ``taken`` (already given out) nor set.

        A set bit is never handed out, so a new credential cannot be born revoked even if the
        caller's record of ``taken`` is incomplete.
        """
        rng = rng or secrets.SystemRandom()
        for _ in range(_DRAWS):
            index = rng.randrange(self.size)
            if index not in taken and not self.get(index):
                return index
        start = rng.randrange(self.size)
        for offset in range(self.size):
            index = (start + offset) % self.size
            if index not in taken and not self.get(index):
                return index
        raise StatusListError(
            "statusListIndex", f"the {self.purpose} list is full ({self.size} entries); start a new list"
        )

    def revoke(self, index: int) -> None:
        """Revocation is final: there is no way back (BSL: a revoked credential stays revoked)."""
        self._require("revocation", "revoke")
        self.set(index)

    def suspend(self, index: int) -> None:
        self._require("suspension", "suspend")
        self.set(index)

    def reinstate(self, index: int) -> None:
        """Lift a suspension. Only suspension lists allow it; revocation is final."""
        if self.purpose == "revocation":
            raise StatusListError("statusPurpose", "revocation is final; only a suspension can be lifted")
        self.clear(index)

    def _require(self, purpose: str, action: str) -> None:
        if self.purpose != purpose:
            raise StatusListError("statusPurpose", f"cannot {action} on a {self.purpose} list; use a {purpose} list")

    def encode(self) -> str:
        """``u`` + base64url-nopad(GZIP(bitstring)), the multibase form ``encodedList`` requires."""
        packed = gzip.compress(bytes(self.bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> bytearray:
    """The bitstring of an ``encodedList``; every malformed input raises StatusListError."""
    subject = "encodedList"
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError(subject, "must be a string starting with the multibase prefix 'u' (base64url)")
    body = encoded[1:]
    if not _BASE64URL.fullmatch(body) or len(body) % 4 == 1:
        raise StatusListError(subject, "is not unpadded base64url")
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except binascii.Error as exc:
        raise StatusListError(subject, f"is not base64url: {exc}") from exc
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing only
    try:
        bits = inflater.decompress(packed, MAX_BYTES + 1)
    except zlib.error as exc:
        raise StatusListError(subject, f"is not GZIP data: {exc}") from exc
    if len(bits) > MAX_BYTES:
        raise StatusListError(subject, f"inflates to more than {MAX_BYTES} bytes")
    if not inflater.eof:
        raise StatusListError(subject, "GZIP data is truncated")
    if inflater.unused_data:
        raise StatusListError(subject, "has data after the GZIP stream")
    if len(bits) * 8 < MIN_SIZE:
        raise StatusListError(subject, f"holds {len(bits) * 8} bits; the minimum is {MIN_SIZE}")
    return bytearray(bits)


def _check_purpose(purpose: Any, subject: str) -> str:
    if purpose not in PURPOSES:
        raise StatusListError(subject, f"{purpose!r} is not one of {', '.join(PURPOSES)}")
    return purpose


def _check_list_url(url: Any, subject: str) -> str:
    if not isinstance(url, str) or not re.fullmatch(r"https?://[^\s#]+", url):
        raise StatusListError(subject, f"{url!r} must be an absolute http(s) URL without a fragment")
    return url


def status_entry(list_url: str, index: int, purpose: str) -> dict[str, Any]:
    """The ``credentialStatus`` entry pointing at ``index`` of the list published at ``list_url``."""
    _check_list_url(list_url, "statusListCredential")
    _check_purpose(purpose, "statusPurpose")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusListError("statusListIndex", f"{index!r} must be a non-negative integer")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    list_url: str,
    issuer_id: str,
    purpose: str,
    encoded: str,
    valid_from: datetime | str,
    *,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` to publish at ``list_url`` (sign it with proofs)."""
    _check_list_url(list_url, "id")
    _check_purpose(purpose, "statusPurpose")
    decode(encoded)
    if not isinstance(issuer_id, str) or ":" not in issuer_id:
        raise StatusListError("issuer", f"{issuer_id!r} must be an absolute URI")
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": encoded,
    }
    if ttl_ms is not None:
        if isinstance(ttl_ms, bool) or not isinstance(ttl_ms, int) or ttl_ms <= 0:
            raise StatusListError("ttl", f"{ttl_ms!r} must be a positive number of milliseconds")
        subject["ttl"] = ttl_ms
    return {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer_id,
        "validFrom": xsd_datetime(valid_from, "validFrom"),
        "credentialSubject": subject,
    }


def _types(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def check_status(entry: Mapping[str, Any], list_credential: Mapping[str, Any]) -> bool:
    """Whether the bit for ``entry`` is set in ``list_credential`` (True = revoked or suspended).

    Checks only that the two belong together; the caller verifies the list credential's proof,
    issuer and validity period first.
    """
    if not isinstance(entry, Mapping) or entry.get("type") != ENTRY_TYPE:
        raise StatusListError("credentialStatus.type", f"must be {ENTRY_TYPE!r}")
    purpose = _check_purpose(entry.get("statusPurpose"), "credentialStatus.statusPurpose")
    url = _check_list_url(entry.get("statusListCredential"), "credentialStatus.statusListCredential")
    raw_index = entry.get("statusListIndex")
    if not isinstance(raw_index, str) or not raw_index.isdecimal() or not raw_index.isascii():
        raise StatusListError("credentialStatus.statusListIndex", f"{raw_index!r} must be a decimal string")
    if entry.get("statusSize", 1) != 1:
        raise StatusListError("credentialStatus.statusSize", "only 1-bit statuses are supported")
    if not isinstance(list_credential, Mapping) or LIST_CREDENTIAL_TYPE not in _types(list_credential.get("type")):
        raise StatusListError("statusListCredential.type", f"must contain {LIST_CREDENTIAL_TYPE!r}")
    if list_credential.get("id") != url:
        raise StatusListError(
            "statusListCredential.id", f"{list_credential.get('id')!r} is not the list the entry names ({url!r})"
        )
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != "BitstringStatusList":
        raise StatusListError("statusListCredential.credentialSubject.type", "must be 'BitstringStatusList'")
    if subject.get("statusPurpose") != purpose:
        raise StatusListError(
            "statusListCredential.credentialSubject.statusPurpose",
            f"{subject.get('statusPurpose')!r} does not match the entry's {purpose!r}",
        )
    status_list = StatusList.from_encoded(purpose, subject.get("encodedList"))
    return status_list.get(int(raw_index))


@dataclass
class StoredList:
    """A status list as the command line keeps it: the bits and the indexes given out."""

    name: str
    status_list: StatusList
    allocated: set[int]


class FileStatusStore:
    """Status lists as JSON files in one directory, each written atomically (temp file + rename).

    One writer at a time: the command line is the only user, so there is no locking.
    """

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)

    def _path(self, name: str) -> Path:
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", name):
            raise StatusListError("name", f"{name!r} must be 1-64 lower-case letters, digits, '-' or '_'")
        return self.directory / f"{name}.json"

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.directory.glob("*.json"))

    def create(self, name: str, purpose: str, size: int = MIN_SIZE) -> StoredList:
        path = self._path(name)
        if path.exists():
            raise StatusListError(str(path), "a status list with this name already exists")
        stored = StoredList(name, StatusList(purpose, size), set())
        self.save(stored)
        return stored

    def load(self, name: str) -> StoredList:
        path = self._path(name)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            status_list = StatusList.from_encoded(data["purpose"], data["encodedList"])
            allocated = {int(i) for i in data["allocated"]}
        except FileNotFoundError as exc:
            raise StatusListError(str(path), "no such status list") from exc
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StatusListError(str(path), f"unreadable status list file: {exc}") from exc
        except StatusListError as exc:
            raise StatusListError(str(path), f"{exc.subject}: {exc.reason}") from exc
        return StoredList(name, status_list, allocated)

    def save(self, stored: StoredList) -> None:
        path = self._path(stored.name)
        self.directory.mkdir(parents=True, exist_ok=True)
        data = {
            "purpose": stored.status_list.purpose,
            "encodedList": stored.status_list.encode(),
            "allocated": sorted(stored.allocated),
        }
        write_atomic(path, json.dumps(data).encode("utf-8"))

    def allocate(self, name: str, rng: Random | None = None) -> int:
        stored = self.load(name)
        index = stored.status_list.allocate(stored.allocated, rng)
        stored.allocated.add(index)
        self.save(stored)
        return index

    def apply(self, name: str, index: int, action: str) -> StoredList:
        """``action`` is revoke, suspend or reinstate; only allocated indexes can change."""
        stored = self.load(name)
        if index not in stored.allocated:
            raise StatusListError("statusListIndex", f"{index} was never allocated in list {name!r}")
        operations = {
            "revoke": stored.status_list.revoke,
            "suspend": stored.status_list.suspend,
            "reinstate": stored.status_list.reinstate,
        }
        if action not in operations:
            raise StatusListError("action", f"{action!r} is not one of {', '.join(operations)}")
        operations[action](index)
        self.save(stored)
        return stored
