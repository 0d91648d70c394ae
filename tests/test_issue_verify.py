"""Issue -> verify round trips, every verification check failing for the right reason, and tampering."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from badge_issuer import status
from badge_issuer.endorse import attach_endorsements, build_endorsement
from badge_issuer.errors import SafeModeError, SigningError
from badge_issuer.issue import check_formats, issue_credential, sign_credential
from badge_issuer.keystore import rotate_keys
from badge_issuer.model import Recipient, build_credential
from badge_issuer.resolve import OfflineResolver, publish
from badge_issuer.verify import verify

from .issuing import ISSUED_AT, example_definition, make_issuer

NOW = ISSUED_AT + timedelta(days=1)
ANA = Recipient(email="ana@example.org")


@pytest.fixture(scope="module")
def issuer(tmp_path_factory):
    return make_issuer(tmp_path_factory.mktemp("issuer") / "keys")


@pytest.fixture(scope="module")
def issued(issuer):
    return issue_credential(example_definition(), ANA, issuer, formats=("di", "jwt"), issued_at=ISSUED_AT, score=88)


def failed(report) -> dict[str, str]:
    return {c.name: c.reason for c in report.checks if not c.passed}


@pytest.mark.parametrize("formats", [("di",), ("jwt",), ("di", "jwt")])
def test_round_trip_in_every_format(issuer, formats):
    issued = issue_credential(example_definition(), ANA, issuer, formats=formats, issued_at=ISSUED_AT)
    if "di" in formats:
        report = verify(issued.document, now=NOW, recipient_email="ANA@example.org ")
        assert report.ok, report.verdict()
        assert report.formats == ("di",)
    if "jwt" in formats:
        report = verify(issued.jwt, now=NOW, recipient_email="ana@example.org")
        assert report.ok, report.verdict()
        assert report.formats == (("jwt", "di") if "di" in formats else ("jwt",))
    else:
        assert issued.jwt is None


def test_the_proof_is_created_at_the_issue_instant_in_utc(issuer):
    """The DI proof's ``created`` and the credential's ``validFrom`` are one instant, written one way."""
    in_rome = ISSUED_AT.astimezone(timezone(timedelta(hours=2)))
    document = issue_credential(example_definition(), ANA, issuer, issued_at=in_rome).document
    assert document["proof"][0]["created"] == document["validFrom"] == ISSUED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(("did", "alg"), [("web", "ES256"), ("https", "RS256"), ("web", "EdDSA")])
def test_did_web_and_https_issuers_verify_from_local_documents(tmp_path, did, alg):
    issuer = make_issuer(tmp_path / "keys", did=did, jwt_alg=alg)
    publish(issuer, tmp_path / "public")
    issued = issue_credential(example_definition(), ANA, issuer, formats=("di", "jwt"), issued_at=ISSUED_AT)
    resolver = OfflineResolver(tmp_path / "public")
    assert verify(issued.jwt, resolver=resolver, now=NOW).ok
    assert verify(issued.document, resolver=resolver, now=NOW).ok
    unresolvable = verify(issued.document, resolver=OfflineResolver(tmp_path / "elsewhere"), now=NOW)
    assert not unresolvable.ok


def test_wrong_recipient_fails(issued):
    report = verify(issued.document, now=NOW, recipient_email="bob@example.org")
    assert failed(report) == {"recipient": "the credential was not issued to this e-mail address"}


def test_validity_period_with_clock_skew(issuer):
    issued = issue_credential(example_definition(), ANA, issuer, issued_at=ISSUED_AT)
    valid_until = datetime.fromisoformat(issued.document["validUntil"].replace("Z", "+00:00"))
    assert verify(issued.document, now=ISSUED_AT - timedelta(minutes=4)).ok  # within the 5-minute skew
    early = verify(issued.document, now=ISSUED_AT - timedelta(hours=1))
    assert "not valid before" in failed(early)["validity period"]
    late = verify(issued.document, now=valid_until + timedelta(hours=1))
    assert "expired" in failed(late)["validity period"]


def test_swapped_key_fails(tmp_path, issued):
    other = make_issuer(tmp_path / "other")
    forged = sign_credential({k: v for k, v in issued.document.items() if k != "proof"} | {}, other)
    # Same content, signed by another key but still claiming the original issuer id.
    forged_doc = forged.document | {"issuer": issued.document["issuer"]}
    report = verify(forged_doc, now=NOW)
    assert not report.ok
    assert any("controller" in name or "signature" in name for name in failed(report))


def test_rotation_keeps_old_credentials_verifiable(tmp_path):
    issuer = make_issuer(tmp_path / "keys", did="web")
    before = issue_credential(example_definition(), ANA, issuer, formats=("di", "jwt"), issued_at=ISSUED_AT)
    rotated = rotate_keys(tmp_path / "keys")
    publish(rotated, tmp_path / "public")
    after = issue_credential(example_definition(), ANA, rotated, formats=("di", "jwt"), issued_at=ISSUED_AT)
    resolver = OfflineResolver(tmp_path / "public")
    assert after.document["proof"][0]["verificationMethod"] != before.document["proof"][0]["verificationMethod"]
    for token in (before.jwt, after.jwt):
        assert verify(token, resolver=resolver, now=NOW).ok


def test_status_list_revocation_and_suspension(issuer):
    list_url = "https://aurora-vet.example.it/microvet/status/1"
    revocation = status.StatusList("revocation")
    index = revocation.allocate(set())
    entry = status.status_entry(list_url, index, "revocation")
    issued = issue_credential(example_definition(), ANA, issuer, issued_at=ISSUED_AT, status_entries=[entry])

    def published() -> dict[str, Any]:
        unsigned = status.status_list_credential(
            list_url, issuer.issuer_id, "revocation", revocation.encode(), ISSUED_AT
        )
        return sign_credential(unsigned, issuer).document

    lists = {list_url: published()}
    assert verify(issued.document, now=NOW, status_fetcher=lists.__getitem__).ok
    revocation.revoke(index)
    lists[list_url] = published()
    assert failed(verify(issued.document, now=NOW, status_fetcher=lists.__getitem__)) == {
        "status (revocation)": "the credential is revoked"
    }
    # A list whose bits were changed after signing does not verify, so it cannot un-revoke.
    tampered = copy.deepcopy(lists[list_url])
    tampered["credentialSubject"]["encodedList"] = status.StatusList("revocation").encode()
    report = verify(issued.document, now=NOW, status_fetcher={list_url: tampered}.__getitem__)
    assert "does not verify" in failed(report)["status (revocation)"]
    # Without the list, the status is unknown: that is a failure, not a pass.
    assert "not available offline" in failed(verify(issued.document, now=NOW))["status (revocation)"]


def test_embedded_endorsement_is_verified(tmp_path, issuer):
    qa_body = make_issuer(tmp_path / "qa")
    definition = example_definition()
    endorsement = sign_credential(
        build_endorsement(
            subject_id=definition.id,
            issuer_profile=qa_body.issuer_profile(),
            name="Quality endorsement",
            comment="Reviewed against the microVET quality framework.",
            valid_from=ISSUED_AT,
        ),
        qa_body,
    ).document
    unsigned = build_credential(
        definition,
        ANA,
        issuer.issuer_profile(),
        credential_id="urn:uuid:9d6f0c1e-1111-4c1e-9a51-3b0e1e0c2a77",
        issued_at=ISSUED_AT,
    )
    good = sign_credential(attach_endorsements(unsigned, [endorsement]), issuer).document
    assert verify(good, now=NOW).ok
    broken = copy.deepcopy(endorsement)
    broken["credentialSubject"]["endorsementComment"] = "Changed after signing."
    bad = sign_credential(attach_endorsements(unsigned, [broken]), issuer).document
    assert "credentialSubject.achievement.endorsement[0]" in failed(verify(bad, now=NOW))


def test_undefined_term_is_refused_before_signing(issuer):
    unsigned = build_credential(
        example_definition(),
        ANA,
        issuer.issuer_profile(),
        credential_id="urn:uuid:0b3f6c2a-7c55-4d0a-9c1f-5c6d7e8f9a0b",
        issued_at=ISSUED_AT,
    )
    unsigned["credentialSubject"]["achievement"]["favouriteColour"] = "blue"
    with pytest.raises(SafeModeError) as error:
        sign_credential(unsigned, issuer)
    assert error.value.subject == "$.credentialSubject.achievement.favouriteColour"


def test_format_selection_is_validated():
    assert check_formats(["jwt", "di", "jwt"]) == ("di", "jwt")
    with pytest.raises(SigningError, match="format"):
        check_formats(["pdf"])


def test_jwt_only_credential_gets_a_subject_id(issuer):
    issued = issue_credential(example_definition(), ANA, issuer, formats=("jwt",), issued_at=ISSUED_AT)
    payload = json.loads(__import__("base64").urlsafe_b64decode(issued.jwt.split(".")[1] + "=="))
    assert payload["sub"] == payload["credentialSubject"]["id"]
    assert payload["sub"].startswith("urn:uuid:")


# ---------------------------------------------------------------- tamper matrix


def _leaves(node: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _leaves(value, (*path, key))]
    if isinstance(node, list):
        return [leaf for i, value in enumerate(node) for leaf in _leaves(value, (*path, i))]
    return [path]


def _get_parent(document: Any, path: tuple) -> Any:
    for step in path[:-1]:
        document = document[step]
    return document


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return f"{value}x" if value else "x"


def _signed_leaves(document: dict[str, Any]) -> list[tuple]:
    """Every leaf except the proof value itself (changing that is the 'signature' case below) and the
    inline context (its keywords need not change the RDF; its IRIs are the next test)."""
    return [p for p in _leaves(document) if (p[:1] != ("proof",) or p[-1] != "proofValue") and p[:1] != ("@context",)]


def test_changing_a_term_iri_of_the_inline_context_breaks_the_signature(signed_document):
    inline = next(i for i, c in enumerate(signed_document["@context"]) if isinstance(c, dict))
    terms = [t for t, d in signed_document["@context"][inline].items() if isinstance(d, dict)]
    assert len(terms) > 15
    for term in terms:
        tampered = copy.deepcopy(signed_document)
        tampered["@context"][inline][term]["@id"] = "https://attacker.example/" + term
        report = verify(tampered, now=NOW)
        used = not report.ok
        assert used or term not in json.dumps({k: v for k, v in signed_document.items() if k != "@context"}), term


@pytest.fixture(scope="module")
def signed_document(issued):
    return issued.document


def test_tamper_matrix_change_every_leaf(signed_document):
    leaves = _signed_leaves(signed_document)
    assert len(leaves) > 60  # a full EU micro-credential
    survivors = []
    for path in leaves:
        tampered = copy.deepcopy(signed_document)
        parent = _get_parent(tampered, path)
        parent[path[-1]] = _changed(parent[path[-1]])
        report = verify(tampered, now=NOW)
        if report.ok or not report.failures[0].reason:
            survivors.append(path)
    assert survivors == []


def test_tamper_matrix_remove_every_leaf(signed_document):
    survivors = []
    for path in _signed_leaves(signed_document):
        tampered = copy.deepcopy(signed_document)
        parent = _get_parent(tampered, path)
        del parent[path[-1]]
        if verify(tampered, now=NOW).ok:
            survivors.append(path)
    assert survivors == []


def test_tamper_matrix_add_a_property_to_every_object(signed_document):
    def objects(node: Any, path: tuple = ()) -> list[tuple]:
        found = [path] if isinstance(node, dict) else []
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in children:
            found += objects(value, (*path, key))
        return found

    survivors = []
    for path in objects(signed_document):
        if path[:1] == ("proof",):
            continue
        tampered = copy.deepcopy(signed_document)
        target = tampered
        for step in path:
            target = target[step]
        target["name" if "name" not in target else "description"] = "Added after signing"
        if verify(tampered, now=NOW).ok:
            survivors.append(path)
    assert survivors == []


def test_tamper_changed_signature_and_jwt_payload(issued):
    tampered = copy.deepcopy(issued.document)
    value = tampered["proof"][0]["proofValue"]
    tampered["proof"][0]["proofValue"] = value[:-2] + ("1" if value[-2] != "1" else "2") + value[-1]
    assert not verify(tampered, now=NOW).ok
    header, payload, signature = issued.jwt.split(".")
    assert not verify(".".join([header, payload[:-4] + "AAAA", signature]), now=NOW).ok


# ---------------------------------------------------------------- VC-JWT payload and JSON-LD


def test_jwt_claims_are_not_credential_properties(issuer):
    """OB 3.0 requires iss/jti/nbf/sub (and exp); no context defines them, so safe mode over the raw
    payload stops at jti. VC-JOSE-COSE: the claims are independent of the secured data and, if not
    understood, ignored; so the verifier takes all registered claims out before JSON-LD."""
    from badge_issuer.contexts import check_safe_mode  # noqa: PLC0415
    from badge_issuer.proofs.jwt import expected_claims, sign_jwt  # noqa: PLC0415

    document = issue_credential(example_definition(), ANA, issuer, formats=("jwt",), issued_at=ISSUED_AT).document
    payload = expected_claims(document) | document
    with pytest.raises(SafeModeError, match=r"\$\.(iss|jti|nbf|sub)"):
        check_safe_mode(payload)
    # A token that also carries iat and aud (as other JOSE issuers' do) verifies; the claims are not kept.
    token = __import__("jwt").encode(
        {**payload, "iat": payload["nbf"], "aud": "https://verifier.example"},
        issuer.jwt_key,
        algorithm=issuer.jwt_alg,
        headers={"typ": "JWT", "kid": issuer.jwt_kid},
    )
    report = verify(token, resolver=OfflineResolver(issuers=[issuer]), now=NOW)
    assert report.ok, report.verdict()
    assert not {"iss", "jti", "nbf", "sub", "exp", "iat", "aud"} & set(report.document)
    assert report.document == document
    assert verify(
        sign_jwt(document, issuer.jwt_key, issuer.jwt_kid), resolver=OfflineResolver(issuers=[issuer]), now=NOW
    ).ok
