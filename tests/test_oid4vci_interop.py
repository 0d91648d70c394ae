"""Real wallet code against the plugin on loopback (Django's live server), verified by DCC's verifier-core.

interop/oid4vci/wallet.mjs drives @openid4vc/openid4vci (the OID4VCI client of Credo-based wallets)
through offer, metadata, token, nonce and credential, and replays the Learner Credential Wallet's
VC-API exchange with DCC's own vc library; verifier-core then checks what the wallet received. Its
HTTP layer answers only the loopback server and local files (anything else is refused and fails the
test). The credentials carry the project's terms inline (ADR 0012): no unpublished context is served.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from badge_issuer.proofs.jwt import verify_jwt
from badge_issuer.resolve import OfflineResolver
from microcredential_xblock.service.config import issuer_keys
from microcredential_xblock.service.models import IssuedCredential, WalletOffer
from microcredential_xblock.wallet import offers
from tests.conftest import ROOT, require
from tests.service_fixtures import LEARNER, definition, earned, registered  # noqa: F401

pytestmark = [pytest.mark.interop, pytest.mark.django_db(transaction=True)]
NODE = shutil.which("node")
WALLET_DIR = ROOT / "interop" / "oid4vci"
PACKAGE = ROOT / "badge_issuer"
REGISTRY = "https://registry.invalid/registry.json"
#: The OB 3.0 JSON Schemas by their $id: verifier-core's schema check fetches the credentialSchema.
SCHEMAS = {json.loads(path.read_text())["$id"]: str(path) for path in (PACKAGE / "schemas").glob("*.json")}


@pytest.fixture(autouse=True)
def _node() -> None:
    require(
        NODE is not None and (WALLET_DIR / "node_modules" / "@openid4vc" / "openid4vci").is_dir(),
        "Node.js with interop/oid4vci/node_modules (make node)",
    )


@pytest.fixture
def loopback(live_server, settings):
    settings.MICROVET = {**settings.MICROVET, "BASE_URL": live_server.url}
    return live_server.url


def run_wallet(tmp_path: Path, server: str, **plan) -> dict:
    keys = issuer_keys()
    registry = tmp_path / "registry.json"
    registry.write_text(
        json.dumps(
            {
                "registry": {
                    keys.issuer_id: {"name": "Aurora VET", "url": "https://aurora-vet.example.it", "location": "IT"}
                }
            }
        )
    )
    files = {REGISTRY: str(registry), **SCHEMAS}
    # The test issuer is did:web:lms.example.org:microvet: its DID document is this server's /microvet/did.json.
    plan = {
        "server": server,
        "rewrite": {"https://lms.example.org/": server + "/"},
        "files": files,
        "registry": REGISTRY,
        **plan,
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    proc = subprocess.run(  # noqa: S603
        [NODE, str(WALLET_DIR / "wallet.mjs"), str(path)], capture_output=True, text=True, timeout=180, check=False
    )
    assert proc.stdout, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["refused"] == [], f"the wallet tried to leave the machine: {result['refused']}"
    assert result["ok"], result.get("error")
    return result


def _log(verification: dict) -> dict[str, bool]:
    return {entry["id"]: entry["valid"] for entry in verification["log"]}


def test_oid4vci_client_gets_an_ldp_vc_that_verifier_core_accepts(tmp_path, loopback, earned):  # noqa: F811
    offer = offers.create_offer(LEARNER.user_id, earned.microcredential_id)
    result = run_wallet(tmp_path, loopback, mode="oid4vci", link=offer.offer_uri, txCode=offer.tx_code, format="ldp_vc")
    credential = result["credential"]
    assert credential["credentialSubject"]["id"] == result["holder"]
    verification = result["verification"]
    assert "errors" not in verification, verification
    assert _log(verification) == {
        "valid_signature": True,
        "expiration": True,
        "suspension_status": True,  # the test service publishes suspension lists
        "registered_issuer": True,
    }, verification
    # Local files only: the registry and the OB schema; no context but the standard, bundled ones.
    assert set(result["served"]) <= {REGISTRY, *SCHEMAS}, result["served"]
    assert verification["additionalInformation"][0]["results"][0]["result"] == {"valid": True}  # OB 3.0 schema
    new = IssuedCredential.objects.get(document__id=credential["id"])
    assert new.replaces_id == earned.pk and WalletOffer.objects.get(kind=WalletOffer.OID4VCI).credential == new


def test_oid4vci_client_gets_a_jwt_vc_json(tmp_path, loopback, earned):  # noqa: F811
    offer = offers.create_offer(LEARNER.user_id, earned.microcredential_id)
    result = run_wallet(
        tmp_path, loopback, mode="oid4vci", link=offer.offer_uri, txCode=offer.tx_code, format="jwt_vc_json"
    )
    credential, checks = verify_jwt(result["credential"], OfflineResolver(issuers=[issuer_keys()]))
    assert all(check.passed for check in checks), checks
    assert credential["credentialSubject"]["id"] == result["holder"]


def test_learner_credential_wallet_exchange_gets_a_credential_verifier_core_accepts(tmp_path, loopback, earned):  # noqa: F811
    offer = offers.create_offer(LEARNER.user_id, earned.microcredential_id)
    result = run_wallet(tmp_path, loopback, mode="lcw", link=offer.lcw_uri)
    assert result["query"] == [{"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}]}]
    assert result["credential"]["credentialSubject"]["id"] == result["holder"]
    assert _log(result["verification"])["valid_signature"] is True, result["verification"]
    assert WalletOffer.objects.get(kind=WalletOffer.VCAPI).redeemed_at is not None
