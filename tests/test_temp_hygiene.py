"""The end-of-run check (tests/conftest.py) finds private keys a run leaves in the temp dir, and only those."""

from __future__ import annotations

import os
import subprocess
import sys

from badge_issuer.keystore import generate_issuer
from tests import djsettings
from tests.temp_hygiene import holds_private_key, leftovers

OWNER = djsettings.RUN_OWNER_FILE


def _names(folder) -> list[str]:
    return [entry.name for entry in folder.iterdir()]


def test_an_issuer_folder_left_behind_is_found(tmp_path):
    before = _names(tmp_path)
    generate_issuer(tmp_path / "microvet-test-keys-x" / "default", did="key", profile={"name": "Aurora VET"})
    (tmp_path / "notes.txt").write_text("no key here", encoding="utf-8")
    assert leftovers(tmp_path, before, OWNER) == [tmp_path / "microvet-test-keys-x"]


def test_entries_that_were_there_before_and_key_free_ones_are_not_leftovers(tmp_path):
    generate_issuer(tmp_path / "older", did="key", profile={"name": "Aurora VET"})
    before = _names(tmp_path)
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "server.log").write_text('{"d": 1}', encoding="utf-8")
    assert leftovers(tmp_path, before, OWNER) == []


def test_a_private_jwk_is_key_material(tmp_path):
    (tmp_path / "wallet.json").write_text('{"kty": "OKP", "crv": "Ed25519", "x": "a", "d": "b"}', encoding="utf-8")
    (tmp_path / "public.json").write_text('{"kty": "OKP", "crv": "Ed25519", "x": "a"}', encoding="utf-8")
    assert holds_private_key(tmp_path / "wallet.json")
    assert not holds_private_key(tmp_path / "public.json")


def test_a_parallel_run_folder_is_a_leftover_only_once_that_run_has_ended(tmp_path):
    """Work trees share /tmp: another run's folder is not this run's leftover while that run is alive."""
    before = _names(tmp_path)
    other_run = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        generate_issuer(tmp_path / "other" / "keys" / "default", did="key", profile={"name": "Aurora VET"})
        (tmp_path / "other" / OWNER).write_text(str(other_run.pid), encoding="ascii")
        assert leftovers(tmp_path, before, OWNER) == []
    finally:
        other_run.kill()
        other_run.wait()
    assert leftovers(tmp_path, before, OWNER) == [tmp_path / "other"]


def test_this_run_keeps_its_temp_files_in_its_own_folder(tmp_path):
    """pytest's tmp_path and the test keys are inside the run's folder, which the run removes at its end."""
    assert djsettings.RUN_DIR in tmp_path.parents
    assert djsettings.RUN_DIR in djsettings.RUN_DIR.joinpath("keys").parents
    assert os.environ["TMPDIR"] == str(djsettings.RUN_DIR)
