"""OID4VCI 1.0 issuance, pre-authorized code flow: the whole flow, then every refusal of every endpoint."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt as pyjwt
import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badge_issuer.jwk import public_jwk
from badge_issuer.resolve import OfflineResolver
from badge_issuer.verify import verify
from microcredential_xblock.service import api
from microcredential_xblock.service.config import issuer_keys
from microcredential_xblock.service.models import IssuedCredential, WalletNonce, WalletOffer
from microcredential_xblock.wallet import offers
from microcredential_xblock.wallet.holder import did_jwk
from tests.oid4vci_wallet import (
    WalletKey,
    fetch_offer,
    path_of,
    reference_of,
    request_credential,
    take_nonce,
    take_token,
)
from tests.service_fixtures import LEARNER, definition, earned, registered  # noqa: F401

pytestmark = pytest.mark.django_db
ISSUER = "https://lms.example.org/microvet/oid4vci"


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def offer(earned):  # noqa: F811
    return offers.create_offer(LEARNER.user_id, earned.microcredential_id)


def _code(client, offer) -> str:
    return fetch_offer(client, offer.offer_uri)["grants"][offers.PRE_AUTHORIZED_GRANT]["pre-authorized_code"]


@pytest.fixture
def token(client, offer) -> str:
    response = take_token(client, _code(client, offer), offer.tx_code)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def _config_id(earned, fmt="ldp_vc"):  # noqa: F811
    return offers.configuration_id(earned.microcredential_id, fmt)


def _error(response, status: int, error: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == error, body
    assert body["error_description"]
    return body


# ------------------------------------------------------------------------------------------ metadata


def test_metadata_is_served_at_the_root_and_below_the_issuer(client, earned):  # noqa: F811
    root = client.get("/.well-known/openid-credential-issuer/microvet/oid4vci").json()
    assert root == client.get("/microvet/oid4vci/.well-known/openid-credential-issuer").json()
    assert root["credential_issuer"] == ISSUER
    assert root["credential_endpoint"] == f"{ISSUER}/credential"
    assert root["nonce_endpoint"] == f"{ISSUER}/nonce"
    configuration = root["credential_configurations_supported"][_config_id(earned)]
    assert configuration["format"] == "ldp_vc"
    assert configuration["cryptographic_binding_methods_supported"] == ["did:key", "did:jwk", "jwk"]
    assert configuration["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"] == ["EdDSA", "ES256"]
    (display,) = configuration["credential_metadata"]["display"]
    assert display["name"] == earned.definition_snapshot["definition"]["title"]
    assert display["locale"] == earned.definition_snapshot["definition"]["language"]
    logo = client.get(path_of(display["logo"]["uri"]))
    assert logo.status_code == 200 and logo.content.startswith(b"\x89PNG")
    assert root["credential_configurations_supported"][_config_id(earned, "jwt_vc_json")]["format"] == "jwt_vc_json"
    assert root["display"][0]["name"] == "Aurora VET"


def test_metadata_lists_only_awarded_micro_credentials(client, registered):  # noqa: F811
    """A definition registered from Studio but never awarded stays private (the metadata is public)."""
    body = client.get("/microvet/oid4vci/.well-known/openid-credential-issuer").json()
    assert body["credential_configurations_supported"] == {}
    slug = offers.configuration_slug(registered.microcredential_id)
    _error(client.get(f"/microvet/oid4vci/logos/{slug}.png"), 404, "invalid_request")


def test_authorization_server_metadata(client):
    body = client.get("/.well-known/oauth-authorization-server/microvet/oid4vci").json()
    assert body == client.get("/microvet/oid4vci/.well-known/oauth-authorization-server").json()
    assert body["issuer"] == ISSUER and body["token_endpoint"] == f"{ISSUER}/token"
    assert body["grant_types_supported"] == [offers.PRE_AUTHORIZED_GRANT]


def test_root_metadata_for_another_path_is_not_found(client):
    _error(client.get("/.well-known/openid-credential-issuer/elsewhere"), 404, "invalid_request")
    _error(client.get("/.well-known/oauth-authorization-server/microvet"), 404, "invalid_request")


@override_settings(MICROVET={"BASE_URL": "https://lms.example.org", "KEYS_DIR": "/nonexistent", "FORMATS": ["di"]})
def test_metadata_without_keys_is_a_clear_4xx(client, registered):  # noqa: F811
    _error(client.get("/microvet/oid4vci/.well-known/openid-credential-issuer"), 400, "temporarily_unavailable")


# ------------------------------------------------------------------------------------------ the flow


def test_offer_link_is_by_reference_and_holds_nothing_personal(client, offer):
    assert offer.offer_uri.startswith("openid-credential-offer://?credential_offer_uri=https%3A%2F%2Flms.example.org")
    for personal in (LEARNER.user_id, LEARNER.email, "Ada", "42"):
        assert personal.lower() not in offer.offer_uri.lower().replace(reference_of(offer.offer_uri).lower(), "")
    assert len(offer.tx_code) == 6 and offer.tx_code.isdigit()
    document = fetch_offer(client, offer.offer_uri)
    assert document["credential_issuer"] == ISSUER
    grant = document["grants"][offers.PRE_AUTHORIZED_GRANT]
    assert grant["tx_code"] == {"input_mode": "numeric", "length": 6, "description": grant["tx_code"]["description"]}


def test_secrets_are_stored_only_as_hashes(client, offer, token):
    row = WalletOffer.objects.get(kind=WalletOffer.OID4VCI)
    stored = json.dumps([row.reference_hash, row.code_hash, row.tx_code_hash, row.token_hash])
    for secret in (reference_of(offer.offer_uri), _code_plain(offer), offer.tx_code, token):
        assert secret not in stored
    nonce = take_nonce(client)
    assert not WalletNonce.objects.filter(nonce_hash=nonce).exists()


def _code_plain(offer) -> str:
    return offers.derived("code", reference_of(offer.offer_uri))


def test_full_flow_issues_ldp_vc_to_the_wallet_did_key_and_supersedes_the_old_credential(client, earned, token):  # noqa: F811
    key = WalletKey.ed25519()
    response = request_credential(
        client,
        token,
        {"credential_configuration_id": _config_id(earned), "proofs": {"jwt": [key.proof(take_nonce(client))]}},
    )
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    (item,) = response.json()["credentials"]
    document = item["credential"]
    assert document["credentialSubject"]["id"] == key.did_key
    new = IssuedCredential.objects.get(document__id=document["id"])
    assert new.replaces_id == earned.pk and new.subject_did == key.did_key
    earned.refresh_from_db()
    assert earned.state == IssuedCredential.REVOKED
    report = verify(document, resolver=OfflineResolver(issuers=[issuer_keys()]), status_fetcher=lambda url: {})
    assert all(c.passed for c in report.checks if c.name.startswith(("proof", "signature"))), report
    assert WalletOffer.objects.get(kind=WalletOffer.OID4VCI).credential == new


def test_jwt_vc_json_with_a_bare_p256_jwk_is_issued_to_its_did_jwk(client, earned, token):  # noqa: F811
    key = WalletKey.p256()
    body = {
        "credential_configuration_id": _config_id(earned, "jwt_vc_json"),
        "proofs": {"jwt": [key.proof(take_nonce(client))]},
    }
    response = request_credential(client, token, body)
    assert response.status_code == 200, response.content
    (item,) = response.json()["credentials"]
    _header, payload, _sig = item["credential"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == did_jwk(public_jwk(key.private)) == claims["credentialSubject"]["id"]


def test_draft_13_wallet_uses_the_token_nonce_and_gets_the_draft_answer(client, earned, offer):  # noqa: F811
    answer = take_token(client, _code(client, offer), offer.tx_code).json()
    assert answer["c_nonce_expires_in"] == 300
    key = WalletKey.ed25519()
    body = {"format": "ldp_vc", "proof": {"proof_type": "jwt", "jwt": key.proof(answer["c_nonce"])}}
    response = request_credential(client, answer["access_token"], body)
    assert response.status_code == 200, response.content
    assert response.json()["format"] == "ldp_vc"
    assert response.json()["credential"]["credentialSubject"]["id"] == key.did_key


def test_a_wallet_already_named_gets_the_same_credential_without_a_reissue(client, earned):  # noqa: F811
    key = WalletKey.ed25519()
    first = api.reissue(earned.uuid, actor="staff", reason="to the wallet", subject_did=key.did_key)
    offer = offers.create_offer(LEARNER.user_id, earned.microcredential_id)
    access = take_token(client, _code(client, offer), offer.tx_code).json()["access_token"]
    body = {"credential_configuration_id": _config_id(earned), "proofs": {"jwt": [key.proof(take_nonce(client))]}}
    response = request_credential(client, access, body)
    assert response.json()["credentials"][0]["credential"]["id"] == first.document["id"]
    assert IssuedCredential.objects.count() == 2


# ------------------------------------------------------------------------------------------ offer refusals


def test_no_offer_without_an_active_credential(registered):  # noqa: F811
    with pytest.raises(ValueError, match="no active credential"):
        offers.create_offer(LEARNER.user_id, registered.microcredential_id)


def test_offer_document_is_gone_after_the_token_and_after_expiry(client, offer, token):
    _error(client.get(path_of(offers.url("oid4vci_offer", reference_of(offer.offer_uri)))), 404, "invalid_request")
    other = offers.create_offer(LEARNER.user_id, WalletOffer.objects.first().microcredential_id)
    WalletOffer.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    _error(client.get(path_of(offers.url("oid4vci_offer", reference_of(other.offer_uri)))), 404, "invalid_request")
    _error(client.get("/microvet/oid4vci/offers/not-a-reference"), 404, "invalid_request")


def test_stale_unredeemed_offers_are_cleared_when_new_ones_are_made(client, earned, token):  # noqa: F811
    key = WalletKey.ed25519()
    assert request_credential(client, token, _body(earned, key.proof(take_nonce(client)))).status_code == 200
    WalletOffer.objects.update(expires_at=timezone.now() - timedelta(days=2))
    offers.create_offer(LEARNER.user_id, earned.microcredential_id)
    kept = WalletOffer.objects.filter(expires_at__lt=timezone.now())
    assert [row.redeemed_at is not None for row in kept] == [True]  # the redeemed one keeps its record
    assert WalletOffer.objects.count() == 3


# ------------------------------------------------------------------------------------------ token refusals


def test_token_refusals(client, offer):
    path = path_of(offers.url("oid4vci_token"))
    _error(client.post(path, {}), 400, "invalid_request")
    _error(client.post(path, {"grant_type": "authorization_code", "code": "x"}), 400, "unsupported_grant_type")
    _error(client.post(path, {"grant_type": offers.PRE_AUTHORIZED_GRANT}), 400, "invalid_request")
    _error(take_token(client, "unknown-code", offer.tx_code), 400, "invalid_grant")
    code = _code(client, offer)
    _error(take_token(client, code, None), 400, "invalid_request")
    wrong = f"{(int(offer.tx_code) + 1) % 10**6:06d}"
    _error(take_token(client, code, wrong), 400, "invalid_grant")
    assert take_token(client, code, offer.tx_code).status_code == 200
    _error(take_token(client, code, offer.tx_code), 400, "invalid_grant")  # single use
    _error(client.get(path), 405, "invalid_request")


def test_wrong_tx_codes_burn_the_offer(client, offer):
    code = _code(client, offer)
    wrong = f"{(int(offer.tx_code) + 1) % 10**6:06d}"
    for _attempt in range(offers.TX_CODE_TRIES):
        _error(take_token(client, code, wrong), 400, "invalid_grant")
    _error(take_token(client, code, offer.tx_code), 400, "invalid_grant")


def test_expired_offer_gives_no_token(client, offer):
    code = _code(client, offer)
    WalletOffer.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    _error(take_token(client, code, offer.tx_code), 400, "invalid_grant")


@override_settings(MICROVET={**django_settings.MICROVET, "WALLET_TX_CODE": False})
def test_offer_without_tx_code_when_disabled(client, earned):  # noqa: F811
    offer = offers.create_offer(LEARNER.user_id, earned.microcredential_id)
    assert offer.tx_code == ""
    assert "tx_code" not in fetch_offer(client, offer.offer_uri)["grants"][offers.PRE_AUTHORIZED_GRANT]
    assert take_token(client, _code(client, offer), None).status_code == 200


# ------------------------------------------------------------------------------------------ credential refusals


def _body(earned, proof, fmt="ldp_vc"):  # noqa: F811
    return {"credential_configuration_id": _config_id(earned, fmt), "proofs": {"jwt": [proof]}}


def test_credential_needs_a_valid_bearer_token(client, earned, token):  # noqa: F811
    path = path_of(offers.url("oid4vci_credential"))
    key = WalletKey.ed25519()
    response = client.post(path, _body(earned, key.proof(take_nonce(client))), content_type="application/json")
    body = _error(response, 401, "invalid_token")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert body
    _error(
        request_credential(client, "not-a-token", _body(earned, key.proof(take_nonce(client)))), 401, "invalid_token"
    )
    WalletOffer.objects.update(token_expires_at=timezone.now() - timedelta(seconds=1))
    _error(request_credential(client, token, _body(earned, key.proof(take_nonce(client)))), 401, "invalid_token")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "unknown_credential_configuration"),
        ({"credential_configuration_id": "microcredential_elsewhere_ldp_vc"}, "unknown_credential_configuration"),
        ({"credential_identifier": "x"}, "unknown_credential_identifier"),
        ({"format": "mso_mdoc"}, "unsupported_credential_format"),
        ({"format": "ldp_vc"}, "invalid_proof"),
        ({"format": "ldp_vc", "proofs": {"jwt": []}}, "invalid_proof"),
        ({"format": "ldp_vc", "proofs": {"jwt": ["a", "b"]}}, "invalid_proof"),
        ({"format": "ldp_vc", "proofs": {"ldp_vp": [{}]}}, "invalid_proof"),
        ({"format": "ldp_vc", "proofs": {"jwt": ["x.y.z"]}, "proof": {}}, "invalid_request"),
        ({"format": "ldp_vc", "proofs": {"jwt": ["not a jwt"]}}, "invalid_proof"),
        ({"format": "ldp_vc", "proofs": {"jwt": [42]}}, "invalid_proof"),
    ],
)
def test_malformed_credential_requests(client, token, body, error):
    _error(request_credential(client, token, body), 400, error)


def test_body_must_be_json_object(client, token):
    path = path_of(offers.url("oid4vci_credential"))
    for raw in (b"not json", b"[1]", b"\xff", b"[" * 100000):
        response = client.post(path, raw, content_type="application/json", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code in (400, 413) and response.json()["error"] == "invalid_request"


def _proof_refused(client, earned, token, proof, error="invalid_proof"):  # noqa: F811
    return _error(request_credential(client, token, _body(earned, proof)), 400, error)


def test_wrong_audience_is_refused(client, earned, token):  # noqa: F811
    key = WalletKey.ed25519()
    _proof_refused(client, earned, token, key.proof(take_nonce(client), aud="https://evil.example/oid4vci"))


def test_old_and_future_iat_are_refused(client, earned, token):  # noqa: F811
    key = WalletKey.ed25519()
    _proof_refused(client, earned, token, key.proof(take_nonce(client), iat=time.time() - 3600))
    _proof_refused(client, earned, token, key.proof(take_nonce(client), iat=time.time() + 3600))


def test_signature_by_another_key_is_refused(client, earned, token):  # noqa: F811
    named, signer = WalletKey.ed25519(), WalletKey.ed25519()
    header = {"kid": f"{named.did_key}#{named.did_key.removeprefix('did:key:')}"}
    _proof_refused(client, earned, token, signer.proof(take_nonce(client), header=header))


def test_wrong_typ_alg_and_header_members_are_refused(client, earned, token):  # noqa: F811
    key = WalletKey.ed25519()
    kid = {"kid": f"{key.did_key}#{key.did_key.removeprefix('did:key:')}"}
    payload = {"aud": ISSUER, "iat": int(time.time()), "nonce": take_nonce(client)}
    for header in ({**kid, "typ": "JWT"}, {**kid, "typ": "openid4vci-proof+jwt", "x5c": ["MII"]}):
        _proof_refused(client, earned, token, pyjwt.encode(payload, key.private, algorithm="EdDSA", headers=header))
    hs = pyjwt.encode(
        payload, "secret-secret-secret-secret-secret", algorithm="HS256", headers={**kid, "typ": "openid4vci-proof+jwt"}
    )
    _proof_refused(client, earned, token, hs)
    _proof_refused(client, earned, token, key.proof(take_nonce(client), header={"kid": "did:web:evil.example#key-1"}))
    _proof_refused(
        client,
        earned,
        token,
        key.proof(
            take_nonce(client),
            header={"jwk": {**public_jwk(key.private), "d": "secret"}},
        ),
    )


def test_nonce_must_be_fresh_known_and_unused(client, earned, token):  # noqa: F811
    key = WalletKey.ed25519()
    _proof_refused(client, earned, token, key.proof(None), "invalid_nonce")
    _proof_refused(client, earned, token, key.proof("made-up-nonce"), "invalid_nonce")
    stale = take_nonce(client)
    WalletNonce.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    _proof_refused(client, earned, token, key.proof(stale), "invalid_nonce")
    fresh = take_nonce(client)
    assert request_credential(client, token, _body(earned, key.proof(fresh))).status_code == 200
    # the token is spent now; a fresh offer cannot reuse the spent nonce either
    offer = offers.create_offer(LEARNER.user_id, earned.microcredential_id)
    access = take_token(client, _code(client, offer), offer.tx_code).json()["access_token"]
    _proof_refused(client, earned, access, key.proof(fresh), "invalid_nonce")


def test_one_credential_per_offer(client, earned, token):  # noqa: F811
    key = WalletKey.ed25519()
    assert request_credential(client, token, _body(earned, key.proof(take_nonce(client)))).status_code == 200
    _error(request_credential(client, token, _body(earned, key.proof(take_nonce(client)))), 401, "invalid_token")
    assert IssuedCredential.objects.count() == 2


def test_a_credential_revoked_after_the_offer_is_not_delivered(client, earned, token):  # noqa: F811
    api.revoke(earned.uuid, actor="staff", reason="fraud")
    key = WalletKey.ed25519()
    _error(
        request_credential(client, token, _body(earned, key.proof(take_nonce(client)))),
        400,
        "credential_request_denied",
    )
    assert not WalletOffer.objects.filter(redeemed_at__isnull=False).exists()


# ------------------------------------------------------------------------------------------ never a 5xx


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["grant_type", "pre-authorized_code", "tx_code", "x"]), st.text(max_size=40)))
def test_token_endpoint_never_fails_with_a_5xx(client, form):
    response = client.post(path_of(offers.url("oid4vci_token")), form)
    assert 400 <= response.status_code < 500 and "error" in response.json()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(JSON.filter(lambda value: value is not None))  # null is "no presentation yet"
def test_exchange_endpoint_never_fails_with_a_5xx(client, offer, body):
    request = json.loads(parse_qs(urlsplit(offer.lcw_uri).query)["request"][0])
    path = urlsplit(request["protocols"]["vcapi"]).path
    response = client.post(path, json.dumps({"verifiablePresentation": body}), content_type="application/json")
    assert 400 <= response.status_code < 500 and "error" in response.json()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["credential_configuration_id", "format", "proof", "proofs"]), JSON))
def test_credential_endpoint_never_fails_with_a_5xx(client, token, body):
    response = request_credential(client, token, body)
    assert 400 <= response.status_code < 500 and "error" in response.json()


def test_an_unexpected_failure_is_a_4xx_and_the_log_keeps_no_secret(client, offer, monkeypatch, caplog):
    def broken(reference):
        raise RuntimeError("boom")

    monkeypatch.setattr(offers, "offer_document", broken)
    reference = reference_of(offer.offer_uri)
    with caplog.at_level("ERROR"):
        response = client.get(path_of(offers.url("oid4vci_offer", reference)))
    _error(response, 400, "temporarily_unavailable")
    assert "boom" in caplog.text and reference not in caplog.text
