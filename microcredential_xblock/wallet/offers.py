"""One-time wallet offers of a learner's credential, and their redemption (docs/decisions/0015).

Single use is decided by the database, never by a read followed by a write: the token exchange
and the credential request each win with one conditional ``UPDATE ... WHERE <still unused>`` that
only one of any number of parallel requests can match, and the credential request re-issues inside
the same transaction as its UPDATE, so a failure leaves the offer unused. Every secret (offer
reference, pre-authorized code, tx_code, access token, nonce) is stored only as a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from badge_issuer.errors import MicrovetError

from ..service import issuance
from ..service.config import config
from ..service.models import IssuedCredential, MicroCredentialDefinition, WalletNonce, WalletOffer
from .links import LCW_SCHEME, lcw_link, offer_link
from .settings import wallet_settings

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
#: OID4VCI format identifier -> the service's signing format (service/config.py FORMATS).
FORMATS = {"ldp_vc": "di", "jwt_vc_json": "jwt"}
TX_CODE_LENGTH = 6
#: Wrong transaction codes tolerated before the offer is burnt (10^6 codes: guessing stays hopeless).
TX_CODE_TRIES = 5


class OAuthError(Exception):
    """An OAuth-style error answer: ``{"error": code, "error_description": description}``."""

    def __init__(self, error: str, description: str, status: int = 400):
        self.error, self.description, self.status = error, description, status
        super().__init__(f"{error}: {description}")


def digest(kind: str, secret: str) -> str:
    """Keyed hash of a secret (HMAC-SHA256 under SECRET_KEY): a leaked table reveals no usable code."""
    return hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{secret}".encode(), hashlib.sha256).hexdigest()


def derived(kind: str, reference: str) -> str:
    """A secret derived from the offer reference, so the offer document can be served without storing it."""
    return digest(f"derive-{kind}", reference)


def issuer_identifier() -> str:
    """The Credential Issuer Identifier: ``<BASE_URL>/microvet/oid4vci`` where the plugin is mounted."""
    return config().base_url + reverse("microvet:oid4vci_issuer")


def url(name: str, *args: Any) -> str:
    return config().base_url + reverse(f"microvet:{name}", args=args)


def configuration_slug(microcredential_id: str) -> str:
    return hashlib.sha256(microcredential_id.encode()).hexdigest()[:16]


def configuration_id(microcredential_id: str, oid4vci_format: str) -> str:
    return f"microcredential_{configuration_slug(microcredential_id)}_{oid4vci_format}"


def enabled_formats() -> list[str]:
    """The OID4VCI formats the service signs (FORMATS setting): ldp_vc for "di", jwt_vc_json for "jwt"."""
    return [name for name, ours in FORMATS.items() if ours in config().formats]


# ------------------------------------------------------------------------------------------ offers


@dataclass(frozen=True)
class Offer:
    """What the card shows: the wallet links and, for OID4VCI, the transaction code to type in."""

    offer_uri: str
    lcw_uri: str
    #: The same request for the QR code: LCW's custom scheme, which its scanner recognises.
    lcw_app_uri: str
    tx_code: str
    expires_at: datetime


def current_credential(learner_id: str, microcredential_id: str) -> IssuedCredential | None:
    """The learner's current credential if it can be delivered: active and not expired."""
    credential = issuance.claimed(learner_id, microcredential_id)
    if credential is None or credential.state != IssuedCredential.ACTIVE:
        return None
    if credential.valid_until is not None and credential.valid_until <= timezone.now():
        return None
    return credential


def _new_row(learner_id: str, microcredential_id: str, kind: str, tx_code: str, expires_at: datetime) -> str:
    reference = secrets.token_urlsafe(32)
    WalletOffer.objects.create(
        reference_hash=digest("reference", reference),
        code_hash=digest("code", derived("code", reference)),
        tx_code_hash=digest("tx_code", tx_code) if tx_code else "",
        kind=kind,
        learner_id=learner_id,
        microcredential_id=microcredential_id,
        expires_at=expires_at,
    )
    return reference


def create_offer(learner_id: str, microcredential_id: str) -> Offer:
    """An OID4VCI offer and a LCW exchange for the learner's current credential (ValueError if none)."""
    if current_credential(learner_id, microcredential_id) is None:
        raise ValueError("the learner has no active credential for this micro-credential")
    now = timezone.now()
    # Offers never redeemed are useless a day after they expired; redeemed ones record which credential they gave.
    WalletOffer.objects.filter(redeemed_at__isnull=True, expires_at__lt=now - timedelta(days=1)).delete()
    tx_code = f"{secrets.randbelow(10**TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}" if wallet_settings().tx_code else ""
    expires_at = now + timedelta(seconds=wallet_settings().offer_seconds)
    oid4vci_ref = _new_row(learner_id, microcredential_id, WalletOffer.OID4VCI, tx_code, expires_at)
    vcapi_ref = _new_row(learner_id, microcredential_id, WalletOffer.VCAPI, "", expires_at)
    exchange = url("oid4vci_exchange", vcapi_ref)
    return Offer(
        offer_uri=offer_link(url("oid4vci_offer", oid4vci_ref)),
        lcw_uri=lcw_link(config().base_url, exchange),
        lcw_app_uri=lcw_link(config().base_url, exchange, base=LCW_SCHEME),
        tx_code=tx_code,
        expires_at=expires_at,
    )


def open_offer(reference: str, kind: str) -> WalletOffer:
    row = WalletOffer.objects.filter(reference_hash=digest("reference", reference), kind=kind).first()
    if row is None or row.expires_at <= timezone.now() or row.redeemed_at is not None:
        raise OAuthError("invalid_request", "this offer is unknown, expired or already used", 404)
    return row


