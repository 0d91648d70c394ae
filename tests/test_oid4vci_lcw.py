"""The Learner Credential Wallet's VC-API exchange: the DIDAuth request, then every refusal of the answer."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.test import Client

from badge_issuer import multibase
from badge_issuer.contexts import VC_V1
from badge_issuer.jwk import did_key_from_public_key
from badge_issuer.proofs.data_integrity import hash_data
from microcredential_xblock.service.models import IssuedCredential, WalletOffer
from microcredential_xblock.wallet import offers
from tests.service_fixtures import LEARNER, definition, earned, registered  # noqa: F401

pytestmark = pytest.mark.django_db
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"


@pytest.fixture
def exchange(earned):  # noqa: F811
    offer = offers.create_offer(LEARNER.user_id, earned.microcredential_id)
    request = json.loads(parse_qs(urlsplit(offer.lcw_uri).query)["request"][0])
    assert request["credentialRequestOrigin"] == "https://lms.example.org"
    return urlsplit(request["protocols"]["vcapi"]).path


def post(path: str, body) -> tuple[int, dict]:
    response = Client().post(path, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def did_auth(challenge: str, domain: str, key=None, **changes) -> dict:
    """A DIDAuth presentation as DCC's vc.signPresentation makes it (Ed25519Signature2020, did:key)."""
    key = key or ed25519.Ed25519PrivateKey.generate()
    holder = did_key_from_public_key(key.public_key())
    presentation = {"@context": [VC_V1, ED25519_2020], "type": ["VerifiablePresentation"], "holder": holder}
    proof = {
        "type": "Ed25519Signature2020",
        "created": "2026-12-01T10:00:00Z",
        "verificationMethod": f"{holder}#{holder.removeprefix('did:key:')}",
        "proofPurpose": "authentication",
        "challenge": challenge,
        "domain": domain,
    }
    proof.update(changes.pop("proof", {}))
    presentation.update(changes)
    signature = key.sign(hash_data(presentation, {**proof, "@context": presentation["@context"]}))
    return {**presentation, "proof": {**proof, "proofValue": multibase.encode(signature)}}


def test_empty_post_gets_a_did_auth_request(exchange):
    status, body = post(exchange, {})
    assert status == 200
    request = body["verifiablePresentationRequest"]
    assert request["query"] == [{"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}]}]
    assert request["domain"] == "lms.example.org" and len(request["challenge"]) >= 32
    assert request["interact"]["service"][0]["serviceEndpoint"].endswith(exchange)
    assert post(exchange, {})[1] == body  # asking again is harmless: the same challenge


def test_signed_did_auth_gets_the_credential_bound_to_the_did_key(exchange, earned):  # noqa: F811
    request = post(exchange, {})[1]["verifiablePresentationRequest"]
    presentation = did_auth(request["challenge"], request["domain"])
    status, body = post(exchange, {"verifiablePresentation": presentation})
    assert status == 200, body
    (credential,) = body["verifiablePresentation"]["verifiableCredential"]
    assert credential["credentialSubject"]["id"] == presentation["holder"]
    assert IssuedCredential.objects.get(document__id=credential["id"]).replaces_id == earned.pk
    status, again = post(exchange, {"verifiablePresentation": presentation})
    assert status == 404 and again["error"] == "invalid_request"  # one credential per exchange


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"proof": {"challenge": "another"}}, "invalid_nonce"),
        ({"proof": {"domain": "evil.example"}}, "invalid_proof"),
        ({"proof": {"proofPurpose": "assertionMethod"}}, "invalid_proof"),
        ({"proof": {"type": "JsonWebSignature2020"}}, "invalid_proof"),
        (
            {"proof": {"verificationMethod": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#x"}},
            "invalid_proof",
        ),
        ({"holder": "did:web:evil.example"}, "invalid_proof"),
    ],
)
def test_refused_presentations(exchange, change, error):
    request = post(exchange, {})[1]["verifiablePresentationRequest"]
    status, body = post(
        exchange, {"verifiablePresentation": did_auth(request["challenge"], request["domain"], **change)}
    )
    assert (status, body["error"]) == (400, error), body
    assert not WalletOffer.objects.filter(redeemed_at__isnull=False).exists()


def test_tampered_or_foreign_signature_is_refused(exchange):
    request = post(exchange, {})[1]["verifiablePresentationRequest"]
    presentation = did_auth(request["challenge"], request["domain"])
    presentation["type"] = ["VerifiablePresentation", "Extra"]
    assert post(exchange, {"verifiablePresentation": presentation})[1]["error"] == "invalid_proof"
    other = did_auth(request["challenge"], request["domain"])
    other["holder"] = did_auth(request["challenge"], request["domain"])["holder"]
    assert post(exchange, {"verifiablePresentation": other})[1]["error"] == "invalid_proof"
    for junk in ([], "x", {"holder": 1}, {"holder": "did:key:z6Mk", "proof": [{}, {}]}):
        status, body = post(exchange, {"verifiablePresentation": junk})
        assert status == 400 and body["error"] in ("invalid_request", "invalid_proof")


def test_unknown_or_expired_exchange(exchange):
    assert post("/microvet/oid4vci/exchanges/unknown", {})[0] == 404
    WalletOffer.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert post(exchange, {})[0] == 404


def test_oid4vci_reference_is_not_an_exchange(earned):  # noqa: F811
    offer = offers.create_offer(LEARNER.user_id, earned.microcredential_id)
    reference = parse_qs(urlsplit(offer.offer_uri).query)["credential_offer_uri"][0].rsplit("/", 1)[-1]
    assert post(f"/microvet/oid4vci/exchanges/{reference}", {})[0] == 404
