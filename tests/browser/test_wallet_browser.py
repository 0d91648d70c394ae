"""The card's "Add to a wallet" in Chromium: the QR codes on screen decode to the links, and the offer
they carry gives a wallet the learner's credential from the running demo."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request

import png
import pytest
from playwright.sync_api import expect

from tests.browser.test_demo_browser import card, earn, serious_axe_violations
from tests.conftest import require
from tests.oid4vci_wallet import WalletKey

pytestmark = pytest.mark.browser

try:
    import zxingcpp
except ImportError:  # skipped locally, a failure under CI=true (require below)
    zxingcpp = None


def decode_qr(png_bytes: bytes) -> str:
    """The text of the one QR code in a screenshot (zxing-cpp on the greyscale pixels)."""
    width, height, rows, info = png.Reader(bytes=png_bytes).asDirect()
    planes, top = info["planes"], (1 << info["bitdepth"]) - 1
    grey = bytearray(value * 255 // top for row in rows for value in list(row)[0::planes])
    (found,) = zxingcpp.read_barcodes(memoryview(bytes(grey)).cast("B", shape=[height, width]))
    return found.text


def _post(url: str, data: bytes, content_type: str, token: str | None = None) -> dict:
    headers = {"Content-Type": content_type, **({"Authorization": f"Bearer {token}"} if token else {})}
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def redeem(offer_link: str, tx_code: str) -> tuple[WalletKey, dict]:
    """The pre-authorized flow against the demo, as a wallet would run it after scanning the code."""
    offer_uri = urllib.parse.parse_qs(urllib.parse.urlsplit(offer_link).query)["credential_offer_uri"][0]
    with urllib.request.urlopen(offer_uri, timeout=30) as response:  # noqa: S310  (the loopback demo)
        offer = json.loads(response.read())
    issuer = offer["credential_issuer"]
    with urllib.request.urlopen(f"{issuer}/.well-known/openid-credential-issuer", timeout=30) as response:  # noqa: S310
        metadata = json.loads(response.read())
    code = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["pre-authorized_code"]
    form = urllib.parse.urlencode(
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": code,
            "tx_code": tx_code,
        }
    ).encode()
    token = _post(f"{issuer}/token", form, "application/x-www-form-urlencoded")["access_token"]
    nonce = _post(metadata["nonce_endpoint"], b"", "application/json")["c_nonce"]
    key = WalletKey.ed25519()
    configuration = next(c for c in offer["credential_configuration_ids"] if c.endswith("_ldp_vc"))
    body = {
        "credential_configuration_id": configuration,
        "proofs": {"jwt": [key.proof(nonce, aud=issuer, iat=time.time())]},
    }
    answer = _post(metadata["credential_endpoint"], json.dumps(body).encode(), "application/json", token)
    return key, answer["credentials"][0]["credential"]


def test_add_to_a_wallet_shows_qr_codes_that_decode_to_the_links(demo_server, watched):
    require(zxingcpp is not None, "the zxing-cpp package (QR decoding)")
    page = watched.page
    earn(watched, demo_server, "walt")
    first_id = card(page).locator(".microvet-share__url").input_value()
    wallet = card(page).locator(".microvet-wallet")
    with page.expect_response(lambda r: "wallet_offer" in r.url) as response:
        wallet.get_by_role("button", name="Add to a wallet").click()
    assert response.value.ok
    panel = wallet.locator(".microvet-wallet__panel")
    expect(panel).to_be_visible()
    assert wallet.get_by_role("button", name="Add to a wallet").get_attribute("aria-expanded") == "true"
    link = wallet.get_by_role("link", name="Open in a wallet app").get_attribute("href")
    lcw = wallet.get_by_role("link", name="Open in Learner Credential Wallet").get_attribute("href")
    assert link.startswith("openid-credential-offer://?credential_offer_uri=")
    assert lcw.startswith("https://lcw.app/request?request=")
    assert "walt" not in link and "walt" not in lcw  # nothing personal in either link
    tx_code = wallet.locator(".microvet-wallet__tx-code").inner_text().strip()
    assert len(tx_code) == 6 and tx_code.isdigit()
    assert decode_qr(wallet.locator("[data-qr=offer] svg").screenshot()) == link
    # the LCW code carries the same request under LCW's own scheme, which every LCW scanner knows
    assert decode_qr(wallet.locator("[data-qr=lcw] svg").screenshot()) == lcw.replace(
        "https://lcw.app/request?", "dccrequest://request?"
    )
    watched.screenshot("wallet-offer", locator=card(page))
    assert serious_axe_violations(page, ".microvet-wallet") == []
    page.set_viewport_size({"width": 360, "height": 780})
    assert card(page).evaluate("el => el.scrollWidth - el.clientWidth") <= 0  # fits a phone with the panel open
    assert watched.errors == [] and watched.dialogs == []

    key, credential = redeem(link, tx_code)
    assert credential["credentialSubject"]["id"] == key.did_key
    page.reload()
    assert card(page).locator(".microvet-state").inner_text().strip() == "Earned"
    assert card(page).locator(".microvet-share__url").input_value() != first_id  # the card shows the re-issue
