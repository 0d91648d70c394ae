"""Wallet links and their QR codes (framework-free).

QR codes are drawn server-side as inline SVG by ``segno`` (pure Python, BSD): no script library in
the learner's browser, and the SVG is plain paths with nothing from the user inside.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import segno

OFFER_SCHEME = "openid-credential-offer://"
#: The Learner Credential Wallet's links for a request (its app.config LinkConfig): the universal link
#: opens the app where it is installed and DCC's page about the app elsewhere; the custom scheme is
#: what every LCW version's QR scanner recognises (app/lib/decode.ts isDeepLink).
LCW_UNIVERSAL = "https://lcw.app/request"
LCW_SCHEME = "dccrequest://request"


def offer_link(credential_offer_uri: str) -> str:
    """An OID4VCI Credential Offer by reference (section 4.1.3): only an opaque URL, nothing personal."""
    return OFFER_SCHEME + "?" + urlencode({"credential_offer_uri": credential_offer_uri}, quote_via=quote)


def lcw_link(origin: str, exchange_url: str, *, base: str = LCW_UNIVERSAL) -> str:
    """LCW's credential request link naming our VC-API exchange (``protocols.vcapi``)."""
    request = {"credentialRequestOrigin": origin, "protocols": {"vcapi": exchange_url}}
    return base + "?" + urlencode({"request": json.dumps(request, separators=(",", ":"))}, quote_via=quote)


def qr_svg(data: str, title: str) -> str:
    """Inline SVG of a QR code (error correction M) with an accessible title."""
    return segno.make(data, error="m", micro=False).svg_inline(
        scale=4,
        border=4,
        dark="#000",
        light="#fff",
        title=title,
        svgclass="microvet-wallet__qr",
        lineclass=None,
        omitsize=True,
    )
