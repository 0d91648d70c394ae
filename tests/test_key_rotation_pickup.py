"""A running process signs with the new keys right after `microvet rotate` (issue 11, item 12).

The operator rotates from a shell (another process); the LMS, Studio and worker processes keep running.
They all reach the keys through ``service.config.issuer_keys``, which re-reads the key set when
issuer.json (the rotation's commit point) changes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import jwt
import pytest
from django.test import override_settings

from badge_issuer.keystore import generate_issuer, load_issuer
from badge_issuer.resolve import OfflineResolver
from badge_issuer.verify import verify
from microcredential_xblock.service import api
from microcredential_xblock.service.config import issuer_keys
from microcredential_xblock.service.models import StatusList
from microcredential_xblock.service.views import _status_fetcher
from tests.djsettings import MICROVET
from tests.service_fixtures import COURSE, MC_BLOCK, QUIZ1, RULES, all_validated, example_definition

pytestmark = [pytest.mark.storage, pytest.mark.django_db]


@pytest.fixture
def rotating_issuer(tmp_path):
    keys_dir = tmp_path / "keys"
    generate_issuer(keys_dir / "default", did="web", domain="lms.example.org", path="microvet", profile={"name": "R"})
    with override_settings(MICROVET={**MICROVET, "KEYS_DIR": str(keys_dir)}):
        yield keys_dir / "default"
    shutil.rmtree(keys_dir, ignore_errors=True)


def _rotate(directory) -> None:
    """`microvet rotate --keys DIR` in its own process, as an operator runs it."""
    subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "badge_issuer.cli", "rotate", "--keys", str(directory)],
        check=True,
        capture_output=True,
    )


def _learner(i: int) -> api.Learner:
    return api.Learner(user_id=f"rot-{i}", email=f"rot{i}@example.org")


def _proof_method(document) -> str:
    proof = document["proof"]
    (proof,) = proof if isinstance(proof, list) else [proof]
    return proof["verificationMethod"]


def _signing_keys(credential) -> tuple[str, str]:
    vm = _proof_method(credential.document)
    kid = jwt.get_unverified_header(credential.jwt)["kid"] if credential.jwt else ""
    return vm, kid


def test_issuance_uses_the_rotated_keys_without_a_restart(rotating_issuer):
    api.register_definition(COURSE, MC_BLOCK, example_definition(), RULES)
    (before,) = api.record_assessment(_learner(1), COURSE, QUIZ1, all_validated(), 9, 10)
    old = issuer_keys()
    _rotate(rotating_issuer)
    (after,) = api.record_assessment(_learner(2), COURSE, QUIZ1, all_validated(), 9, 10)

    rotated = load_issuer(rotating_issuer)
    assert rotated.active_di != old.active_di
    assert _signing_keys(after.credential) == (
        rotated.vm_id(rotated.active_di),
        rotated.vm_id(rotated.active_jwt),
    )
    assert issuer_keys().active_di == rotated.active_di
    resolver = OfflineResolver(issuers=[issuer_keys()])
    for credential in (before.credential, after.credential):  # the old one still verifies
        assert verify(credential.document, resolver=resolver, status_fetcher=_status_fetcher).ok


def test_status_list_changes_are_signed_with_the_new_key(rotating_issuer):
    api.register_definition(COURSE, MC_BLOCK, example_definition(), RULES)
    (progress,) = api.record_assessment(_learner(3), COURSE, QUIZ1, all_validated(), 9, 10)
    _rotate(rotating_issuer)
    api.revoke(progress.credential.uuid, actor="staff", reason="test")
    rotated = load_issuer(rotating_issuer)
    assert _proof_method(StatusList.objects.get().signed) == rotated.vm_id(rotated.active_di)


def test_an_unchanged_key_set_is_not_read_again(rotating_issuer):
    assert issuer_keys() is issuer_keys()
