"""Wallet delivery settings, read from ``settings.MICROVET`` (the service's settings dict)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # .. setting_name: MICROVET['WALLET_OFFER_SECONDS']
    # .. setting_default: 600
    # .. setting_description: How long a wallet offer (QR code / link on the credential card) can be redeemed.
    "WALLET_OFFER_SECONDS": 600,
    # .. setting_name: MICROVET['WALLET_TOKEN_SECONDS']
    # .. setting_default: 300
    # .. setting_description: Lifetime of the access token a wallet gets for an offer (and of a LCW exchange).
    "WALLET_TOKEN_SECONDS": 300,
    # .. setting_name: MICROVET['WALLET_NONCE_SECONDS']
    # .. setting_default: 300
    # .. setting_description: Lifetime of a c_nonce from the nonce endpoint (single use).
    "WALLET_NONCE_SECONDS": 300,
    # .. toggle_name: MICROVET['WALLET_TX_CODE']
    # .. toggle_implementation: SettingDictToggle
    # .. toggle_default: True
    # .. toggle_description: Protect OID4VCI offers with a 6-digit transaction code shown to the learner on
    #   the card, so that a photographed QR code alone does not hand the credential to someone else.
    # .. toggle_use_cases: open_edx
    # .. toggle_creation_date: 2026-12-01
    "WALLET_TX_CODE": True,
    # .. setting_name: MICROVET['WALLET_LOGO_URI']
    # .. setting_default: ""
    # .. setting_description: https URL of the issuer's logo for the credential issuer metadata (empty: none).
    "WALLET_LOGO_URI": "",
}


@dataclass(frozen=True)
class WalletSettings:
    offer_seconds: int
    token_seconds: int
    nonce_seconds: int
    tx_code: bool
    logo_uri: str


def wallet_settings() -> WalletSettings:
    raw = {**DEFAULTS, **getattr(settings, "MICROVET", {})}
    return WalletSettings(
        offer_seconds=int(raw["WALLET_OFFER_SECONDS"]),
        token_seconds=int(raw["WALLET_TOKEN_SECONDS"]),
        nonce_seconds=int(raw["WALLET_NONCE_SECONDS"]),
        tx_code=bool(raw["WALLET_TX_CODE"]),
        logo_uri=str(raw["WALLET_LOGO_URI"] or ""),
    )
