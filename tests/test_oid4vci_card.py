"""The card's "Add to a wallet": the block (ToyRuntime) with the real service and database."""

from __future__ import annotations

import pytest
from xblock.test import toy_runtime

from microcredential_xblock.service import api
from microcredential_xblock.service.models import WalletOffer
from microcredential_xblock.wallet.links import qr_svg
from tests.test_credential_block import call, make_block

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_toy_runtime(monkeypatch):
    monkeypatch.setattr(toy_runtime, "TOYRUNTIME_KVS", toy_runtime.ToyRuntimeKeyValueStore({}))


def _earn(block) -> None:
    api.publish(block.course_key, {block.usage_key: block.published_pair()}, may_sign=True, complete=False)
    definition = block.definition_dict()
    scores = {lo["id"]: api.OutcomeScore(1.0, True) for lo in definition["learning_outcomes"]}
    learner = block._learner()
    (progress,) = api.record_assessment(learner, block.course_key, "quiz.outcome_assessment.d0.u0", scores, 10, 10)
    assert progress.state == api.EARNED, progress


def test_no_wallet_button_before_the_credential_is_earned():
    block = make_block()
    html = block.student_view().content
    assert "microvet-wallet" not in html
    assert call(block, "wallet_offer", {}) == {
        "ok": False,
        "message": "Only an earned, valid credential can be added to a wallet.",
    }
    assert not WalletOffer.objects.exists()


def test_earned_card_offers_a_wallet_and_the_handler_makes_a_one_time_offer():
    block = make_block()
    _earn(block)
    fragment = block.student_view()
    assert "Add to a wallet" in fragment.content and 'data-offer-url="' in fragment.content
    assert any(r.data.endswith("public/wallet/wallet.js") for r in fragment.resources if r.kind == "url")
    answer = call(block, "wallet_offer", {})
    assert answer["ok"] is True
    assert answer["offer_uri"].startswith("openid-credential-offer://?credential_offer_uri=")
    assert answer["lcw_uri"].startswith("https://lcw.app/request?request=")
    assert answer["lcw_qr"] == qr_svg(
        answer["lcw_uri"].replace("https://lcw.app/request?", "dccrequest://request?"),
        "QR code for the Learner Credential Wallet",
    )
    assert answer["qr"] == qr_svg(answer["offer_uri"], "QR code of the wallet offer")
    assert len(answer["tx_code"]) == 6 and "10 minutes" in answer["message"]
    assert WalletOffer.objects.filter(learner_id=block._learner().user_id).count() == 2
    # every click is a new offer: earlier QR codes stay one-time and expire on their own
    assert call(block, "wallet_offer", {})["offer_uri"] != answer["offer_uri"]


def test_other_learners_cannot_take_an_offer_for_someone_else():
    alice = make_block(user="alice")
    _earn(alice)
    bob = make_block(user="bob")
    assert call(bob, "wallet_offer", {})["ok"] is False
    assert not WalletOffer.objects.filter(learner_id=bob._learner().user_id).exists()
