"""VC-JWT as Open Badges 3.0 specifies it (section 8.2), signed and checked with PyJWT.

The JWT payload is the credential JSON itself plus the registered claims iss (issuer id),
jti (credential id), nbf (validFrom), sub (credentialSubject.id) and exp (validUntil, if any).
The header holds only alg, kid (or jwk) and typ "JWT"; anything else is rejected on verify,
because an unexpected header (crit, x5u, jku, ...) could change how a verifier finds the key.

The claims are JWT claims, not credential properties: no JSON-LD context defines them, so a safe-mode
JSON-LD processor over the raw payload stops at ``jti``. VC-JOSE-COSE (section 3: JWT claims are
independent of the secured data, and claims not understood MUST be ignored) and OB 3.0 (the payload
*is* the credential, with the claims repeating its fields) agree: a verifier takes the registered
claims out (RFC 7519 section 4.1, all seven) and runs JSON-LD on what remains, the credential.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jwt
from jwt.utils import base64url_decode

from ..dates import xsd_datetime
from ..errors import MicrovetError, SigningError
from ..jwk import JWT_ALGS, PrivateKey, alg_for_key, public_jwk
from ..model import issuer_id
from ..resolve import KeyResolver
from . import Check

CLAIMS = ("iss", "jti", "nbf", "sub", "exp")
#: RFC 7519 section 4.1: never credential properties; removed before any JSON-LD processing.
REGISTERED_CLAIMS = frozenset({*CLAIMS, "iat", "aud"})
_HEADER_MEMBERS = frozenset({"alg", "kid", "jwk", "typ"})


def numeric_date(value: Any, field: str) -> int:
    """XML Schema dateTime with a time zone -> JWT NumericDate (whole seconds since the epoch)."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise SigningError(field, f"{value!r} is not a dateTime with a time zone")
    return int(moment.timestamp())


def _subject_id(credential: Mapping[str, Any]) -> Any:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    return subject.get("id") if isinstance(subject, Mapping) else None


