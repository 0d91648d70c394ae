"""A minimal wallet for the OID4VCI tests: keys, proof JWTs and the steps of the pre-authorized flow.

It builds proofs exactly as OID4VCI 1.0 Appendix F.1 describes (typ openid4vci-proof+jwt, aud,
iat, nonce) with PyJWT, so every refusal test changes one thing of an otherwise valid proof.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from badge_issuer.jwk import did_key_from_public_key, public_jwk
from microcredential_xblock.wallet import offers

PRE_AUTH = offers.PRE_AUTHORIZED_GRANT


@dataclass
class WalletKey:
    private: Any
    alg: str

    @classmethod
    def ed25519(cls) -> WalletKey:
        return cls(ed25519.Ed25519PrivateKey.generate(), "EdDSA")

    @classmethod
    def p256(cls) -> WalletKey:
        return cls(ec.generate_private_key(ec.SECP256R1()), "ES256")

    @property
    def did_key(self) -> str:
        return did_key_from_public_key(self.private.public_key())

    def proof(self, nonce: str | None, *, aud: str | None = None, iat: float | None = None, header=None, **claims):
        payload = {"aud": aud or offers.issuer_identifier(), "iat": int(iat if iat is not None else time.time())}
        if nonce is not None:
            payload["nonce"] = nonce
        payload.update(claims)
        if header is None:
            if self.alg == "EdDSA":
                header = {"kid": f"{self.did_key}#{self.did_key.removeprefix('did:key:')}"}
            else:
                header = {"jwk": public_jwk(self.private)}
        header = {"typ": "openid4vci-proof+jwt", **header}
        return jwt.encode(payload, self.private, algorithm=self.alg, headers=header)


def reference_of(link: str) -> str:
    """The offer reference inside an ``openid-credential-offer://`` link."""
    offer_uri = parse_qs(urlsplit(link).query)["credential_offer_uri"][0]
    return offer_uri.rsplit("/", 1)[-1]


def path_of(url: str) -> str:
    return urlsplit(url).path


def fetch_offer(client, link: str) -> dict:
    offer_uri = parse_qs(urlsplit(link).query)["credential_offer_uri"][0]
    response = client.get(path_of(offer_uri))
    assert response.status_code == 200, response.content
    return response.json()


def take_token(client, code: str, tx_code: str | None):
    data = {"grant_type": PRE_AUTH, "pre-authorized_code": code}
    if tx_code is not None:
        data["tx_code"] = tx_code
    return client.post(path_of(offers.url("oid4vci_token")), data)


def take_nonce(client) -> str:
    response = client.post(path_of(offers.url("oid4vci_nonce")))
    assert response.status_code == 200
    return response.json()["c_nonce"]


def request_credential(client, token: str, body: dict):
    return client.post(
        path_of(offers.url("oid4vci_credential")),
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
