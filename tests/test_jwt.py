"""VC-JWT (OB 3.0 section 8.2): round trips for every algorithm, strict headers, claims that must match."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from badge_issuer.errors import KeyMaterialError, SigningError
from badge_issuer.issuer_keys import IssuerKeys
from badge_issuer.keystore import generate_issuer
from badge_issuer.proofs.data_integrity import sign_di, verify_di
from badge_issuer.proofs.jwt import expected_claims, sign_jwt, verify_jwt
from badge_issuer.resolve import OfflineResolver, publish
from tests.conftest import OB3_DATA

ISSUERS = [("key", "EdDSA"), ("web", "ES256"), ("https", "RS256"), ("web", "EdDSA")]


@pytest.fixture(scope="module")
def issuers(tmp_path_factory) -> dict[str, tuple[IssuerKeys, OfflineResolver]]:
    root = tmp_path_factory.mktemp("jwt")
    made = {}
    for method, alg in ISSUERS:
        issuer = generate_issuer(
            root / f"{method}-{alg}",
            did=method,
            domain=f"{method}-{alg}.example".lower(),
            path="issuers/aurora",
            jwt_alg=alg,
            profile={"name": "Aurora VET"},
        )
        if method != "key":
            publish(issuer, root / "resolve")
        made[f"{method}-{alg}"] = issuer
    resolver = OfflineResolver(root / "resolve")
    return {name: (issuer, resolver) for name, issuer in made.items()}


@pytest.fixture(params=[f"{m}-{a}" for m, a in ISSUERS])
def signer(request, issuers):
    return issuers[request.param]


def credential(issuer: IssuerKeys, **changes) -> dict:
    document = json.loads((OB3_DATA / "test-vectors" / "ob3-eddsa-rdfc-2022" / "unsigned.json").read_text())
    return document | {"issuer": issuer.issuer_profile(), "validUntil": "2030-01-01T00:00:00Z"} | changes


def _failed(checks) -> dict[str, str]:
    return {c.name: c.reason for c in checks if not c.passed}


def _segment(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_round_trip_with_exact_header_and_claims(signer):
    issuer, resolver = signer
    document = credential(issuer)
    token = sign_jwt(document, issuer.jwt_key, issuer.jwt_kid)
    header, payload = (_segment(p) for p in token.split(".")[:2])
    assert header == {"alg": issuer.jwt_alg, "kid": issuer.jwt_kid, "typ": "JWT"}
    assert payload == document | {
        "iss": issuer.issuer_id,
        "jti": "http://example.com/credentials/3527",
        "sub": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "nbf": int(datetime(2010, 1, 1, tzinfo=UTC).timestamp()),
        "exp": int(datetime(2030, 1, 1, tzinfo=UTC).timestamp()),
    }
    decoded, checks = verify_jwt(token, resolver)
    assert _failed(checks) == {}
    assert decoded == document


def test_embedded_jwk_header_round_trip(signer):
    issuer, resolver = signer
    token = sign_jwt(credential(issuer), issuer.jwt_key, None, embed_jwk=True)
    header = jwt.get_unverified_header(token)
    assert set(header) == {"alg", "jwk", "typ"} and "d" not in header["jwk"]
    assert _failed(verify_jwt(token, resolver)[1]) == {}


def test_data_integrity_then_jwt(issuers):
    issuer, resolver = issuers["web-ES256"]
    signed = sign_di(credential(issuer), issuer.di_key, issuer.di_verification_method)
    decoded, checks = verify_jwt(sign_jwt(signed, issuer.jwt_key, issuer.jwt_kid), resolver)
    assert _failed(checks) == {} and decoded == signed
    assert {c.name for c in verify_di(decoded, resolver) if not c.passed} == set()


def test_no_subject_id_is_refused_naming_the_field(issuers):
    issuer, _ = issuers["key-EdDSA"]
    document = credential(issuer)
    document["credentialSubject"] = {k: v for k, v in document["credentialSubject"].items() if k != "id"}
    with pytest.raises(SigningError) as error:
        sign_jwt(document, issuer.jwt_key, issuer.jwt_kid)
    assert error.value.subject == "credentialSubject.id"


def test_swapped_key_fails_the_signature(issuers):
    issuer, resolver = issuers["https-RS256"]
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    checks = verify_jwt(sign_jwt(credential(issuer), stranger, issuer.jwt_kid), resolver)[1]
    assert set(_failed(checks)) == {"signature valid"}


def test_stranger_jwk_header_is_not_a_key_of_the_issuer(issuers):
    issuer, resolver = issuers["web-ES256"]
    token = sign_jwt(credential(issuer), ec.generate_private_key(ec.SECP256R1()), None, embed_jwk=True)
    failed = _failed(verify_jwt(token, resolver)[1])
    assert "not in the JWKS" in failed["key resolvable"] and "signature valid" in failed


def test_did_key_issuer_rejects_another_did_key(issuers, tmp_path):
    issuer, resolver = issuers["key-EdDSA"]
    other = generate_issuer(tmp_path, did="key", profile={"name": "Impostor"})
    failed = _failed(verify_jwt(sign_jwt(credential(issuer), other.jwt_key, other.jwt_kid), resolver)[1])
    assert "has only the key" in failed["key resolvable"]


def _verify_with_headers(issuers, headers: dict):
    """verify_jwt of a genuine token whose header also holds ``headers``."""
    issuer, resolver = issuers["web-EdDSA"]
    document = credential(issuer)
    token = jwt.encode(
        document | expected_claims(document),
        issuer.jwt_key,
        algorithm="EdDSA",
        headers={"typ": "JWT", "kid": issuer.jwt_kid} | headers,
    )
    return verify_jwt(token, resolver)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"jku": "https://attacker.example/jwks.json"}, "unexpected header member 'jku'"),
        ({"x5u": "https://attacker.example/cert.pem"}, "unexpected header member 'x5u'"),
        ({"typ": "vc+jwt"}, "typ is 'vc+jwt'"),
    ],
)
def test_header_members_beyond_alg_kid_typ_are_rejected(issuers, headers, reason):
    decoded, checks = _verify_with_headers(issuers, headers)
    assert reason in _failed(checks)["jwt header"] and decoded is None


@pytest.mark.parametrize("crit", [["b64"], ["exp"], "b64"])
def test_a_critical_header_extension_is_refused(issuers, crit):
    """PyJWT >= 2.12 refuses the crit itself (the token is not well formed); 2.10 (Teak, Ulmo) parses it
    and our allow-list refuses the member. Either way nothing after the header is checked."""
    decoded, checks = _verify_with_headers(issuers, {"crit": crit})
    (failed,) = _failed(checks).values()
    assert decoded is None and "crit" in failed.lower()
    assert [c.name for c in checks][-1] in {"jwt well formed", "jwt header"}


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("iss", "did:web:other.example"),
        ("jti", "urn:uuid:other"),
        ("nbf", 0),
        ("sub", "did:example:someone-else"),
        ("exp", 4102444800),
    ],
)
def test_claim_that_differs_from_its_credential_field_is_rejected(issuers, claim, value):
    issuer, resolver = issuers["web-EdDSA"]
    document = credential(issuer)
    payload = document | expected_claims(document) | {claim: value}
    token = jwt.encode(payload, issuer.jwt_key, algorithm="EdDSA", headers={"typ": "JWT", "kid": issuer.jwt_kid})
    failed = _failed(verify_jwt(token, resolver)[1])
    if claim == "iss":  # the key is looked up for the claimed issuer, whose JWKS does not hold it
        assert "key resolvable" in failed
    else:
        assert set(failed) == {"jwt claims match credential"}
        assert failed["jwt claims match credential"].startswith(f"claim {claim}=")


def test_exp_without_valid_until_is_rejected(issuers):
    issuer, resolver = issuers["web-EdDSA"]
    document = {k: v for k, v in credential(issuer).items() if k != "validUntil"}
    payload = document | expected_claims(document) | {"exp": 4102444800}
    token = jwt.encode(payload, issuer.jwt_key, algorithm="EdDSA", headers={"typ": "JWT", "kid": issuer.jwt_kid})
    assert "claim exp=" in _failed(verify_jwt(token, resolver)[1])["jwt claims match credential"]


def test_vc_1_1_vc_claim_is_accepted(issuers):
    issuer, resolver = issuers["key-EdDSA"]
    vc = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {"name": "x"},
    }
    payload = {
        "vc": vc,
        "iss": issuer.issuer_id,
        "jti": "urn:uuid:1",
        "sub": "did:example:s",
        "nbf": int(datetime(2020, 1, 1, tzinfo=UTC).timestamp()),
    }
    token = jwt.encode(payload, issuer.jwt_key, algorithm="EdDSA", headers={"typ": "JWT", "kid": issuer.jwt_kid})
    decoded, checks = verify_jwt(token, resolver)
    assert _failed(checks) == {}
    assert decoded["id"] == "urn:uuid:1" and decoded["issuer"] == issuer.issuer_id
    assert decoded["credentialSubject"] == {"id": "did:example:s", "name": "x"}


def test_malformed_token_is_reported(issuers):
    decoded, checks = verify_jwt("not.a.jwt", issuers["key-EdDSA"][1])
    assert decoded is None and set(_failed(checks)) == {"jwt well formed"}


def test_alg_follows_the_key(issuers):
    issuer, _ = issuers["key-EdDSA"]
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point of the test
    with pytest.raises(KeyMaterialError, match="RS256 needs >= 2048"):
        sign_jwt(credential(issuer), weak, issuer.jwt_kid)
    token = sign_jwt(credential(issuer), ed25519.Ed25519PrivateKey.generate(), issuer.jwt_kid)
    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
