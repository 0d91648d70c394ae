"""The credential card's "Add to a wallet" part: its HTML and the handler that makes a one-time offer.

``blocks/credential.py`` only hooks these in (one include, one handler, one script), so the card's
owner and the wallet code change independently.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from xblock.utils.resources import ResourceLoader

from .links import qr_svg
from .settings import wallet_settings

log = logging.getLogger(__name__)
LOADER = ResourceLoader("microcredential_xblock")
SCRIPT = "public/wallet/wallet.js"
STYLE = "public/wallet/wallet.css"


def render(block: Any, translations: Any) -> SafeString:
    """The button and the (empty, hidden) panel that ``wallet.js`` fills from the handler's answer."""
    html = LOADER.render_django_template(
        "templates/microvet/wallet/card.html",
        {
            "offer_url": block.runtime.handler_url(block, "wallet_offer"),
            "element_id": block.usage_key.replace(".", "-"),
        },
        i18n_service=translations,
    )
    return mark_safe(html)  # noqa: S308  (rendered by Django with autoescape from our own template)


def add_assets(block: Any, fragment: Any) -> None:
    fragment.add_css_url(block.runtime.local_resource_url(block, STYLE))
    fragment.add_javascript_url(block.runtime.local_resource_url(block, SCRIPT))


def wallet_offer(block: Any, gettext: Any) -> dict[str, Any]:
    """A new one-time offer of the learner's current credential: QR codes, links, transaction code."""
    from ..blocks.common import service_api  # noqa: PLC0415  (the service app may be absent)
    from . import offers  # noqa: PLC0415  (needs the service's models)

    api = service_api()
    refusal = {"ok": False, "message": gettext("Only an earned, valid credential can be added to a wallet.")}
    if api is None:
        return refusal
    try:
        learner = block._learner()
        progress = api.learner_progress(learner, block.course_key, block.usage_key)
        if progress.state != api.EARNED:
            return refusal
        offer = offers.create_offer(learner.user_id, progress.microcredential_id)
    except (ValueError, LookupError):  # bad input, or nothing published/issued for this block yet
        return refusal
    except Exception:  # any failure: a message for the learner, the traceback in the log
        log.exception("microvet: wallet offer failed for %s", block.usage_key)
        return {"ok": False, "message": gettext("The wallet offer could not be created. Please try again later.")}
    minutes = max(1, wallet_settings().offer_seconds // 60)
    return {
        "ok": True,
        "offer_uri": offer.offer_uri,
        "qr": qr_svg(offer.offer_uri, gettext("QR code of the wallet offer")),
        "tx_code": offer.tx_code,
        "lcw_uri": offer.lcw_uri,
        "lcw_qr": qr_svg(offer.lcw_app_uri, gettext("QR code for the Learner Credential Wallet")),
        "expires_at": offer.expires_at.isoformat(),
        "message": gettext(
            "These codes work once and expire in %(minutes)s minutes. The wallet receives your credential "
            "re-issued to the wallet's own key; the earlier copy is then replaced."
        )
        % {"minutes": minutes},
    }
