"""`make demo` (python -m microcredential_xblock.demo) on a fresh data directory, over HTTP, without a browser."""

from __future__ import annotations

import pytest

from badge_issuer.keys import load_issuer
from tests.browser.server import SCENARIO, DemoServer


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    server = DemoServer(tmp_path_factory.mktemp("demo-var")).start()
    yield server
    server.stop()


def test_first_run_creates_database_and_development_keys(demo):
    keys = demo.var / "keys" / "default"
    assert (demo.var / "workbench.db").is_file()
    assert load_issuer(keys).issuer_id.startswith("did:key:z6Mk")
    private = [p for p in (keys / "keys").iterdir() if p.is_file()]
    assert private and all(p.stat().st_mode & 0o077 == 0 for p in private)


def test_sample_scenario_shows_the_card_and_the_assessments(demo):
    status, body = demo.get(f"/scenario/{SCENARIO}/?student=demo-visitor")
    html = body.decode()
    assert status == 200
    assert "Designing micro-credentials for VET" in html and "In progress" in html
    assert html.count('data-block-type="outcome_assessment"') + html.count("data-block-type='outcome_assessment'") == 2
    assert "Traceback" not in html


def test_assets_and_public_urls_are_served_locally(demo):
    for path in (
        "/resource/microcredential/public/credential/credential.js",
        "/resource/microcredential/public/credential/credential.css",
        "/resource/microcredential/public/credential/i18n/it.js",
    ):
        assert demo.get(path)[0] == 200, path
    status, body = demo.get("/microvet/credentials/00000000-0000-4000-8000-000000000000")
    assert status == 404 and b"Traceback" not in body


def test_studio_view_renders_the_editor(demo):
    status, body = demo.get(f"/scenario/{SCENARIO}/studio_view/")
    assert status == 200 and b'name="eqf_level"' in body and b"MicrovetCredentialEditor" in body


def test_second_run_keeps_the_keys(demo, tmp_path):
    before = (demo.var / "keys" / "default" / "issuer.json").read_bytes()
    demo.stop()
    again = DemoServer(demo.var, port=demo.port).start()
    try:
        assert (demo.var / "keys" / "default" / "issuer.json").read_bytes() == before
        assert again.get(f"/scenario/{SCENARIO}/")[0] == 200
    finally:
        again.stop()