def expected_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The registered claims a credential implies (VC 2.0 names, falling back to the VC 1.1 ones)."""
    claims: dict[str, Any] = {"iss": issuer_id(credential), "sub": _subject_id(credential)}
    if "id" in credential:
        claims["jti"] = credential["id"]
    valid_from = credential.get("validFrom", credential.get("issuanceDate"))
    valid_from_field = "validFrom" if "validFrom" in credential else "issuanceDate"
    claims["nbf"] = numeric_date(valid_from, valid_from_field)
    valid_until_field = "validUntil" if "validUntil" in credential else "expirationDate"
    if valid_until_field in credential:
        claims["exp"] = numeric_date(credential[valid_until_field], valid_until_field)
    return claims


def sign_jwt(document: Mapping[str, Any], key: PrivateKey, kid: str | None, *, embed_jwk: bool = False) -> str:
    """Compact JWS of ``document`` (which may already carry a Data Integrity proof).

    The header names the key by ``kid`` (a verification method id of the issuer), or, with
    ``embed_jwk``, carries the public ``jwk`` instead. VC-JWT needs a subject id: without
    credentialSubject.id there is nothing to put in ``sub`` (SigningError).
    """
    if not isinstance(issuer_id(document), str):
        raise SigningError("issuer.id", "VC-JWT needs the issuer id for the iss claim")
    if not isinstance(_subject_id(document), str) or not _subject_id(document):
        raise SigningError(
            "credentialSubject.id",
            "VC-JWT needs a subject id for the sub claim; issue with a subject id or use the Data Integrity format",
        )
    if not isinstance(document.get("validFrom"), str):
        raise SigningError("validFrom", "VC-JWT needs validFrom for the nbf claim")
    clash = [c for c in CLAIMS if c in document]
    if clash:
        raise SigningError(clash[0], "a credential field has the name of a JWT claim")
    if embed_jwk == (kid is not None):
        raise SigningError("kid", "give either a kid or embed_jwk=True, not both")
    alg = alg_for_key(key)
    header: dict[str, Any] = {"typ": "JWT"} | ({"jwk": public_jwk(key)} if embed_jwk else {"kid": kid})
    payload = dict(document) | expected_claims(document)
    return jwt.encode(payload, key, algorithm=alg, headers=header)


def verify_jwt(token: str, resolver: KeyResolver) -> tuple[dict[str, Any] | None, list[Check]]:
    """Check header, signature and claims of a VC-JWT; return the credential (claims removed) and checks.

    Time validity (nbf/exp against now) is not judged here: the credential's validFrom/validUntil are,
    by ``badge_issuer.verify``, with the caller's clock. Here nbf/exp must only equal those fields.
    """
    try:
        # PyJWT parses the header and checks the token's shape (three segments, base64url, a JSON object);
        # from 2.12 it also refuses a crit it does not support, which 2.10 (Teak, Ulmo) leaves to our
        # allow-list below: either way such a token is refused.
        header = jwt.get_unverified_header(token)
        header_check = _header_check(header)
        # Only to find the issuer's key: the signed decode below checks the whole token (once: PyJWT's
        # segment validation costs more than the signature, so it does not run twice).
        unverified = json.loads(base64url_decode(token.split(".")[1])) if header_check.passed else {}
        if not isinstance(unverified, dict):
            raise ValueError("the payload is not a JSON object")
    except (ValueError, jwt.PyJWTError) as exc:
        return None, [Check("jwt well formed", False, f"not a compact JWS: {exc}")]
    checks = [Check("jwt well formed", True), header_check]
    if not header_check.passed:
        return None, checks

    issuer_id = unverified.get("iss")
    key = None
    try:
        if not isinstance(issuer_id, str):
            raise SigningError("iss", "the JWT has no issuer claim")
        jwk = header.get("jwk")
        key = resolver.resolve_jwt_key(issuer_id, kid=header.get("kid"), jwk=jwk if isinstance(jwk, dict) else None)
    except MicrovetError as exc:
        checks.append(Check("key resolvable", False, str(exc)))
    else:
        checks.append(Check("key resolvable", True))

    if key is None:
        checks.append(Check("signature valid", False, "not checked: the key was not found"))
        return None, checks
    try:
        alg = alg_for_key(key.public_key)
        if header.get("alg") != alg:
            raise jwt.InvalidAlgorithmError(f"header alg {header.get('alg')!r} does not match the {alg} key")
        payload = jwt.decode(
            token,
            key.public_key,
            algorithms=[alg],
            options={
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
                "verify_iss": False,
                "verify_sub": False,
                "verify_jti": False,
            },
        )
    except (jwt.PyJWTError, MicrovetError) as exc:
        checks.append(Check("signature valid", False, f"{exc}"))
        return None, checks
    checks.append(Check("signature valid", True))

    if isinstance(payload.get("vc"), dict):
        credential = _from_vc_claim(payload)
    else:
        credential = {k: v for k, v in payload.items() if k not in REGISTERED_CLAIMS}
    checks.append(_claims_check(payload, credential))
    return credential, checks


def _from_vc_claim(payload: Mapping[str, Any]) -> dict[str, Any]:
    """VC 1.1 JWT encoding: the credential is ``vc``; claims stand for the properties it may omit."""
    credential = dict(payload["vc"])
    if "jti" in payload:
        credential.setdefault("id", payload["jti"])
    if "iss" in payload:
        credential.setdefault("issuer", payload["iss"])
    subject = credential.get("credentialSubject")
    if "sub" in payload and isinstance(subject, dict):
        credential["credentialSubject"] = {"id": payload["sub"]} | subject
    for claim, name, v2_name in (("nbf", "issuanceDate", "validFrom"), ("exp", "expirationDate", "validUntil")):
        if isinstance(payload.get(claim), int) and name not in credential and v2_name not in credential:
            credential[name] = xsd_datetime(datetime.fromtimestamp(payload[claim], UTC))
    return credential


def _header_check(header: Mapping[str, Any]) -> Check:
    extra = sorted(set(header) - _HEADER_MEMBERS)
    if extra:
        return Check(
            "jwt header", False, f"unexpected header member {extra[0]!r}; only alg, kid|jwk and typ are allowed"
        )
    if header.get("typ") != "JWT":
        return Check("jwt header", False, f"typ is {header.get('typ')!r}, must be 'JWT'")
    if header.get("alg") not in JWT_ALGS:
        return Check("jwt header", False, f"alg {header.get('alg')!r} is not one of {', '.join(JWT_ALGS)}")
    if ("kid" in header) == ("jwk" in header):
        return Check("jwt header", False, "exactly one of kid and jwk must name the key")
    if "jwk" in header and (not isinstance(header["jwk"], dict) or "d" in header["jwk"]):
        return Check("jwt header", False, "jwk must be a public JWK object")
    return Check("jwt header", True)


def _claims_check(payload: Mapping[str, Any], credential: Mapping[str, Any]) -> Check:
    try:
        expected = expected_claims(credential)
    except SigningError as exc:
        return Check("jwt claims match credential", False, str(exc))
    for claim in CLAIMS:
        if payload.get(claim) != expected.get(claim):
            return Check(
                "jwt claims match credential",
                False,
                f"claim {claim}={payload.get(claim)!r} but the credential says {expected.get(claim)!r}",
            )
    return Check("jwt claims match credential", True)
