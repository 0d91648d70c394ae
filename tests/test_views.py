"""Public views: media types, caching headers, 404s, baked badges, ELM, the verification page."""

from __future__ import annotations

import base64
import json
import re
import uuid

import pytest
from django.utils import translation

from badge_issuer.bake import extract
from badge_issuer.proofs.data_integrity import sign_di
from badge_issuer.verify import verify
from microcredential_xblock.platform.plugin_settings import LOCALE_DIR
from microcredential_xblock.service import alliance, api, views
from microcredential_xblock.service.check_labels import check_label
from microcredential_xblock.service.config import issuer_keys
from microcredential_xblock.service.models import StatusList
from tests.service_fixtures import COURSE, LEARNER, MC_BLOCK, QUIZ1, RULES, all_validated

pytestmark = [pytest.mark.storage, pytest.mark.django_db]
XSS = '<script>alert("x")</script>'


def test_credential_json_ld_with_cache_headers(client, earned):
    response = client.get(f"/microvet/credentials/{earned.uuid}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vc+ld+json")
    assert json.loads(response.content) == earned.document
    assert "max-age=300" in response["Cache-Control"] and "public" in response["Cache-Control"]
    again = client.get(f"/microvet/credentials/{earned.uuid}", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again["ETag"] == response["ETag"]


@pytest.mark.parametrize(
    "if_none_match",
    [
        "{etag}",
        "W/{etag}",  # a weak tag matches by weak comparison (RFC 9110 section 13.1.2)
        '"other", W/"stale", {etag}',  # one of a list
        '"other",{etag}',
        "*",  # any current representation
    ],
)
def test_if_none_match_weak_tags_lists_and_any(client, earned, if_none_match):
    url = f"/microvet/credentials/{earned.uuid}"
    etag = client.get(url)["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=if_none_match.format(etag=etag))
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and "max-age=300" in again["Cache-Control"]
    assert again["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("if_none_match", ['"other"', 'W/"other", "else"', "{inner}", "x{etag}"])
def test_if_none_match_of_another_tag_gets_the_body(client, earned, if_none_match):
    """A tag that merely contains ours (the old substring match's false positive) is another tag."""
    url = f"/microvet/credentials/{earned.uuid}"
    etag = client.get(url)["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=if_none_match.format(etag=etag, inner=f'"a{etag[1:-1]}b"'))
    assert again.status_code == 200 and json.loads(again.content) == earned.document


def test_credential_jwt(client, earned):
    response = client.get(f"/microvet/credentials/{earned.uuid}.jwt")
    assert response.status_code == 200 and response["Content-Type"] == "application/vc+jwt"
    assert response.content.decode() == earned.jwt and earned.jwt.count(".") == 2


@pytest.mark.parametrize(
    "path",
    [
        f"/microvet/credentials/{uuid.UUID(int=1)}",
        f"/microvet/credentials/{uuid.UUID(int=1)}.jwt",
        f"/microvet/credentials/{uuid.UUID(int=1)}/badge.png",
        f"/microvet/credentials/{uuid.UUID(int=1)}/elm",
        "/microvet/credentials/not-a-uuid",
        "/microvet/credentials/%27%3B--",
        "/microvet/status/nope",
    ],
)
def test_unknown_ids_are_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"Traceback" not in response.content


def test_unknown_verify_page_is_html_404(client, db):
    response = client.get(f"/microvet/credentials/{uuid.UUID(int=2)}/verify")
    assert response.status_code == 404 and b"<h1>Credential not found</h1>" in response.content


def test_post_is_refused(client, earned):
    assert client.post(f"/microvet/credentials/{earned.uuid}").status_code == 405


def test_baked_badges_carry_the_credential(client, earned):
    png = client.get(f"/microvet/credentials/{earned.uuid}/badge.png")
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert extract(png.content) == earned.document
    svg = client.get(f"/microvet/credentials/{earned.uuid}/badge.svg")
    assert svg["Content-Type"] == "image/svg+xml" and extract(svg.content) == earned.document


def test_elm_export(client, earned):
    response = client.get(f"/microvet/credentials/{earned.uuid}/elm")
    document = json.loads(response.content)
    assert response.status_code == 200 and "EuropeanDigitalCredential" in document["type"]


def test_verify_page_shows_checks_elements_and_issuer(client, earned):
    response = client.get(f"/microvet/credentials/{earned.uuid}/verify")
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Valid: every check passed." in html
    assert "Not suspended (status list)" in html and "Quality assurance" in html and "ISO 21001" in html
    assert "Data Integrity proof: Signature valid" in html and "signature valid" not in html
    assert "Istituto Formazione Professionale Aurora" in html and issuer_keys().issuer_id in html
    assert "Ada.Learner@example.org" not in html


def test_verify_page_names_the_checks_in_the_readers_language(client, earned, settings):
    settings.LOCALE_PATHS = [str(LOCALE_DIR)]  # what plugin_settings adds in the LMS
    with translation.override("it"):
        html = client.get(f"/microvet/credentials/{earned.uuid}/verify").content.decode()
    assert "Prova Data Integrity: Firma valida" in html and "Non sospesa (elenco di stato)" in html
    assert "Schema Open Badges 3.0" in html and "json schema" not in html


def test_every_check_a_verification_makes_has_a_label(earned):
    """Both formats of an issued credential, and a document with two proofs: no name reaches the page raw."""
    keys = issuer_keys()
    two_proofs = sign_di(earned.document, keys.di_key, keys.di_verification_method)
    names = {
        check.name
        for document in (earned.document, earned.jwt, two_proofs)
        for check in verify(
            document, resolver=alliance.page_resolver(keys), status_fetcher=views._status_fetcher
        ).checks
    }
    assert "data integrity: proof[1] signature valid" in names and "jwt: signature valid" in names
    assert check_label("data integrity: proof[1] signature valid") == "Data Integrity proof: Proof 2: Signature valid"
    inner = {name: re.sub(r"^(data integrity: |jwt: )?(proof\[\d+\] )?", "", name) for name in names}
    assert {name for name in names if inner[name] in check_label(name)} == set()  # shown as it is: not in the table


def test_verify_page_after_suspension_says_why(client, earned):
    api.suspend(earned.uuid, actor="staff", reason="Identity check pending")
    html = client.get(f"/microvet/credentials/{earned.uuid}/verify").content.decode()
    assert "Not valid" in html and "the credential is suspended" in html and "Identity check pending" in html


def test_verify_page_escapes_author_text(client, db, definition):
    definition["title"] = f"Title {XSS}"
    definition["quality_assurance"] = f"QA {XSS}"
    definition["learning_outcomes"][0]["text"] = f"Outcome {XSS}"
    definition["awarding_body"]["name"] = f"Body {XSS}"
    api.register_definition(COURSE, MC_BLOCK, definition, RULES)
    (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    html = client.get(f"/microvet/credentials/{progress.credential.uuid}/verify").content.decode()
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 4


def test_issuer_documents(client, db):
    keys = issuer_keys()
    profile = json.loads(client.get("/microvet/issuer").content)
    assert profile["id"] == keys.issuer_id and profile["address"]["addressCountryCode"] == "IT"
    did = client.get("/microvet/.well-known/did.json")
    assert did["Content-Type"].startswith("application/did+ld+json")
    assert json.loads(did.content) == keys.did_document()
    jwks = json.loads(client.get("/microvet/jwks.json").content)
    assert jwks == keys.jwks() and all("d" not in key for key in jwks["keys"])


def test_status_list_is_resigned_on_change(client, earned):
    row = StatusList.objects.get()
    url = f"/microvet/status/{row.list_id}"
    before = client.get(url)
    assert before["Content-Type"].startswith("application/vc+ld+json")
    assert json.loads(before.content)["id"] == f"https://lms.example.org{url}"
    api.revoke(earned.uuid, actor="staff", reason="Fraud")
    after = client.get(url)
    assert after["ETag"] != before["ETag"]
    assert (
        json.loads(after.content)["credentialSubject"]["encodedList"]
        != json.loads(before.content)["credentialSubject"]["encodedList"]
    )


def _with_image(definition, image: str):
    definition["image"] = image
    api.register_definition(COURSE, MC_BLOCK, definition, RULES)
    (progress,) = api.record_assessment(LEARNER, COURSE, QUIZ1, all_validated(), 9, 10)
    return progress.credential


def test_author_svg_is_baked_and_sandboxed(client, db, definition):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="4"/></svg>'
    credential = _with_image(definition, "data:image/svg+xml;base64," + base64.b64encode(svg).decode())
    response = client.get(f"/microvet/credentials/{credential.uuid}/badge.svg")
    assert b'<circle r="4"/>' in response.content and extract(response.content) == credential.document
    assert "sandbox" in response["Content-Security-Policy"] and response["X-Content-Type-Options"] == "nosniff"


def test_unusable_author_png_falls_back_to_the_default(client, db, definition):
    credential = _with_image(definition, "data:image/png;base64," + base64.b64encode(b"not a png").decode())
    response = client.get(f"/microvet/credentials/{credential.uuid}/badge.png")
    assert response.status_code == 200 and extract(response.content) == credential.document


def test_did_web_document_is_where_the_did_resolves(client, db):
    did = issuer_keys().issuer_id
    assert did == "did:web:lms.example.org:microvet"
    document = json.loads(client.get("/microvet/did.json").content)  # did:web path form
    assert document["id"] == did
