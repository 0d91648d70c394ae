"""The demo in Chromium: the learner path end to end, two learners, the author path, accessibility and XSS.

The tests share one demo server and run in file order: alice earns the credential with the sample
definition before the author edits it, and the XSS corpus goes in last (issued credentials keep the
definition they were issued with, so the XSS learner earns one carrying the corpus).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from lxml import etree
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, AXE
from tests.browser.server import SCENARIO
from tests.conftest import require
from tests.test_editor import png_bytes

pytestmark = pytest.mark.browser

DID_KEY = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
WRONG = {0: {"q-verb": "understand", "q-elements": "11"}}
RIGHT = {0: {"q-verb": "draft", "q-elements": "11"}, 1: {"q-method": "task", "q-iso": "ISO 21001"}}
#: Typed into every author field: each part would run script if it reached the DOM or SVG unescaped.
XSS = (
    "<script>window.__xss=1;alert('s')</script><img src=x onerror=\"window.__xss=1;alert('i')\">"
    '"><svg onload="window.__xss=1;alert(\'v\')"><a href="javascript:alert(\'j\')">j</a>'
)


def scenario(server, student: str, view: str = "") -> str:
    return f"{server.url}/scenario/{SCENARIO}/{view + '/' if view else ''}?student={student}"


def card(page):
    return page.locator(".microvet-card")


def answer(page, assessment: int, answers: dict[str, str]) -> dict:
    """Fill one assessment of the scenario and submit it; returns the server's JSON answer."""
    block = page.locator("[data-block-type=outcome_assessment]").nth(assessment)
    for question, value in answers.items():
        node = block.locator(f"[data-question='{question}']")
        if node.get_attribute("data-type") in ("single", "multiple"):
            node.locator(f"input[value='{value}']").check()
        else:
            node.locator("input[type=text]").fill(value)
    with page.expect_response(lambda r: "/submit/" in r.url) as response:
        block.locator(".mv-submit").click()
    assert response.value.ok, response.value.text()
    return response.value.json()


def outcome_states(page) -> list[str]:
    return [s.strip() for s in card(page).locator(".microvet-outcome__status").all_inner_texts()]


def earn(watched, server, student: str) -> None:
    page = watched.page
    page.goto(scenario(server, student))
    for index, answers in RIGHT.items():
        answer(page, index, answers)
    page.reload()


def download(page, link_name: str, target: Path) -> Path:
    with page.expect_download() as info:
        card(page).get_by_role("link", name=link_name, exact=True).click()
    info.value.save_as(target)
    return target


