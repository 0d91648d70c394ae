"""The wallet's key proof (OID4VCI 1.0 Appendix F.1, ``openid4vci-proof+jwt``) and the holder's DID.

Framework-free. The holder key comes from the JWT header: a ``kid`` that is a did:key or did:jwk
URL, or a bare ``jwk`` (which becomes a did:jwk, so ``credentialSubject.id`` is always a DID).
PyJWT checks the signature; the claims (aud, iat, nonce) are checked here against the issuer's
values. Only EdDSA (Ed25519) and ES256 (P-256) are accepted: an RSA did:jwk would not fit the
255-character subject column, and no wallet we know proves with RSA.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from badge_issuer import multibase
from badge_issuer.errors import KeyMaterialError
from badge_issuer.jwk import PublicKey, alg_for_key, public_jwk, public_key_from_jwk

PROOF_TYPE = "openid4vci-proof+jwt"
PROOF_ALGS = ("EdDSA", "ES256")
#: How far a proof's ``iat`` may lie in the past (the nonce expires sooner anyway) and in the future.
MAX_AGE_SECONDS = 300
MAX_SKEW_SECONDS = 60
_P256_PREFIX = b"\x80\x24"  # multicodec p256-pub (0x1200) as a varint
_HEADER_MEMBERS = frozenset({"alg", "typ", "kid", "jwk"})


class ProofError(ValueError):
    """The proof is refused; ``error`` is the OAuth error code to answer with."""

    def __init__(self, error: str, description: str):
        self.error, self.description = error, description
        super().__init__(f"{error}: {description}")


@dataclass(frozen=True)
class Holder:
    did: str
    public_key: PublicKey


def did_jwk(jwk: Mapping[str, Any]) -> str:
    """did:jwk of a public JWK (only its public members, in a fixed order)."""
    members = public_jwk(public_key_from_jwk(jwk))
    encoded = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return "did:jwk:" + base64.urlsafe_b64encode(encoded).rstrip(b"=").decode()


def _b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _did_key_public_key(identifier: str) -> PublicKey:
    data = multibase.decode(identifier, subject="did:key")
    if data[:2] == multibase.ED25519_PUB_PREFIX and len(data) == 34:
        return ed25519.Ed25519PublicKey.from_public_bytes(data[2:])
    if data[:2] == _P256_PREFIX and len(data) == 35:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), data[2:])
    raise KeyMaterialError("did:key", "only Ed25519 and P-256 did:key holders are supported")


def resolve_holder(header: Mapping[str, Any]) -> Holder:
    """The holder DID and public key named by a proof header (nothing is fetched)."""
    kid, jwk = header.get("kid"), header.get("jwk")
    if (kid is None) == (jwk is None):
        raise ProofError("invalid_proof", "the proof header must carry exactly one of kid and jwk")
    try:
        if jwk is not None:
            if not isinstance(jwk, Mapping):
                raise KeyMaterialError("jwk", "must be a JSON object")
            return Holder(did_jwk(jwk), public_key_from_jwk(jwk))
        if not isinstance(kid, str):
            raise KeyMaterialError("kid", "must be a DID URL")
        did, _sep, fragment = kid.partition("#")
        if did.startswith("did:key:"):
            identifier = did.removeprefix("did:key:")
            if fragment and fragment != identifier:
                raise KeyMaterialError("kid", "a did:key fragment must repeat the key")
            return Holder(did, _did_key_public_key(identifier))
        if did.startswith("did:jwk:"):
            if fragment not in ("", "0"):
                raise KeyMaterialError("kid", "a did:jwk key is #0")
            document = json.loads(_b64url(did.removeprefix("did:jwk:")))
            return Holder(did_jwk(document), public_key_from_jwk(document))
        raise KeyMaterialError("kid", "only did:key and did:jwk holders are supported (nothing is resolved online)")
    except (KeyMaterialError, ValueError, TypeError) as exc:  # binascii.Error and JSON errors are ValueErrors
        raise ProofError("invalid_proof", f"holder key: {exc}") from None


def verify_proof(token: Any, *, audience: str, now: float) -> tuple[Holder, str]:
    """Check a proof JWT's header, signature, ``aud`` and ``iat``; return the holder and its ``nonce``.

    The nonce is returned, not judged: the caller consumes it (single use) after every other check.
    """
    if not isinstance(token, str) or token.count(".") != 2:
        raise ProofError("invalid_proof", "the proof must be a compact JWT")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise ProofError("invalid_proof", f"unreadable proof header: {exc}") from None
    if header.get("typ") != PROOF_TYPE:
        raise ProofError("invalid_proof", f"the proof's typ must be {PROOF_TYPE}")
    if header.get("alg") not in PROOF_ALGS:
        raise ProofError("invalid_proof", f"the proof's alg must be one of {', '.join(PROOF_ALGS)}")
    extra = sorted(set(header) - _HEADER_MEMBERS)
    if extra:  # x5c, key_attestation, trust_chain: not supported, so never silently ignored
        raise ProofError("invalid_proof", f"unsupported proof header member {extra[0]}")
    holder = resolve_holder(header)
    try:
        if alg_for_key(holder.public_key) != header["alg"]:
            raise ProofError("invalid_proof", "the proof's alg does not match the holder key")
    except KeyMaterialError as exc:
        raise ProofError("invalid_proof", str(exc)) from None
    try:
        claims = jwt.decode(
            token,
            holder.public_key,
            algorithms=[header["alg"]],
            audience=audience,
            options={"require": ["aud", "iat"], "verify_iat": False, "verify_exp": True, "verify_nbf": True},
        )
    except jwt.InvalidAudienceError:
        raise ProofError("invalid_proof", f"the proof's aud must be {audience}") from None
    except jwt.PyJWTError as exc:
        raise ProofError("invalid_proof", f"proof rejected: {exc}") from None
    iat = claims["iat"]
    if isinstance(iat, bool) or not isinstance(iat, (int, float)):
        raise ProofError("invalid_proof", "the proof's iat must be a number")
    if iat > now + MAX_SKEW_SECONDS or iat < now - MAX_AGE_SECONDS:
        raise ProofError("invalid_proof", "the proof's iat is outside the accepted time window")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise ProofError("invalid_nonce", "the proof carries no nonce; ask the nonce endpoint for one")
    return holder, nonce
