"""`make demo` (python -m microcredential_xblock.demo) on a fresh data directory, over HTTP, without a browser."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.request

import pytest

from badge_issuer.keystore import load_issuer
from microcredential_xblock.demo.scenarios import OLX_DIR
from tests.browser.server import SCENARIO, DemoServer
from tests.test_credential_block import editor_form, make_block


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
        "/resource/microcredential/public/common/i18n/it.js",
    ):
        assert demo.get(path)[0] == 200, path
    status, body = demo.get("/microvet/credentials/00000000-0000-4000-8000-000000000000")
    assert status == 404 and b"Traceback" not in body


def test_studio_view_renders_the_editor(demo):
    status, body = demo.get(f"/scenario/{SCENARIO}/studio_view/")
    assert status == 200 and b'name="eqf_level"' in body and b"MicrovetCredentialEditor" in body


def test_scenario_pages_never_show_the_olx(demo):
    """The scenario's OLX holds the answer key: the workbench's own page prints it, the demo's does not."""
    assert 'correct="true"' in (OLX_DIR / "designing-micro-credentials.xml").read_text(encoding="utf-8")
    for path in (f"/scenario/{SCENARIO}/?student=demo-visitor", f"/view/{SCENARIO}/"):
        html = demo.get(path)[1].decode()
        assert "&lt;question" not in html and "correct=&quot;true" not in html and 'correct="true"' not in html, path


class Session:
    """A visitor with the workbench's CSRF cookie, posting JSON to handlers as the blocks' scripts do."""

    def __init__(self, demo, student: str):
        self.demo, self.student = demo, student
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def page(self, view: str = "") -> str:
        url = f"{self.demo.url}/scenario/{SCENARIO}/{view + '/' if view else ''}?student={self.student}"
        with self.opener.open(url, timeout=30) as response:
            return response.read().decode()

    def post(self, usage: str, handler: str, body: dict) -> tuple[int, dict]:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        request = urllib.request.Request(  # noqa: S310 - the local demo
            f"{self.demo.url}/handler/{usage}/{handler}/?student={self.student}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": token, "Referer": self.demo.url + "/"},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())


def test_the_learner_card_follows_the_published_version_only(demo):
    author, learner = Session(demo, "author"), Session(demo, "demo-learner")
    editor = author.page("studio_view")
    usage = re.search(r"data-usage=.([^'\"]*[.]microcredential[.][^'\"]*)", editor).group(1)
    assert 'class="microvet-publish"' in editor  # the demo's author publishes (no Studio here)
    assert "Designing micro-credentials for VET" in learner.page()  # published on first run, as an import is
    form = {"display_name": "Designing micro-credentials for VET, second edition"}
    status, saved = author.post(usage, "studio_submit", {**editor_form(make_block()), **form})
    assert status == 200 and saved["ok"], saved
    assert "second edition" not in learner.page()  # saved is not published
    status, published = author.post(usage, "demo_publish", {})
    assert status == 200 and published["ok"], published
    assert "second edition" in learner.page()


def test_second_run_keeps_the_keys(demo, tmp_path):
    before = (demo.var / "keys" / "default" / "issuer.json").read_bytes()
    demo.stop()
    again = DemoServer(demo.var, port=demo.port).start()
    try:
        assert (demo.var / "keys" / "default" / "issuer.json").read_bytes() == before
        assert again.get(f"/scenario/{SCENARIO}/")[0] == 200
    finally:
        again.stop()
