"""MicroCredentialXBlock under XBlock's ToyRuntime, with a fake service API (the real one is tested elsewhere)."""

from __future__ import annotations

import gettext
import importlib.util
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from django.utils import translation
from lxml import etree
from webob import Request
from xblock.completable import XBlockCompletionMode
from xblock.test import toy_runtime
from xblock.test.toy_runtime import ToyRuntime

from badge_issuer.did import valid_did
from badge_issuer.elements import ELEMENTS, to_fields
from badge_issuer.errors import KeyMaterialError
from microcredential_xblock import compat
from microcredential_xblock.blocks import common, credential, presentation
from microcredential_xblock.blocks.credential_legacy import LEGACY_FIELDS
from microcredential_xblock.demo.scenarios import OLX_DIR
from microcredential_xblock.service.errors import InvalidInput
from tests.test_editor import data_uri, png_bytes

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ROOT / "microcredential_xblock" / "blocks" / "public" / "credential"
LANGUAGES = ("en", "it", "el", "es", "pt", "de")
DID_KEY = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@dataclass(frozen=True)
class Learner:
    user_id: str
    email: str
    name: str = ""


class FakeApi:
    """Records what the block asks of the service; answers with the progress a test sets."""

    EARNED = "earned"
    Learner = Learner

    def __init__(self):
        self.published: list[tuple] = []
        self.reissued: list[dict] = []
        self.progress = progress("in_progress")
        #: The definition learners are evaluated against: the last one published (None: never published).
        self.definition = None

    def publish(self, course_key, blocks, *, may_sign, complete=True):
        self.published.append((course_key, dict(blocks), may_sign, complete))
        refused = {}
        for usage_key, (definition, _rules) in blocks.items():
            if not definition.get("learning_outcomes"):
                refused[usage_key] = "learning_outcomes: at least one is required"
            else:
                self.definition = definition
        return SimpleNamespace(refused=refused, learners=1)

    def card_progress(self, learner, course_key, usage_key):
        self.learner = learner
        if self.definition is None:
            raise LookupError("No micro-credential is registered for this block.")
        return SimpleNamespace(**vars(self.progress), definition=self.definition)

    learner_progress = card_progress

    def endorsements_shown(self, issued):
        return []

    def issuer_summary(self):
        return {"name": "Istituto Aurora (public profile)", "url": "https://aurora.example"}

    def public_urls(self, issued):
        base = f"http://lms.test/microvet/credentials/{issued.uuid}"
        return {
            "json": base,
            "jwt": base + ".jwt",
            "verify": base + "/verify",
            "png": base + "/badge.png",
            "svg": base + "/badge.svg",
        }

    def reissue(self, credential_uuid, **kwargs):
        self.reissued.append({"uuid": credential_uuid, **kwargs})
        return issued_credential("11111111-2222-3333-4444-555555555555")


def issued_credential(uid="8e0f7d8c-1c9a-4a53-9b1e-2f7c5bd1e001"):
    return SimpleNamespace(
        uuid=uid, issued_at=datetime(2026, 3, 9, 10, 0, tzinfo=UTC), valid_until=datetime(2031, 3, 8, tzinfo=UTC)
    )


def progress(state, validated=("lo-write-outcomes",), earned=False):
    ids = ("lo-write-outcomes", "lo-eu-elements", "lo-assessment-qa")
    outcomes = tuple(
        SimpleNamespace(
            id=i,
            text=f"text of {i}",
            validated=i in validated,
            validated_by=("quiz.outcome_assessment.d0.u0",) if i in validated else (),
        )
        for i in ids
    )
    return SimpleNamespace(state=state, outcomes=outcomes, credential=issued_credential() if earned else None)


@pytest.fixture(autouse=True)
def fresh_toy_runtime(monkeypatch):
    monkeypatch.setattr(toy_runtime, "TOYRUNTIME_KVS", toy_runtime.ToyRuntimeKeyValueStore({}))


