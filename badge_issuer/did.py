"""Syntax of the DIDs the project accepts from outside (learners' holder DIDs, alliance members).

Only syntax: resolving a DID is ``keys.KeyResolver``'s job. did:key must be a multibase base58btc
key; did:web a lower-case host name (optionally a %3A-encoded port) and optional path segments.
"""

from __future__ import annotations

import re

DID_KEY_RE = re.compile(r"^did:key:z[1-9A-HJ-NP-Za-km-z]{32,128}$")
DID_WEB_RE = re.compile(
    r"^did:web:(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?:%3[Aa][0-9]{1,5})?(?::[A-Za-z0-9._~-]+)*$"
)


def is_did_key(value: str) -> bool:
    return bool(DID_KEY_RE.match(value))


def is_did_web(value: str) -> bool:
    return bool(DID_WEB_RE.match(value))


def valid_did(value: str) -> bool:
    """did:key or did:web, well formed."""
    return is_did_key(value) or is_did_web(value)