def verify_with_cli(server, credential: Path, resolve_dir: Path) -> subprocess.CompletedProcess:
    """``microvet verify`` with a local copy of the status lists the credential points to (offline check)."""
    document = json.loads(credential.read_text())
    entries = document.get("credentialStatus") or []
    for entry in entries if isinstance(entries, list) else [entries]:
        url = urlsplit(entry["statusListCredential"])
        status, body = server.get(url.path)
        assert status == 200
        target = resolve_dir.joinpath(url.netloc.replace(":", "_"), *url.path.strip("/").split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    command = [
        str(Path(sys.executable).with_name("microvet")),
        "verify",
        str(credential),
        "--resolve-dir",
        str(resolve_dir),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


# ------------------------------------------------------------------------------------------ learner path


def test_learner_fails_passes_earns_downloads_and_verifies(demo_server, watched, browser, tmp_path):
    page = watched.page
    page.goto(scenario(demo_server, "alice"))
    assert card(page).locator(".microvet-state").inner_text().strip() == "In progress"
    assert outcome_states(page) == ["Not yet validated"] * 3

    result = answer(page, 0, WRONG[0])
    assert result["score"]["percent"] < 100
    page.reload()
    states = outcome_states(page)
    assert states[0] == "Not yet validated" and states[1].startswith("Validated")
    watched.screenshot("learner-1-in-progress")

    answer(page, 0, RIGHT[0])
    answer(page, 1, RIGHT[1])
    page.reload()
    assert card(page).locator(".microvet-state").inner_text().strip() == "Earned"
    assert all(s.startswith("Validated") for s in outcome_states(page))
    assert "assessed by Assessment 2: assessment and quality assurance" in outcome_states(page)[2]
    watched.screenshot("credential-card", locator=card(page))

    credential = download(page, "Download (JSON-LD)", tmp_path / "credential.json")
    assert json.loads(credential.read_text())["credentialSubject"]["achievement"]["name"] == (
        "Designing micro-credentials for VET"
    )
    outcome = verify_with_cli(demo_server, credential, tmp_path / "resolve")
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    jwt = download(page, "Download (JWT)", tmp_path / "credential.jwt").read_text().strip()
    assert jwt.count(".") == 2
    assert download(page, "Badge (PNG)", tmp_path / "badge.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    svg = etree.fromstring(download(page, "Badge (SVG)", tmp_path / "badge.svg").read_bytes())
    assert svg.tag.endswith("svg")

    with browser.expect_page() as verification:
        card(page).get_by_role("link", name="Open the verification page").click()
    verify_page = verification.value
    verify_page.wait_for_load_state()
    assert "Valid: every check passed." in verify_page.inner_text("body")
    assert "Designing micro-credentials for VET" in verify_page.inner_text("h1")
    verify_page.screenshot(path=str(ARTIFACTS / "learner-3-verify.png"), full_page=True)
    verify_page.close()

    linkedin = urlsplit(card(page).get_by_role("link", name="Add to LinkedIn profile").get_attribute("href"))
    params = dict(parse_qsl(linkedin.query))
    assert linkedin.netloc == "www.linkedin.com" and params["startTask"] == "CERTIFICATION_NAME"
    assert params["certUrl"].endswith("/verify") and params["organizationName"].startswith("Istituto")
    assert watched.dialogs == [] and watched.errors == []


def test_share_link_by_keyboard_and_reissue_to_a_did(demo_server, watched, browser):
    page = watched.page
    browser.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo_server.url)
    page.goto(scenario(demo_server, "alice"))
    share = card(page).locator(".microvet-share__url").input_value()
    for _ in range(80):  # keyboard only: Tab until the copy button has focus, then Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('microvet-copy')"):
            break
    else:
        pytest.fail("the Copy link button cannot be reached with the keyboard")
    page.keyboard.press("Enter")
    expect(card(page).locator(".microvet-live")).to_have_text(
        re.compile(r"^(Link copied\.|Select the link and copy it\.)$")
    )
    if card(page).locator(".microvet-live").inner_text() == "Link copied.":
        assert page.evaluate("navigator.clipboard.readText()") == share

    did = card(page).get_by_label("Re-issue to your DID (optional)")
    did.fill("did:example:not-a-wallet")
    card(page).get_by_role("button", name="Re-issue").click()
    expect(card(page).locator(".microvet-error")).to_contain_text("did:key")
    expect(did).to_have_attribute("aria-invalid", "true")
    did.fill(DID_KEY)
    card(page).get_by_role("button", name="Re-issue").click()  # the card is swapped in, no reload
    expect(card(page).locator(".microvet-share__url")).not_to_have_value(share, timeout=20_000)
    assert card(page).locator(".microvet-state").inner_text().strip() == "Earned"
    expect(card(page).locator(".microvet-live")).to_contain_text("re-issued to did:key:")
    assert watched.errors == []


def test_two_learners_keep_separate_states(demo_server, watched):
    page = watched.page
    page.goto(scenario(demo_server, "bob"))
    assert card(page).locator(".microvet-state").inner_text().strip() == "In progress"
    assert outcome_states(page) == ["Not yet validated"] * 3
    answer(page, 1, RIGHT[1])
    page.reload()
    assert outcome_states(page)[2].startswith("Validated") and outcome_states(page)[0] == "Not yet validated"
    page.goto(scenario(demo_server, "alice"))
    assert card(page).locator(".microvet-state").inner_text().strip() == "Earned"
    page.goto(scenario(demo_server, "bob"))
    assert card(page).get_by_role("link", name="Download (JSON-LD)").count() == 0


def serious_axe_violations(page, selector: str) -> list[dict]:
    """axe-core's serious and critical findings inside ``selector`` (axe-core is installed, never fetched).

    axe is evaluated through the DevTools protocol, which a page's Content-Security-Policy does not
    govern: the public pages forbid inline script."""
    require(AXE.exists(), "axe-core (npm ci --prefix tests/browser)")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async (selector) => {
        const r = await axe.run(document.querySelector(selector));
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}));
    }""",
        selector,
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def test_card_is_accessible_and_fits_a_phone(demo_server, watched):
    page = watched.page
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(scenario(demo_server, "alice"))
    overflow = card(page).evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0
    watched.screenshot("learner-phone", locator=card(page))
    assert serious_axe_violations(page, ".microvet-card") == []


# ------------------------------------------------------------------------------------------ author path


def editor(page):
    """The micro-credential editor (the studio page also shows the assessments' editors)."""
    return page.locator(".microvet-editor")


def save(page) -> dict:
    with page.expect_response(lambda r: "/studio_submit/" in r.url) as response:
        page.locator(".microvet-save").click()
    return response.value.json()


def publish(page) -> dict:
    """The demo's Publish action: learners see a saved definition only once it is published (ADR 0009)."""
    with page.expect_response(lambda r: "/demo_publish/" in r.url) as response:
        editor(page).get_by_role("button", name="Publish", exact=True).click()
    assert response.value.ok, response.value.text()
    return response.value.json()


def test_author_invalid_value_refused_then_valid_value_saved(demo_server, watched):
    page = watched.page
    page.goto(scenario(demo_server, "author", "studio_view"))
    editor(page).get_by_label("Title").fill("Designing micro-credentials for VET, 2026 edition")
    eqf = editor(page).get_by_label("EQF level (1-8)")
    eqf.fill("9")
    answer_ = save(page)
    assert answer_["ok"] is False and "eqf_level" in answer_["errors"]
    error = page.locator("[data-field=eqf_level] .microvet-field-error")
    assert "from 1 to 8" in error.inner_text()
    assert eqf.get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "mv-eqf_level"
    assert editor(page).get_by_label("Title").input_value() == "Designing micro-credentials for VET, 2026 edition"
    watched.screenshot("author-1-refused", full_page=True)

    learner = watched.page.context.new_page()
    learner.goto(scenario(demo_server, "carol"))
    assert "EQF level 5" in card(learner).inner_text() and "2026 edition" not in card(learner).inner_text()

    eqf.fill("6")
    answer_ = save(page)
    assert answer_["ok"] is True
    assert (
        page.locator(".microvet-editor__status").inner_text() == "Saved. Learners see the change once it is published."
    )
    assert page.locator(".microvet-field-error:visible").count() == 0
    learner.reload()
    assert "EQF level 5" in card(learner).inner_text()  # saved, not yet published
    assert publish(page)["ok"] is True
    assert page.locator(".microvet-editor__status").inner_text() == "Published. Learners now see this version."
    learner.reload()
    text = card(learner).inner_text()
    assert "EQF level 6" in text and "Designing micro-credentials for VET, 2026 edition" in text
    learner.close()


def test_author_outcome_rows_and_rules(demo_server, watched):
    page = watched.page
    page.goto(scenario(demo_server, "author", "studio_view"))
    rows = page.locator(".microvet-outcome-row")
    assert rows.count() == 3
    assert serious_axe_violations(page, ".microvet-editor") == []
    editor(page).get_by_role("button", name="Add a learning outcome").click()
    assert rows.count() == 4
    rows.nth(3).get_by_label("The learner can…").fill("Explain the EQF.")
    rows.nth(3).get_by_label("ESCO skill URIs, one per line (optional)").fill("https://not-esco.example/skill")
    answer_ = save(page)
    assert "learning_outcomes[3].esco_skills" in answer_["errors"]
    assert "ESCO" in rows.nth(3).locator(".microvet-field-error").inner_text()
    rows.nth(3).get_by_role("button", name="Remove this outcome").click()
    editor(page).get_by_label("Advanced rules (JSON)").check()
    page.locator("#mv-rules_json").fill('{"all": [{"all_outcomes": true}, {"bogus": 1}]}')
    answer_ = save(page)
    assert "unknown rule kind" in page.locator("[data-field=rules_json] .microvet-field-error").inner_text()
    editor(page).get_by_label("When every learning outcome is validated").check()
    assert save(page)["ok"] is True
    page.reload()
    assert page.locator(".microvet-outcome-row").count() == 3


# ------------------------------------------------------------------------------------------ XSS corpus

TEXT_FIELDS = (
    "Title",
    "Description",
    "Version",
    "Field of study",
    "Name",
    "Region (optional)",
    "National qualifications framework level (optional)",
    "Type of quality assurance",
    "Prerequisites (optional)",
    "Stackability (optional)",
    "Further information (https URL, optional)",
)
FORMAT_FIELDS = (
    "Identifier (https URL, optional)",
    "Language (e.g. en, it, pt-BR)",
    "Web site (https URL)",
    "Contact e-mail (optional)",
    "Country (ISO code, e.g. IT)",
    "ECTS credits",
    "Hours of learning",
    "EQF level (1-8)",
    "Pass mark in % (optional, shown as the grade)",
    "Credential valid for (days, optional)",
    "and the overall score is at least (%, optional)",
    "not before (date, optional)",
    "not after (date, optional)",
)


def test_an_uploaded_badge_is_kept_as_a_course_file(demo_server, watched, tmp_path):
    """The author uploads a PNG: the demo keeps it under its data dir (var/assets), not in a field, and the
    editor shows it again after a reload; the generated badge is one click away."""
    png = tmp_path / "badge.png"
    png.write_bytes(png_bytes())
    page = watched.page
    page.goto(scenario(demo_server, "author", "studio_view"))
    editor(page).locator(".microvet-image-file").set_input_files(str(png))
    expect(editor(page).locator(".microvet-image-preview")).to_be_visible()
    assert save(page)["ok"] is True
    (stored,) = (demo_server.var / "assets").glob("*/microvet-badge-*.png")  # one folder per course
    assert stored.read_bytes() == png_bytes()
    page.reload()
    preview = editor(page).locator(".microvet-image-preview")
    expect(preview).to_be_visible()
    assert preview.get_attribute("src").startswith("data:image/png;base64,")
    assert publish(page)["ok"] is True
    editor(page).get_by_role("button", name="Use the generated badge").click()
    assert save(page)["ok"] is True
    page.reload()
    expect(editor(page).locator(".microvet-image-preview")).to_be_hidden()


def test_xss_corpus_stays_text_everywhere(demo_server, watched, browser):
    page = watched.page
    page.goto(scenario(demo_server, "author", "studio_view"))
    saved = {label: editor(page).get_by_label(label, exact=True).input_value() for label in FORMAT_FIELDS}
    for label in FORMAT_FIELDS:  # fields with a format refuse the corpus, each with its own message
        editor(page).get_by_label(label, exact=True).fill(XSS)
    rows = page.locator(".microvet-outcome-row")
    rows.nth(0).get_by_label("Outcome id").fill(XSS)
    esco = rows.nth(0).get_by_label("ESCO skill URIs, one per line (optional)")
    esco_before = esco.input_value()
    esco.fill(XSS)
    answer_ = save(page)
    assert answer_["ok"] is False
    assert watched.dialogs == [] and page.evaluate("window.__xss") is None  # the messages are text too
    for key in (
        "achievement_id",
        "language",
        "awarding_body.url",
        "awarding_body.email",
        "awarding_body.country",
        "ects",
        "hours",
        "eqf_level",
        "pass_mark",
        "valid_for_days",
        "rules_simple.min_score",
        "rules_simple.not_before",
        "learning_outcomes[0].id",
        "learning_outcomes[0].esco_skills",
    ):
        assert key in answer_["errors"], key
    for label, value in saved.items():
        editor(page).get_by_label(label, exact=True).fill(value)
    rows.nth(0).get_by_label("Outcome id").fill("lo-write-outcomes")
    esco.fill(esco_before)
    for label in TEXT_FIELDS:
        editor(page).get_by_label(label, exact=True).fill(XSS[:250] if label == "Title" else XSS)
    for index in range(rows.count()):
        rows.nth(index).get_by_label("The learner can…").fill(f"{index}: {XSS}")
    answer_ = save(page)
    assert answer_["ok"] is True, answer_
    assert publish(page)["ok"] is True
    assert watched.dialogs == [] and page.evaluate("window.__xss") is None

    earn(watched, demo_server, "mallory")
    assert card(page).locator(".microvet-state").inner_text().strip() == "Earned"
    text = card(page).inner_text()
    assert "<script>window.__xss=1;alert('s')</script>" in text and f"0: {XSS}" in text
    assert card(page).locator("script, img, svg").count() == 0
    assert card(page).locator("a[href^='javascript:']").count() == 0
    watched.screenshot("xss-card", locator=card(page))

    verify_url = card(page).locator(".microvet-share__url").input_value()
    page.goto(verify_url)
    assert "<script>window.__xss=1;alert('s')</script>" in page.inner_text("h1")
    assert page.locator("main script, main img, main svg").count() == 0
    svg_url = verify_url.replace("/verify", "/badge.svg")
    status, body = demo_server.get(urlsplit(svg_url).path)
    assert status == 200
    svg = etree.fromstring(body)
    tags = {etree.QName(node).localname for node in svg.iter() if isinstance(node.tag, str)}
    assert "script" not in tags and "foreignObject" not in tags
    assert not any(
        name.lower().startswith("on") for node in svg.iter() if isinstance(node.tag, str) for name in node.attrib
    )
    assert "<script>window.__xss=1" in "".join(svg.itertext())
    page.goto(svg_url)
    page.goto(verify_url.replace("/verify", "/badge.png"))
    assert watched.dialogs == [] and watched.errors == []
    assert page.evaluate("window.__xss") is None


def test_no_external_requests(demo_server, watched):
    page = watched.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(scenario(demo_server, "alice"))
    page.wait_for_load_state("networkidle")
    ours = [u for u in requested if re.search(r"/resource/microcredential/", u)]
    assert ours and all(u.startswith(demo_server.url) for u in ours)
    external = [u for u in requested if not u.startswith(demo_server.url) and not u.startswith("data:")]
    assert external == [], external


def test_author_builds_a_micro_credential_from_scratch(demo_server, watched):
    page = watched.page
    page.goto(f"{demo_server.url}/scenario/microcredential.1/studio_view/?student=author")
    form = editor(page)
    form.get_by_label("Title").fill("Safe forklift operation")
    form.get_by_label("Description").fill("Operate a forklift safely in a warehouse.")
    form.get_by_label("Name").fill("Berufsschule Nord")
    form.get_by_label("Web site (https URL)").fill("https://bs-nord.example.de")
    form.get_by_label("Country (ISO code, e.g. IT)").fill("DE")
    form.get_by_role("button", name="Add a learning outcome").click()
    form.get_by_label("The learner can…").fill("Check a forklift before use.")
    form.get_by_label("ECTS credits").fill("0,5")
    form.get_by_label("Hours of learning").fill("12")
    form.get_by_label("EQF level (1-8)").fill("3")
    form.get_by_label("Type of assessment").select_option("skill-application")
    form.get_by_label("Form of participation").select_option("onsite")
    form.get_by_label("Type of quality assurance").fill("Checked by the regional chamber.")
    assert save(page)["ok"] is True
    page.goto(f"{demo_server.url}/scenario/microcredential.1/?student=dora")
    assert "not ready yet" in card(page).inner_text()  # saved, never published
    page.goto(f"{demo_server.url}/scenario/microcredential.1/studio_view/?student=author")
    assert publish(page)["ok"] is True
    page.goto(f"{demo_server.url}/scenario/microcredential.1/?student=dora")
    text = card(page).inner_text()
    assert "Safe forklift operation" in text and "0.5 ECTS, 12 hours" in text and "EQF level 3" in text
    assert "Application of a skill" in text and "Check a forklift before use." in text
    assert "In progress" in text