@pytest.fixture
def api(monkeypatch):
    """The service, with the sample micro-credential published (``api.definition = None``: never published)."""
    fake = FakeApi()
    monkeypatch.setattr(credential, "_service", lambda: fake)
    monkeypatch.setattr(credential, "_issuer_keys", lambda: None)
    fake.definition = make_block().definition_dict()
    return fake


class Runtime(ToyRuntime):
    """ToyRuntime with the workbench's URLs for package resources (ToyRuntime gives empty strings)."""

    def local_resource_url(self, block, uri):
        return f"/resource/{block.scope_ids.block_type}/{uri}"


def make_block(xml: str | None = None, user: str = "alice", **services):
    if xml is None:
        root = etree.parse(str(OLX_DIR / "designing-micro-credentials.xml")).getroot()
        xml = etree.tostring(root.find("microcredential"))
    runtime = Runtime(user)
    runtime._services.update(services)
    return runtime.get_block(runtime.parse_xml_string(xml))


def call(block, handler: str, data) -> dict:
    request = Request.blank("/", method="POST", body=json.dumps(data).encode())
    return json.loads(block.handle(handler, request).body)


def text_of(html: str) -> str:
    """The visible text, entities decoded (translations may contain quotes and ampersands)."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# ------------------------------------------------------------------------------------------ author side


def test_metadata_block_is_excluded_from_completion():
    assert credential.MicroCredentialXBlock.completion_mode == XBlockCompletionMode.EXCLUDED
    assert credential.MicroCredentialXBlock.i18n_js_namespace == "MicrovetI18N"


def test_studio_submit_saves_the_draft_and_registers_nothing(api):
    block = make_block()
    form = editor_form(block)
    form.update(eqf_level="6", rules_simple={"min_score": "80"})
    answer = call(block, "studio_submit", form)
    assert answer["ok"] is True and "once it is published" in answer["message"]
    assert block.definition["eqf_level"] == 6
    assert block.rules == {"all": [{"all_outcomes": True}, {"min_score": {"value": 80, "op": ">="}}]}
    assert api.published == []  # a draft save never reaches the learners (ADR 0009)
    assert api.definition["eqf_level"] == 5


def test_invalid_submission_changes_nothing(api):
    block = make_block()
    before = (block.display_name, dict(block.definition), block.rules)
    form = editor_form(block)
    form.update(eqf_level="9", display_name="A better title", ects="-2")
    answer = call(block, "studio_submit", form)
    assert answer["ok"] is False and set(answer["errors"]) == {"eqf_level", "ects"}
    assert (block.display_name, block.definition, block.rules) == before and api.published == []


def test_demo_publish_makes_the_saved_version_the_learners_one(api):
    block = make_block()
    call(block, "studio_submit", dict(editor_form(block), display_name="Published title"))
    assert "Published title" not in text_of(block.student_view({}).content)  # saved, not yet published
    answer = call(block, "demo_publish", {})
    assert answer["ok"] is True
    ((course_key, blocks, may_sign, complete),) = api.published
    assert course_key == block.course_key and may_sign is True and complete is False
    assert blocks[block.usage_key] == (block.definition_dict(), block.rules)
    assert "Published title" in text_of(block.student_view({}).content)


def test_demo_publish_of_an_incomplete_definition_keeps_the_last_one(api):
    block = make_block("<microcredential/>")
    answer = call(block, "demo_publish", {})
    assert answer["ok"] is False and "learning_outcomes" in answer["problems"]
    assert api.definition["title"] == "Designing micro-credentials for VET"


def test_publish_is_studios_job_under_open_edx(api, monkeypatch):
    monkeypatch.setattr(credential.compat, "platform_publishes", lambda: True)
    block = make_block()
    response = block.handle("demo_publish", Request.blank("/", method="POST", body=b"{}"))
    assert response.status_code == 409 and api.published == []
    assert 'class="microvet-publish"' not in block.studio_view({}).content


def test_validate_lists_what_keeps_it_from_being_issuable(api):
    messages = [m.text for m in make_block("<microcredential/>").validate().messages]
    assert any(m.startswith("learning_outcomes:") for m in messages)
    assert any(m.startswith("eqf_level:") for m in messages)
    assert any(m.startswith("awarding_body.name:") for m in messages)
    assert make_block().validate().messages == []


def test_studio_needs_no_issuer_keys(api, monkeypatch):
    """Issue 9 defect 9: Studio never signs; its banner and preview read the public issuer profile only."""
    monkeypatch.setattr(credential, "_issuer_keys", lambda: pytest.fail("Studio loaded the issuer keys"))
    block = make_block()
    assert block.validate().messages == []
    text = text_of(block.author_view({}).content)
    assert "Credentials are signed by Istituto Aurora (public profile)." in text


def test_studio_view_renders_the_structured_editor():
    frag = make_block().studio_view({})
    html = frag.content
    for name in (
        "display_name",
        "awarding_body.country",
        "eqf_level",
        "ects",
        "rules_simple.min_score",
        "rules_json",
        "image",
    ):
        assert f'name="{name}"' in html
    assert (frag.js_init_fn, frag.json_init_args["init"]) == ("MicrovetInit", "MicrovetCredentialEditor")
    assert json.loads(frag.json_init_args["json"])["outcomes"][0]["id"] == "lo-write-outcomes"
    assert '<option value="testing" selected>Testing</option>' in html


# ------------------------------------------------------------------------------------------ learner side


def test_in_progress_card_shows_outcomes_and_assessment(api):
    html = make_block().student_view({}).content
    text = text_of(html)
    assert "In progress" in text
    assert "text of lo-write-outcomes Validated: assessed by quiz.outcome_assessment.d0.u0" in text
    assert "text of lo-eu-elements Not yet validated" in text
    assert "EQF level 5" in text and "1 ECTS, 25 hours" in text and "Istituto Formazione" in text
    assert "Download" not in text
    assert api.learner.email == "alice@learners.microvet.invalid"


def test_earned_card_offers_downloads_share_and_linkedin(api):
    api.progress = progress(
        "earned", validated=("lo-write-outcomes", "lo-eu-elements", "lo-assessment-qa"), earned=True
    )
    html = make_block().student_view({}).content
    root = etree.HTML(html)
    links = {a.text.strip(): a.get("href") for a in root.iter("a") if a.text}
    base = "http://lms.test/microvet/credentials/8e0f7d8c-1c9a-4a53-9b1e-2f7c5bd1e001"
    assert links["Download (JSON-LD)"] == base
    assert links["Download (JWT)"] == base + ".jwt"
    assert links["Badge (PNG)"] == base + "/badge.png" and links["Badge (SVG)"] == base + "/badge.svg"
    assert links["Open the verification page"] == base + "/verify"
    assert root.find(".//input[@readonly]").get("value") == base + "/verify"
    linkedin = urlsplit(links["Add to LinkedIn profile"])
    assert (linkedin.scheme, linkedin.netloc, linkedin.path) == ("https", "www.linkedin.com", "/profile/add")
    assert dict(parse_qsl(linkedin.query)) == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Designing micro-credentials for VET",
        "organizationName": "Istituto Formazione Professionale Aurora",
        "issueYear": "2026",
        "issueMonth": "3",
        "expirationYear": "2031",
        "expirationMonth": "3",
        "certUrl": base + "/verify",
        "certId": "8e0f7d8c-1c9a-4a53-9b1e-2f7c5bd1e001",
    }
    assert "Earned" in text_of(html)


@pytest.mark.parametrize("state", ["suspended", "revoked", "expired"])
def test_other_states_are_named(api, state):
    api.progress = progress(state, earned=True)
    assert state.capitalize() in text_of(make_block().student_view({}).content)


def test_linkedin_url_encodes_everything():
    url = presentation.linkedin_url(
        name="A&B = C?", organization="Ö #1", issued="2026-11-02", cert_url="http://x/y?z=1&w=2", cert_id="id 1"
    )
    assert "&name=A%26B+%3D+C%3F&" in url and "organizationName=%C3%96+%231" in url
    assert dict(parse_qsl(urlsplit(url).query))["certUrl"] == "http://x/y?z=1&w=2"


def test_keys_not_configured_is_a_clear_message(api, monkeypatch):
    def missing():
        raise KeyMaterialError("MICROVET['KEYS_DIR']", "is not set")

    monkeypatch.setattr(credential, "_issuer_keys", missing)
    html = make_block().student_view({}).content
    assert "issuer keys are not configured" in html and "Traceback" not in html and "KEYS_DIR" not in html
    assert "Not yet validated" in text_of(html)  # the learner's progress is still shown


def test_service_failure_is_a_clear_message(api, monkeypatch):
    monkeypatch.setattr(api, "card_progress", lambda *a: 1 / 0)
    html = make_block().student_view({}).content
    assert "cannot be shown right now" in html and "ZeroDivisionError" not in html


def test_author_preview_shows_the_card_without_progress(api, monkeypatch):
    monkeypatch.setattr(api, "card_progress", lambda *a: pytest.fail("the preview reads no learner state"))
    text = text_of(make_block().author_view({}).content)
    assert "Preview: each learner sees" in text and "EQF level 5" in text and "Not yet validated" not in text
    assert "Not issuable yet" in text_of(make_block("<microcredential/>").author_view({}).content)
    assert api.published == []


def test_never_published_says_so(api):
    api.definition = None
    html = make_block().student_view({}).content
    assert "not ready yet" in html and "has not published it" in html and api.published == []
    assert "EQF level" not in html  # the draft is not shown to learners


def test_the_learner_card_shows_the_published_version_only(api):
    api.progress = progress("earned", earned=True)
    block = make_block()
    block.definition, block.display_name = {**block.definition, "eqf_level": 7}, "A draft title"
    text = text_of(block.student_view({}).content)
    assert api.published == [] and "Earned" in text and "Download (JSON-LD)" in text
    assert "EQF level 5" in text and "Designing micro-credentials for VET" in text and "A draft title" not in text


@pytest.mark.parametrize(
    "failed, notice", [(False, "your credential is being issued"), (True, "it will be issued automatically")]
)
def test_a_credential_being_issued_says_so_and_keeps_the_card_polling(api, failed, notice):
    api.progress = SimpleNamespace(**vars(progress("issuing")), issue_failed=failed)
    frag = make_block().student_view({})
    assert "Being issued" in text_of(frag.content) and notice in text_of(frag.content)
    assert json.loads(frag.json_init_args["json"]) == {"final": False}
    api.progress = progress("in_progress")
    assert json.loads(make_block().student_view({}).json_init_args["json"]) == {"final": True}


def test_author_text_is_escaped_in_the_learner_view(api):
    block = make_block()
    block.display_name = XSS
    block.definition = {
        **block.definition,
        "description": XSS,
        "further_information": "javascript:alert(1)",
        "learning_outcomes": [{"id": "lo-1", "text": XSS, "esco_skills": []}],
    }
    api.definition = block.definition_dict()  # published as it is
    api.progress = SimpleNamespace(
        state="earned",
        credential=issued_credential(),
        outcomes=(SimpleNamespace(id="lo-1", text=XSS, validated=True, validated_by=()),),
    )
    html = block.student_view({}).content
    assert "<script>" not in html and "<img" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;" in html
    linkedin = next(a.get("href") for a in etree.HTML(html).iter("a") if "linkedin" in (a.get("href") or ""))
    assert dict(parse_qsl(urlsplit(linkedin).query))["name"] == XSS


@pytest.mark.parametrize(
    ("did", "ok"),
    [
        (DID_KEY, True),
        ("did:web:example.org", True),
        ("did:web:learner.example.org%3A8443:users:alice", True),
        ("did:key:z6Mk<script>", False),
        ("did:web:localhost", False),
        ("did:web:example.org/../x", False),
        ("did:ethr:0x123", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_did_syntax(did, ok):
    assert valid_did(did) is ok


def test_reissue_to_a_did(api):
    api.progress = progress("earned", earned=True)
    answer = call(make_block(), "reissue", {"did": f"  {DID_KEY} "})
    assert answer["ok"] is True and DID_KEY in answer["message"]
    (call_args,) = api.reissued
    assert call_args["subject_did"] == DID_KEY and call_args["actor"] == "learner:alice"
    assert call_args["uuid"] == "8e0f7d8c-1c9a-4a53-9b1e-2f7c5bd1e001"


@pytest.mark.parametrize("body", [{"did": "did:example:123"}, {"did": 5}, {}])
def test_reissue_refuses_bad_dids(api, body):
    api.progress = progress("earned", earned=True)
    answer = call(make_block(), "reissue", body)
    assert answer["ok"] is False and answer["field"] == "did" and api.reissued == []


@pytest.mark.parametrize(
    ("handler", "body", "status"),
    [
        ("reissue", b'["did"]', 400),
        ("reissue", b"{not json", 400),
        ("reissue", json.dumps({"did": "x" * 5000}).encode(), 413),
        ("studio_submit", b"[" * 100_000, 400),
        ("studio_submit", json.dumps({"image": "A" * (1024 * 1024)}).encode(), 413),
    ],
)
def test_bad_request_bodies_get_a_4xx_json_answer(api, handler, body, status):
    response = make_block().handle(handler, Request.blank("/", method="POST", body=body))
    assert response.status_code == status and "error" in json.loads(response.body)


def test_reissue_to_the_same_did_again_is_refused(api):
    api.progress = progress("earned", earned=True)
    api.progress.credential.subject_did = DID_KEY
    answer = call(make_block(), "reissue", {"did": DID_KEY})
    assert answer["ok"] is False and "already" in answer["message"] and api.reissued == []


def test_reissue_needs_an_earned_credential(api):
    answer = call(make_block(), "reissue", {"did": DID_KEY})
    assert answer["ok"] is False and api.reissued == []


def test_student_view_data_and_user_state_for_mobile(api):
    block = make_block()
    data = block.student_view_data()
    assert data["definition"]["eqf_level"] == 5 and len(data["definition"]["learning_outcomes"]) == 3
    assert data["labels"]["participation"] == "Online"
    assert "rules" not in json.dumps(data)
    state = call(block, "student_view_user_state", {})
    assert state["state"] == "in_progress" and state["outcomes"][0]["validated"] is True
    assert state["final"] is True and "html" not in state and "definition" not in state


def test_user_state_answers_get_for_the_mobile_apps_and_the_card(api):
    block = make_block()
    response = block.handle("student_view_user_state", Request.blank("/", method="GET"))
    assert response.status_code == 200 and response.content_type == "application/json"
    assert json.loads(response.body)["state"] == "in_progress"
    card = json.loads(block.handle("student_view_user_state", Request.blank("/card", method="GET"), "card").body)
    assert card["html"].lstrip().startswith("<section") and 'data-state="in_progress"' in card["html"]
    assert block.handle("student_view_user_state", Request.blank("/", method="DELETE")).status_code == 405


def test_index_dictionary_for_course_search():
    content = make_block().index_dictionary()["content"]
    assert content["display_name"] == "Designing micro-credentials for VET"
    assert "observable, assessable" in content["learning_outcomes"]
    assert "http://data.europa.eu/esco/skill/5fd5c985" in content["esco_skills"]
    assert content["eqf_level"] == "EQF 5" and content["ects"] == "1 ECTS"


def test_learner_view_assets_are_local_and_small(api):
    """Issue 4: no external requests, at most 30 KB of JavaScript and CSS added by the learner view."""
    with translation.override("el"):
        frag = make_block().student_view({})
    urls = [r.data for r in frag.resources if r.kind == "url"]
    assert urls and all(not re.match(r"^(https?:)?//", url) for url in urls)
    assert all(r.kind == "url" for r in frag.resources)
    package = PUBLIC.parent.parent
    total = sum((package / url.split("/microcredential/", 1)[1]).stat().st_size for url in urls)
    assert any(url.endswith("public/common/common.js") for url in urls)
    biggest_catalog = max(p.stat().st_size for p in (PUBLIC.parent / "common" / "i18n").glob("*.js"))
    total += biggest_catalog - (PUBLIC.parent / "common" / "i18n" / "el.js").stat().st_size
    assert total <= 30 * 1024, f"{total} bytes"
    for path in PUBLIC.glob("credential.*"):
        assert not re.search(r"(url\(|src=|import )\s*['\"]?(https?:)?//", path.read_text())


# ------------------------------------------------------------------------------------------ translations


def _i18n_script():
    spec = importlib.util.spec_from_file_location("microvet_i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def compiled_catalogs():
    _i18n_script().compile_catalogs()
    common._catalog.cache_clear()
    yield
    common._catalog.cache_clear()


LEARNER_MSGIDS = (
    "EU micro-credential",
    "In progress",
    "Learning outcomes",
    "Awarded by",
    "Not yet validated",
    "Quality assurance",
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_learner_view_renders_in_each_language_from_the_catalog(api, compiled_catalogs, language):
    catalog = gettext.translation("django", common.LOCALE_DIR, languages=[language])
    with translation.override(language):
        frag = make_block().student_view({})
    text = text_of(frag.content)
    for msgid in LEARNER_MSGIDS:
        assert catalog.gettext(msgid) in text, (language, msgid)
    assert catalog.gettext("Online") in text  # a Europass value label, marked in badge_issuer.vocab
    scripts = [r.data for r in frag.resources if r.data.endswith(".js")]
    assert any(s.endswith(f"i18n/{language}.js") for s in scripts)


@pytest.mark.parametrize(
    ("platform_language", "catalog"),
    [("pt-br", "pt"), ("de-de", "de"), ("es-419", "es"), ("it-it", "it"), ("el", "el")],
)
def test_the_javascript_catalog_of_a_regional_platform_language_is_the_languages(api, platform_language, catalog):
    """Open edX's language codes are regional (found in a real Teak LMS: no catalog was loaded for pt-br)."""
    with translation.override(platform_language):
        scripts = [r.data for r in make_block().student_view({}).resources if r.data.endswith(".js")]
    assert [s.rsplit("/", 1)[-1] for s in scripts if "/i18n/" in s] == [f"{catalog}.js"]


