"""System checks and settings: clear messages for missing keys, unreadable key files, no country."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.test import override_settings

from badge_issuer.keystore import generate_issuer
from microcredential_xblock.service import api
from microcredential_xblock.service.checks import check_configuration
from microcredential_xblock.service.config import config
from tests.service_fixtures import COURSE, LEARNER, QUIZ1, all_validated


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_test_settings_pass_the_checks():
    assert check_configuration() == []


def test_missing_keys_dir(tmp_path):
    with override_settings(MICROVET={"KEYS_DIR": ""}):
        assert ids(check_configuration()) == ["microvet.E001"]
    with override_settings(MICROVET={"KEYS_DIR": str(tmp_path / "absent")}):
        (message,) = check_configuration()
        assert message.id == "microvet.E002" and "absent" in message.msg


def test_unreadable_or_wrong_key_file(tmp_path):
    generate_issuer(tmp_path / "default", profile={"name": "X", "country": "IT"})
    (key_file,) = (tmp_path / "default" / "keys").iterdir()
    key_file.write_text("not a key")
    with override_settings(MICROVET={"KEYS_DIR": str(tmp_path), "BASE_URL": "https://x.example"}):
        (message,) = check_configuration()
    assert message.id == "microvet.E003" and str(key_file) in message.msg
    assert "BEGIN" not in message.msg


def test_issuer_without_country_and_bad_options(tmp_path):
    generate_issuer(tmp_path, profile={"name": "No country"})
    settings = {"KEYS_DIR": str(tmp_path), "FORMATS": ["pdf"], "STATUS_PURPOSE": "message"}
    with override_settings(MICROVET=settings):
        assert ids(check_configuration()) == ["microvet.E004", "microvet.E005", "microvet.E006", "microvet.W001"]


def test_defaults_are_safe():
    with override_settings(MICROVET={}):
        cfg = config()
    assert cfg.formats == ("di", "jwt") and cfg.issue_in_background is False and cfg.include_name is False
    assert cfg.keys_dir is None


@pytest.mark.django_db
def test_revocation_lists_refuse_suspension(registered):
    with override_settings(MICROVET={**settings.MICROVET, "STATUS_PURPOSE": "revocation"}):
        (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
        with pytest.raises(api.InvalidInput) as caught:
            api.suspend(progress.credential.uuid, actor="staff", reason="x")
    assert caught.value.subject == "action"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_keys_dir(tmp_path):
    (tmp_path / "keys").mkdir(mode=0)
    try:
        with override_settings(MICROVET={"KEYS_DIR": str(tmp_path / "keys")}):
            assert ids(check_configuration()) == ["microvet.E002"]
    finally:
        (tmp_path / "keys").chmod(0o700)
