"""Secret Ed25519 Multikeys, as the published test vectors give their private keys (the package never
reads or writes a secret key in this form: its private keys are PKCS#8 PEM files)."""

from __future__ import annotations

from badge_issuer import multibase
from badge_issuer.errors import KeyMaterialError

#: Multicodec varint prefix of an Ed25519 private key (https://github.com/multiformats/multicodec).
ED25519_PRIV_PREFIX = b"\x80\x26"


def secret_key_multibase(seed: bytes) -> str:
    """``secretKeyMultibase`` of an Ed25519 Multikey: z + base58(0x8026 || 32-byte seed)."""
    if len(seed) != 32:
        raise KeyMaterialError("secretKeyMultibase", "an Ed25519 private key seed has 32 bytes")
    return multibase.encode(ED25519_PRIV_PREFIX + seed)


def seed_from_secret_multibase(value: str) -> bytes:
    """The 32-byte Ed25519 seed of a secret Multikey; accepts the 64-byte seed||public form too."""
    data = multibase.decode(value, subject="secretKeyMultibase")
    if data[:2] != ED25519_PRIV_PREFIX or len(data) not in (34, 66):
        raise KeyMaterialError("secretKeyMultibase", "not an Ed25519 secret Multikey (0x8026 + 32 or 64 bytes)")
    return data[2:34]