def test_translations_come_from_the_package_catalog(api, tmp_path, monkeypatch):
    """With a catalog holding Italian strings, the card shows them (proves the lookup path, not the texts)."""
    catalog = Catalog(locale="it")
    catalog.add("Learning outcomes", "Risultati di apprendimento")
    catalog.add("Online", "In linea")
    catalog.add("EQF level %(level)s", "Livello EQF %(level)s", flags=["python-format"])
    messages = tmp_path / "it" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    (messages / "django.mo").write_bytes(buffer.getvalue())
    monkeypatch.setattr(common, "LOCALE_DIR", tmp_path)
    common._catalog.cache_clear()
    try:
        with translation.override("it"):
            text = text_of(make_block().student_view({}).content)
    finally:
        common._catalog.cache_clear()
    assert "Risultati di apprendimento" in text and "In linea" in text and "Livello EQF 5" in text
    assert "Learning outcomes" not in text


# ------------------------------------------------------------- one definition field, the image an asset


def test_the_uploaded_image_is_a_course_asset_and_credentials_still_carry_it(api, settings):
    block = make_block()
    upload = data_uri(png_bytes())
    assert call(block, "studio_submit", dict(editor_form(block), image=upload))["ok"] is True
    reference = block.definition["image"]
    assert reference.startswith("/static/microvet-badge-") and reference.endswith(".png")
    course = block.course_key.replace(":", "_")
    stored = Path(settings.MICROVET["ASSETS_DIR"]) / course / reference.removeprefix("/static/")
    assert stored.read_bytes() == png_bytes()  # a file under the data dir, not a field
    assert "data:" not in json.dumps(block.definition) and not block.fields["image"].is_set_on(block)
    assert block.definition_dict()["image"] == upload and block.problems() == {}
    assert f'value="{upload}"' in block.studio_view({}).content  # the editor shows (and re-posts) the image
    call(block, "demo_publish", {})
    assert api.published[-1][1][block.usage_key][0]["image"] == upload  # the credential carries the image
    assert call(block, "studio_submit", editor_form(block))["ok"] is True  # saved again: the same asset
    assert block.definition["image"] == reference and len(list(stored.parent.iterdir())) == 1


