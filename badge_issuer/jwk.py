"""Key conversions: public JWKs (PyJWT's), JOSE algorithms, did:key identifiers, new keys per algorithm.

The only place that knows which key types the package accepts: Ed25519 (EdDSA), P-256 (ES256) and
RSA of at least 2048 bits (RS256). A JWK with a private member is never produced nor accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from . import multibase
from .errors import KeyMaterialError

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey
JwtAlg = Literal["EdDSA", "ES256", "RS256"]
JWT_ALGS: tuple[str, ...] = ("EdDSA", "ES256", "RS256")
RSA_BITS = 3072  # above the 2048-bit floor, the NIST size for use beyond 2030


def raw_ed25519(key: PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key (what a Multikey and a did:key encode)."""
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise KeyMaterialError("publicKeyMultibase", "only Ed25519 keys are published as Multikey")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_jwk(key: PublicKey | PrivateKey) -> dict[str, Any]:
    """Public JWK of a key (private members are never produced, even from a private key)."""
    if isinstance(key, (ed25519.Ed25519PrivateKey, rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        key = key.public_key()
    if isinstance(key, ed25519.Ed25519PublicKey):
        jwk = OKPAlgorithm.to_jwk(key, as_dict=True)
    elif isinstance(key, rsa.RSAPublicKey):
        jwk = RSAAlgorithm.to_jwk(key, as_dict=True)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        jwk = ECAlgorithm.to_jwk(key, as_dict=True)
    else:
        raise KeyMaterialError("jwk", f"unsupported key type {type(key).__name__}")
    return {k: v for k, v in jwk.items() if k in _PUBLIC_MEMBERS}


_PUBLIC_MEMBERS = frozenset({"kty", "crv", "x", "y", "n", "e"})


def public_key_from_jwk(jwk: Mapping[str, Any], *, subject: str = "jwk") -> PublicKey:
    """Parse a public JWK (OKP Ed25519, EC P-256, RSA); a JWK with a private member is refused."""
    if not isinstance(jwk, Mapping):
        raise KeyMaterialError(subject, "a JWK must be a JSON object")
    if "d" in jwk or "p" in jwk:
        raise KeyMaterialError(subject, "contains private key members; only public JWKs are accepted")
    kty = jwk.get("kty")
    try:
        if kty == "OKP" and jwk.get("crv") == "Ed25519":
            key = OKPAlgorithm.from_jwk(dict(jwk))
        elif kty == "EC" and jwk.get("crv") == "P-256":
            key = ECAlgorithm.from_jwk(dict(jwk))
        elif kty == "RSA":
            key = RSAAlgorithm.from_jwk(dict(jwk))
        else:
            raise KeyMaterialError(subject, f"unsupported key type kty={kty!r} crv={jwk.get('crv')!r}")
    except (ValueError, KeyError, TypeError) as exc:  # PyJWT raises InvalidKeyError (a ValueError subclass)
        raise KeyMaterialError(subject, f"not a valid public JWK: {exc}") from exc
    return key  # type: ignore[return-value]


def alg_for_key(key: PublicKey | PrivateKey) -> str:
    """JOSE alg for a key: Ed25519 -> EdDSA, P-256 -> ES256, RSA (>= 2048 bits) -> RS256."""
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "EdDSA"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        if not isinstance(key.curve, ec.SECP256R1):
            raise KeyMaterialError("alg", f"EC curve {key.curve.name} is not supported; use P-256 (ES256)")
        return "ES256"
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        if key.key_size < 2048:
            raise KeyMaterialError("alg", f"RSA key of {key.key_size} bits is too short; RS256 needs >= 2048")
        return "RS256"
    raise KeyMaterialError("alg", f"unsupported key type {type(key).__name__}")


def did_key_from_public_key(key: ed25519.Ed25519PublicKey) -> str:
    """did:key of an Ed25519 public key: ``did:key:`` + its publicKeyMultibase."""
    return "did:key:" + multibase.public_key_multibase(raw_ed25519(key))


def new_private_key(alg: str) -> PrivateKey:
    """A fresh private key for a JOSE alg (RSA keys of RSA_BITS bits)."""
    if alg == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if alg == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    raise KeyMaterialError("jwt_alg", f"{alg!r} is not supported; use one of {', '.join(JWT_ALGS)}")
