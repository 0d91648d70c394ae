"""Offline validation against the bundled official OB 3.0 JSON Schemas."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from badge_issuer import contexts, schema
from badge_issuer.definition import load_definition
from badge_issuer.model import Recipient, build_credential, prune
from badge_issuer.schema import SchemaError

from .conftest import OB3_DATA
from .issuing import example_definition

EXAMPLES = sorted((OB3_DATA / "examples").glob("*.json"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def kind_of(document) -> str:
    return "endorsement" if "EndorsementCredential" in document["type"] else "achievement"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_official_examples_pass_after_our_normaliser(path):
    """Re-issue, part 1: our serialiser's normaliser (prune nulls/empties) keeps official examples valid."""
    document = load(path)
    assert schema.validate(document, kind_of(document)) == []
    assert schema.validate(prune(document), kind_of(document)) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_our_credential_issued_by_each_official_issuer_profile(path, example_definition_path):
    """Re-issue, part 2: our micro-credential issued under each example's issuer Profile (its extras kept)."""
    issuer = load(path)["issuer"]
    assert schema.validate(issuer, "profile") == []
    credential = build_credential(
        load_definition(example_definition_path),
        Recipient("a@example.org"),
        issuer,
        credential_id="urn:uuid:00000000-0000-4000-8000-000000000001",
        issued_at=datetime(2026, 1, 1, tzinfo=UTC),
        score=90,
    )
    assert credential["issuer"]["id"] == issuer["id"]
    assert schema.validate(credential) == []
    contexts.check_safe_mode(credential)


@pytest.fixture()
def basic():
    return load(EXAMPLES[[p.stem for p in EXAMPLES].index("ob3-example-basic")])


def test_missing_required_property_is_reported_with_its_path(basic):
    del basic["credentialSubject"]["achievement"]["criteria"]
    errors = schema.validate(basic)
    assert errors and errors[0].startswith("$.credentialSubject.achievement: ")
    assert "'criteria' is a required property" in errors[0]


def test_single_object_proof_fails_the_canonical_schema(basic):
    basic["proof"] = {"type": "DataIntegrityProof"}
    assert any(e.startswith("$.proof:") for e in schema.validate(basic))


def test_identity_object_type_must_be_a_string(basic):
    basic["credentialSubject"]["identifier"] = [
        {"type": ["IdentityObject"], "identityType": "emailAddress", "hashed": True, "identityHash": "sha256$00"}
    ]
    assert schema.validate(basic)


def test_check_raises_with_the_first_path(basic):
    broken = copy.deepcopy(basic)
    broken["@context"] = ["https://www.w3.org/ns/credentials/v2"]
    with pytest.raises(SchemaError) as caught:
        schema.check(broken)
    assert caught.value.subject == "$['@context']"
    schema.check(basic)


def test_endorsement_and_profile_kinds():
    endorsement = load(EXAMPLES[[p.stem for p in EXAMPLES].index("ob3-example-endorsement")])
    assert schema.validate(endorsement, "endorsement") == []
    del endorsement["name"]  # name is required on EndorsementCredential
    assert schema.validate(endorsement, "endorsement")
    assert schema.validate({"id": "https://x.example", "type": ["Profile"]}, "profile") == []
    assert schema.validate({"type": ["Profile"]}, "profile")
    with pytest.raises(ValueError):
        schema.validate({}, "diploma")


def test_shape_cache_cannot_mask_a_value_violation():
    """After a valid credential is cached, one of the same shape with a bad constrained value still fails."""
    good = build_credential(
        example_definition(),
        Recipient(email="a@b.org"),
        {"id": "did:example:issuer"},
        credential_id="urn:uuid:6a1f5e2c-0d3b-4f7a-8e9c-1b2a3c4d5e6f",
        issued_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert schema.validate(good) == []
    bad_language = copy.deepcopy(good)
    bad_language["credentialSubject"]["achievement"]["inLanguage"] = "english please"
    assert any("inLanguage" in e for e in schema.validate(bad_language))
    bad_identity = copy.deepcopy(good)
    bad_identity["credentialSubject"]["identifier"][0]["identityType"] = "shoeSize"
    assert schema.validate(bad_identity)
    wrong_type = copy.deepcopy(good)
    wrong_type["credentialSubject"]["identifier"][0]["hashed"] = "yes"
    assert schema.validate(wrong_type)