def test_an_image_the_course_files_lack_is_a_problem(api):
    block = make_block()
    block.definition = {**block.definition, "image": "/static/microvet-badge-gone.png"}
    assert "upload it again" in block.problems()["image"]
    assert 'name="image" value=""' in block.studio_view({}).content  # the author uploads it again


def test_a_reference_to_a_course_file_that_is_no_png_is_not_used(api):
    block = make_block()
    compat.save_course_asset(block, "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
    block.definition = {**block.definition, "image": "/static/logo.svg"}
    assert "image" in block.problems() and block.definition_dict()["image"] == "/static/logo.svg"


def old_fields_block(image: str = ""):
    """A block as a course authored before ADR 0017 stored it: one field per element, ``definition`` empty."""
    block = make_block()
    definition = block.definition_dict()
    block.definition = {}
    for name, value in to_fields(definition).items():
        if name != "display_name":
            setattr(block, name, value)
    block.image = image
    return block, {**definition, "image": image} if image else definition


def test_a_course_with_the_old_fields_keeps_working(api):
    block, definition = old_fields_block(image=data_uri(png_bytes()))
    assert block.definition == {} and block.definition_dict() == definition and block.problems() == {}
    assert 'id="mv-eqf_level" name="eqf_level" type="text" value="5"' in block.studio_view({}).content
    assert "Istituto Formazione Professionale Aurora" in text_of(block.author_view({}).content)
    node = etree.Element("root")
    block.add_xml_to_node(node)  # exported as before: the image inline
    assert node.findtext("image") == definition["image"] and node.get("eqf_level") == "5"
    call(block, "demo_publish", {})
    assert api.published[-1][1][block.usage_key][0] == definition


def test_the_next_editor_save_of_an_old_course_moves_it_to_the_definition_field(api):
    block, definition = old_fields_block(image=data_uri(png_bytes()))
    assert call(block, "studio_submit", editor_form(block))["ok"] is True
    assert block.definition["eqf_level"] == 5 and block.definition["image"].startswith("/static/")
    assert not any(block.fields[name].is_set_on(block) for name in LEGACY_FIELDS)  # the data URI left settings
    assert block.definition_dict() == definition


# ------------------------------------------------------------------------------------------ helpers


def editor_form(block) -> dict:
    """What the editor JS would post for the block's current values."""
    values = to_fields({**block.definition_dict(), "id": block.stored_definition().get("id", "")})
    numbers = {e.field for e in ELEMENTS if e.kind in ("number", "integer")}
    form = {k: "" if v is None else str(v) if k in numbers else v for k, v in values.items()}
    form["rules_mode"] = "simple"
    form["rules_simple"] = {"min_score": "", "not_before": "", "not_after": ""}
    return form


def test_the_card_editor_and_handlers_translate_through_the_runtimes_i18n_service(api):
    """The LMS and Studio bind the block's i18n service to the package's ``translations/`` catalog: that
    catalog, not the Django language (English here), decides the card's, the preview's and a handler's words."""
    platform_catalog = gettext.translation("text", ROOT / "microcredential_xblock" / "translations", languages=["de"])
    block = make_block(i18n=platform_catalog)
    preview = text_of(block.author_view({}).content)
    assert platform_catalog.gettext("Preview: each learner sees their progress and their credential here.") in preview
    assert "Preview: each learner" not in preview
    request = Request.blank("/", method="DELETE")
    refused = json.loads(block.handle("student_view_user_state", request).body)["error"]
    assert (
        refused
        == platform_catalog.gettext("This address only accepts GET and POST requests.")
        != ("This address only accepts GET and POST requests.")
    )


def _platform_catalog(language: str) -> gettext.GNUTranslations:
    """What the LMS's and Studio's XBlock i18n service binds the block to: the package's ``translations/``."""
    return gettext.translation("text", ROOT / "microcredential_xblock" / "translations", languages=[language])


#: What the editor shows beside an EQF level 9, a 300-character title and a minimum score of 120. Bug P2-3
#: (a real Teak Studio under it-it): the definition's reasons were English in every language.
FIELD_PROBLEMS = {
    "en": {
        "eqf_level": "must be an integer from 1 to 8",
        "display_name": "must be at most 255 characters (got 300)",
        "rules_simple.min_score": "must be a number from 0 to 100",
    },
    "it": {
        "eqf_level": "deve essere un numero intero da 1 a 8",
        "display_name": "deve avere al massimo 255 caratteri (ne ha 300)",
        "rules_simple.min_score": "deve essere un numero da 0 a 100",
    },
    "de": {
        "eqf_level": "muss eine ganze Zahl von 1 bis 8 sein",
        "display_name": "darf höchstens 255 Zeichen lang sein (hat 300)",
        "rules_simple.min_score": "muss eine Zahl von 0 bis 100 sein",
    },
}


@pytest.mark.parametrize("language", sorted(FIELD_PROBLEMS))
def test_the_editor_shows_each_fields_problem_in_the_authors_language(api, compiled_catalogs, language):
    block = make_block(i18n=_platform_catalog(language))
    form = editor_form(block)
    form.update(eqf_level="9", display_name="x" * 300, rules_simple={"min_score": "120"})
    answer = call(block, "studio_submit", form)
    assert answer["ok"] is False and answer["errors"] == FIELD_PROBLEMS[language]


@pytest.mark.parametrize(
    ("language", "eqf_level", "min_score"),
    [
        ("it", "deve essere un numero intero da 1 a 8", "deve essere un numero da 0 a 100"),
        ("es", "debe ser un número entero de 1 a 8", "debe ser un número de 0 a 100"),
    ],
)
def test_studio_lists_a_saved_blocks_problems_in_the_authors_language(
    api, compiled_catalogs, language, eqf_level, min_score
):
    """Studio's banner (``validate``) and the editor's list say what keeps the saved block from being issued."""
    block = make_block(i18n=_platform_catalog(language))
    block.definition = {**block.stored_definition(), "eqf_level": 9}
    block.rules = {"min_score": {"value": 120}}
    problems = {"eqf_level": eqf_level, "rules.min_score.value": min_score}
    assert block.problems() == problems
    assert [m.text for m in block.validate().messages] == [f"{path}: {reason}" for path, reason in problems.items()]
    editor_text = text_of(block.studio_view({}).content)
    assert all(f"{path} : {reason}" in editor_text for path, reason in problems.items())  # <code>path</code>: reason


def test_a_reissue_fault_shows_the_learner_a_message_not_the_operators_detail(api, monkeypatch, caplog):
    """A key or signing fault is the operator's business: the learner gets the translated apology,
    the log gets the detail (which names settings and files)."""

    def broken(credential_uuid, **kwargs):
        raise KeyMaterialError("MICROVET['KEYS_DIR']", "is not set")

    api.progress = progress("earned", earned=True)
    monkeypatch.setattr(api, "reissue", broken)
    answer = call(make_block(), "reissue", {"did": DID_KEY})
    assert answer == {"ok": False, "message": "The credential could not be re-issued. Please try again later."}
    assert "KEYS_DIR" in caplog.text


def test_a_reissue_refusal_comes_in_the_learners_words(api, monkeypatch):
    """The service's refusals (InvalidInput: a msgid and its values) are shown translated."""

    def over_budget(credential_uuid, **kwargs):
        raise InvalidInput("reissue", "must be at most %(limit)d characters", limit=3)

    api.progress = progress("earned", earned=True)
    monkeypatch.setattr(api, "reissue", over_budget)
    block = make_block()
    monkeypatch.setattr(block, "gettext", lambda text: text.replace("must be at most", "deve avere al massimo"))
    answer = call(block, "reissue", {"did": DID_KEY})
    assert answer == {"ok": False, "field": "did", "message": "deve avere al massimo 3 characters"}
