"""Multibase (base58btc, prefix ``z``) and Multikey encodings of Ed25519 keys.

Base58btc comes from the ``base58`` package (PyPI ``base58`` 2.1.1): a small, pure-Python,
widely used codec whose algorithm is frozen (the Bitcoin alphabet never changes), so its release
age is not a maintenance risk. ``multiformats`` would also do it but drags in a plugin registry and
its own varint/CID machinery for a fixed two-byte prefix, which is simply a constant here.
"""

from __future__ import annotations

import base58

from .errors import KeyMaterialError

#: Multicodec varint prefix of an Ed25519 public key (https://github.com/multiformats/multicodec/blob/master/table.csv).
ED25519_PUB_PREFIX = b"\xed\x01"
BASE58BTC = "z"


def encode(data: bytes) -> str:
    """Multibase base58btc: ``z`` + base58 (Bitcoin alphabet)."""
    return BASE58BTC + base58.b58encode(data).decode("ascii")


def decode(value: str, *, subject: str = "multibase") -> bytes:
    """Inverse of :func:`encode`; only base58btc is accepted (the only base VC proofs use)."""
    if not isinstance(value, str) or not value.startswith(BASE58BTC):
        raise KeyMaterialError(subject, "expected a base58btc multibase string starting with 'z'")
    try:
        return base58.b58decode(value[1:])
    except ValueError as exc:
        raise KeyMaterialError(subject, f"not valid base58btc: {exc}") from exc


def public_key_multibase(raw_public_key: bytes) -> str:
    """``publicKeyMultibase`` of an Ed25519 Multikey: z + base58(0xed01 || 32-byte key)."""
    if len(raw_public_key) != 32:
        raise KeyMaterialError("publicKeyMultibase", "an Ed25519 public key has 32 bytes")
    return encode(ED25519_PUB_PREFIX + raw_public_key)


def public_key_from_multibase(value: str) -> bytes:
    """The raw 32-byte Ed25519 public key inside a ``z6Mk...`` Multikey."""
    data = decode(value, subject="publicKeyMultibase")
    if data[:2] != ED25519_PUB_PREFIX or len(data) != 34:
        raise KeyMaterialError("publicKeyMultibase", "not an Ed25519 public Multikey (0xed01 + 32 bytes)")
    return data[2:]