def offer_document(reference: str) -> dict[str, Any]:
    """The Credential Offer a wallet fetches from ``credential_offer_uri`` (until it took its token)."""
    row = open_offer(reference, WalletOffer.OID4VCI)
    if row.token_hash is not None:
        raise OAuthError("invalid_request", "this offer was already used", 404)
    grant: dict[str, Any] = {"pre-authorized_code": derived("code", reference)}
    if row.tx_code_hash:
        grant["tx_code"] = {
            "input_mode": "numeric",
            "length": TX_CODE_LENGTH,
            "description": gettext("The 6-digit code shown next to the QR code on your credential card"),
        }
    return {
        "credential_issuer": issuer_identifier(),
        "credential_configuration_ids": [configuration_id(row.microcredential_id, f) for f in enabled_formats()],
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


# ------------------------------------------------------------------------------------------ token


def exchange_code(code: Any, tx_code: Any) -> dict[str, Any]:
    """Token endpoint, pre-authorized code grant: one access token per offer, ever."""
    if not isinstance(code, str) or not code:
        raise OAuthError("invalid_request", "pre-authorized_code is missing")
    now = timezone.now()
    row = WalletOffer.objects.filter(code_hash=digest("code", code), kind=WalletOffer.OID4VCI).first()
    if row is None or row.expires_at <= now or row.token_hash is not None:
        raise OAuthError("invalid_grant", "the pre-authorized code is unknown, expired or already used")
    if row.tx_code_hash:
        if not isinstance(tx_code, str) or not tx_code:
            raise OAuthError("invalid_request", "this offer needs the tx_code shown on the credential card")
        if not hmac.compare_digest(digest("tx_code", tx_code), row.tx_code_hash):
            WalletOffer.objects.filter(pk=row.pk).update(tx_code_failures=F("tx_code_failures") + 1)
            WalletOffer.objects.filter(pk=row.pk, tx_code_failures__gte=TX_CODE_TRIES).update(expires_at=now)
            raise OAuthError("invalid_grant", "the tx_code is wrong")
    token = secrets.token_urlsafe(32)
    seconds = wallet_settings().token_seconds
    won = WalletOffer.objects.filter(pk=row.pk, token_hash__isnull=True, expires_at__gt=now).update(
        token_hash=digest("token", token), token_expires_at=now + timedelta(seconds=seconds)
    )
    if not won:  # a parallel request with the same code took the token first
        raise OAuthError("invalid_grant", "the pre-authorized code is unknown, expired or already used")
    # c_nonce in the token response: 1.0 moved it to the nonce endpoint, draft-13 wallets still look here.
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": seconds,
        "c_nonce": new_nonce(),
        "c_nonce_expires_in": wallet_settings().nonce_seconds,
    }


# ------------------------------------------------------------------------------------------ nonces


def new_nonce() -> str:
    """A fresh single-use c_nonce (expired ones are cleared on the way, so the table stays small)."""
    now = timezone.now()
    WalletNonce.objects.filter(expires_at__lt=now - timedelta(hours=1)).delete()
    nonce = secrets.token_urlsafe(24)
    WalletNonce.objects.create(
        nonce_hash=digest("nonce", nonce), expires_at=now + timedelta(seconds=wallet_settings().nonce_seconds)
    )
    return nonce


def consume_nonce(nonce: str) -> bool:
    """True once for a known, unexpired nonce; False for any other (or any later) use."""
    now = timezone.now()
    return bool(
        WalletNonce.objects.filter(nonce_hash=digest("nonce", nonce), used_at__isnull=True, expires_at__gt=now).update(
            used_at=now
        )
    )


# ------------------------------------------------------------------------------------------ delivery


def offer_for_token(token: str) -> WalletOffer:
    row = WalletOffer.objects.filter(token_hash=digest("token", token), token_expires_at__gt=timezone.now()).first()
    if row is None or row.redeemed_at is not None:
        raise OAuthError("invalid_token", "the access token is unknown, expired or already used", 401)
    return row


def deliver(row: WalletOffer, holder_did: str) -> IssuedCredential:
    """Mark the offer redeemed and hand over the learner's credential, re-issued to ``holder_did``.

    Follows the service's re-issue rule (one active credential per learner and micro-credential,
    the previous one revoked and linked); a credential that already names the holder is handed
    over as it is. All in one transaction with the winning UPDATE.
    """
    with transaction.atomic():
        won = WalletOffer.objects.filter(pk=row.pk, redeemed_at__isnull=True).update(redeemed_at=timezone.now())
        if not won:
            raise OAuthError("invalid_token", "this offer was already redeemed", 401)
        credential = current_credential(row.learner_id, row.microcredential_id)
        if credential is None:
            raise OAuthError("credential_request_denied", "the credential is no longer active")
        if credential.subject_did != holder_did:
            try:
                credential = issuance.reissue(
                    credential.uuid,
                    actor=f"learner:{row.learner_id}",
                    reason="delivered to the learner's wallet, bound to the wallet's key",
                    subject_did=holder_did,
                )
            except MicrovetError as exc:
                raise OAuthError("credential_request_denied", exc.reason) from None
        WalletOffer.objects.filter(pk=row.pk).update(credential=credential)
    return credential


def definitions() -> list[MicroCredentialDefinition]:
    """One registered definition (the latest) per micro-credential that has been awarded, for the metadata.

    Only awarded ones: a course still being written in Studio registers its definition too, and the
    metadata is public; a wallet only ever needs the configuration of a credential it is offered.
    """
    awarded = IssuedCredential.objects.values("microcredential_id")
    latest: dict[str, MicroCredentialDefinition] = {}
    for row in MicroCredentialDefinition.objects.filter(microcredential_id__in=awarded).order_by("pk"):
        latest[row.microcredential_id] = row
    return list(latest.values())
