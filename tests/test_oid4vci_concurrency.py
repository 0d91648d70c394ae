"""One credential per offer under parallel requests, decided by the database (SQLite, MariaDB, PostgreSQL)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connections
from django.test import Client

from microcredential_xblock.service import api
from microcredential_xblock.service.models import IssuedCredential, WalletOffer
from microcredential_xblock.wallet import offers
from tests.oid4vci_wallet import WalletKey, fetch_offer, request_credential, take_nonce, take_token
from tests.service_fixtures import COURSE, LEARNER, MC_BLOCK, QUIZ1, RULES, all_validated, example_definition
from tests.test_concurrency import _in_parallel
from tests.test_oid4vci_lcw import did_auth

pytestmark = [pytest.mark.storage, pytest.mark.django_db(transaction=True)]
PARALLEL = 8


def _offer():
    api.register_definition(COURSE, MC_BLOCK, example_definition(), RULES)
    (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    offer = offers.create_offer(LEARNER.user_id, progress.microcredential_id)
    code = fetch_offer(Client(), offer.offer_uri)["grants"][offers.PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    return progress.credential, offer, code


def test_parallel_token_requests_get_one_token():
    _credential, offer, code = _offer()
    results, errors = _in_parallel(lambda i: take_token(Client(), code, offer.tx_code).status_code, PARALLEL)
    assert errors == []
    assert sorted(results) == [200] + [400] * (PARALLEL - 1)


def test_parallel_credential_requests_for_one_offer_issue_one_credential():
    credential, offer, code = _offer()
    token = take_token(Client(), code, offer.tx_code).json()["access_token"]
    key = WalletKey.ed25519()
    body_for = dict.fromkeys(range(PARALLEL))
    for i in body_for:  # proofs with their own nonces, made before the race
        proof = key.proof(take_nonce(Client()))
        body_for[i] = {
            "credential_configuration_id": offers.configuration_id(credential.microcredential_id, "ldp_vc"),
            "proofs": {"jwt": [proof]},
        }
    connections.close_all()
    results, errors = _in_parallel(lambda i: request_credential(Client(), token, body_for[i]).status_code, PARALLEL)
    assert errors == []
    assert sorted(results) == [200] + [401] * (PARALLEL - 1)
    assert IssuedCredential.objects.count() == 2  # the earned one and its one re-issue to the wallet
    assert IssuedCredential.objects.filter(subject_did=key.did_key).count() == 1
    assert WalletOffer.objects.get(kind=WalletOffer.OID4VCI).credential.subject_did == key.did_key


def test_parallel_lcw_presentations_for_one_exchange_issue_one_credential():
    _credential, offer, _code = _offer()
    request = json.loads(parse_qs(urlsplit(offer.lcw_uri).query)["request"][0])
    path = urlsplit(request["protocols"]["vcapi"]).path
    vpr = Client().post(path, "{}", content_type="application/json").json()["verifiablePresentationRequest"]
    presentations = [did_auth(vpr["challenge"], vpr["domain"]) for _i in range(PARALLEL)]
    connections.close_all()

    def present(i: int) -> int:
        body = json.dumps({"verifiablePresentation": presentations[i]})
        return Client().post(path, body, content_type="application/json").status_code

    results, errors = _in_parallel(present, PARALLEL)
    assert errors == []
    assert sorted(results) == [200] + [404] * (PARALLEL - 1)
    assert IssuedCredential.objects.count() == 2
