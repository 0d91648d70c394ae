"""The Learner Credential Wallet's credential request: a VC-API exchange with DID Authentication.

What LCW does (DCC learner-credential-wallet, app/lib/exchanges.ts): it opens the deep link
``https://lcw.app/request?request={"credentialRequestOrigin":..., "protocols":{"vcapi": URL}}``,
POSTs ``{}`` to URL, receives a ``verifiablePresentationRequest`` with a ``DIDAuthentication`` query,
a ``challenge`` and a ``domain``, and POSTs back ``{"verifiablePresentation": VP}``: an empty VP
whose holder is its did:key, signed for ``authentication`` (Ed25519Signature2020) with that
challenge and domain. We answer with a VP carrying the credential, re-issued to that did:key.

The challenge is derived from the exchange reference (nothing to store) and is single-use because
the exchange is: ``offers.deliver`` redeems it once, in the database.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from badge_issuer import multibase
from badge_issuer.contexts import VC_V2, check_safe_mode
from badge_issuer.errors import MicrovetError
from badge_issuer.proofs.data_integrity import hash_data

from ..service.config import config
from ..service.models import WalletOffer
from . import offers
from .offers import OAuthError

#: The proof suites of a DIDAuth presentation we can check offline (both sign RDFC-1.0 hashes).
SUITES = {("Ed25519Signature2020", None), ("DataIntegrityProof", "eddsa-rdfc-2022")}


def domain() -> str:
    return urlsplit(config().base_url).netloc


def step(reference: str, body: dict[str, Any]) -> dict[str, Any]:
    """One round of the exchange: ``{}`` gets the DIDAuth request, a signed VP gets the credential."""
    row = offers.open_offer(reference, WalletOffer.VCAPI)
    challenge = offers.derived("challenge", reference)
    presentation = body.get("verifiablePresentation")
    if presentation is None:
        return {
            "verifiablePresentationRequest": {
                "query": [{"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}]}],
                "challenge": challenge,
                "domain": domain(),
                "interact": {
                    "service": [
                        {
                            "type": "UnmediatedPresentationService2021",
                            "serviceEndpoint": offers.url("oid4vci_exchange", reference),
                        }
                    ]
                },
            }
        }
    holder = verify_did_auth(presentation, challenge=challenge, domain=domain())
    try:
        issued = offers.deliver(row, holder)
    except OAuthError as exc:
        if exc.error != "invalid_token":
            raise
        raise OAuthError("invalid_request", "this exchange was already used", 404) from None  # lost a race
    return {
        "verifiablePresentation": {
            "@context": [VC_V2],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [issued.document],
        }
    }


def verify_did_auth(presentation: Any, *, challenge: str, domain: str) -> str:
    """The holder did:key of a DIDAuth presentation signed with the given challenge and domain."""
    if not isinstance(presentation, dict):
        raise OAuthError("invalid_request", "verifiablePresentation must be a JSON object")
    holder = presentation.get("holder")
    if not isinstance(holder, str) or not holder.startswith("did:key:"):
        raise OAuthError("invalid_proof", "the presentation's holder must be a did:key")
    proof = presentation.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise OAuthError("invalid_proof", "the presentation needs exactly one proof")
    if (proof.get("type"), proof.get("cryptosuite")) not in SUITES:
        raise OAuthError("invalid_proof", "the proof must be Ed25519Signature2020 or eddsa-rdfc-2022")
    if proof.get("proofPurpose") != "authentication":
        raise OAuthError("invalid_proof", "the proof's purpose must be authentication")
    if proof.get("challenge") != challenge:
        raise OAuthError("invalid_nonce", "the proof's challenge is not this exchange's")
    if proof.get("domain") != domain:
        raise OAuthError("invalid_proof", f"the proof's domain must be {domain}")
    identifier = holder.removeprefix("did:key:")
    if proof.get("verificationMethod") != f"{holder}#{identifier}":
        raise OAuthError("invalid_proof", "the proof must be made with the holder's did:key")
    try:
        key = ed25519.Ed25519PublicKey.from_public_bytes(multibase.public_key_from_multibase(identifier))
        signature = multibase.decode(proof.get("proofValue"), subject="proofValue")
        config_ = {k: v for k, v in proof.items() if k != "proofValue"}
        config_["@context"] = presentation.get("@context")
        unsecured = {k: v for k, v in presentation.items() if k != "proof"}
        # Terms the contexts do not define would be dropped from the signed N-Quads: refuse them.
        check_safe_mode(unsecured)
        key.verify(signature, hash_data(unsecured, config_))
    except (MicrovetError, InvalidSignature, ValueError, TypeError):
        raise OAuthError("invalid_proof", "the presentation's signature does not verify") from None
    return holder
