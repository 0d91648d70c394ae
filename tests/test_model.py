"""build_credential: the EU micro-credential as an OB 3.0 credential that passes schema and safe mode."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from badge_issuer import contexts, schema
from badge_issuer.definition import load_definition, parse_definition
from badge_issuer.errors import DefinitionError
from badge_issuer.model import (
    ACHIEVEMENT_SCHEMA_URL,
    Recipient,
    achievement_of,
    build_credential,
    expiry,
    identity_hash,
    verify_recipient,
)

ISSUED = datetime(2026, 11, 28, 12, 0, 5, 123456, tzinfo=UTC)
ISSUER = {"id": "https://aurora-vet.example.it/ob3/issuer", "type": ["Profile"], "name": "platform name"}
CRED_ID = "urn:uuid:7f3c1a52-1111-4c5d-9e0f-0123456789ab"


@pytest.fixture(scope="module")
def definition(example_definition_path):
    return load_definition(example_definition_path)


def build(definition, **kwargs):
    args = {"credential_id": CRED_ID, "issued_at": ISSUED, "salt": "s4lt"}
    args.update(kwargs)
    recipient = args.pop("recipient", Recipient("Ana.Andromeda@Example.org "))
    return build_credential(definition, recipient, ISSUER, **args)


def test_credential_passes_schema_and_safe_mode(definition):
    credential = build(
        definition,
        score=87.5,
        evidence=[{"name": "Final test", "genre": "Online examination"}],
        status_entries=[
            {
                "id": "https://x.example/status/1#94567",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "94567",
                "statusListCredential": "https://x.example/status/1",
            }
        ],
    )
    assert schema.validate(credential) == []
    contexts.check_safe_mode(credential)


def test_envelope(definition):
    c = build(definition)
    assert c["@context"] == contexts.credential_contexts()
    assert c["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert c["id"] == CRED_ID and c["name"] == definition.title
    assert c["validFrom"] == c["awardedDate"] == "2026-11-28T12:00:05Z"
    assert c["validUntil"] == "2031-11-27T12:00:05Z"  # 1825 days
    assert c["credentialSchema"] == [{"id": ACHIEVEMENT_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}]


def test_issuer_is_the_awarding_body_with_the_keys_id(definition):
    issuer = build(definition)["issuer"]
    assert issuer == {
        "id": ISSUER["id"],
        "type": ["Profile"],
        "name": "Istituto Formazione Professionale Aurora",
        "url": "https://aurora-vet.example.it",
        "email": "credentials@aurora-vet.example.it",
        "address": {"type": ["Address"], "addressCountryCode": "IT", "addressRegion": "Emilia-Romagna"},
    }


def test_identity_hash_matches_the_ob3_schema_example():
    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_email_is_normalised_hashed_and_verifiable(definition):
    subject = build(definition)["credentialSubject"]
    expected = hashlib.sha256(b"ana.andromeda@example.org" + b"s4lt").hexdigest()
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": f"sha256${expected}",
            "salt": "s4lt",
        }
    ]
    credential = build(definition)
    assert verify_recipient(credential, "  ANA.andromeda@example.org")
    assert not verify_recipient(credential, "ana@example.org")
    assert "Andromeda@" not in json.dumps(credential)


def test_random_salt_differs_between_awards(definition):
    a = build(definition, salt=None)["credentialSubject"]["identifier"][0]
    b = build(definition, salt=None)["credentialSubject"]["identifier"][0]
    assert a["salt"] != b["salt"] and a["identityHash"] != b["identityHash"]


def test_name_only_when_asked(definition):
    recipient = Recipient("ana@example.org", subject_id="did:key:z6MkExample", name="Ana Andromeda")
    without = build(definition, recipient=recipient)["credentialSubject"]
    assert "Ana Andromeda" not in json.dumps(without) and without["id"] == "did:key:z6MkExample"
    named = build(definition, recipient=recipient, include_name=True)["credentialSubject"]
    assert named["identifier"][1] == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Ana Andromeda",
    }
    with pytest.raises(DefinitionError, match=r"recipient\.name"):
        build(definition, include_name=True)


def test_subject_gets_a_fresh_urn_uuid_without_subject_id(definition):
    a, b = (build(definition)["credentialSubject"]["id"] for _ in range(2))
    assert a.startswith("urn:uuid:") and a != b


def test_achievement_carries_every_eu_element(definition):
    a = build(definition)["credentialSubject"]["achievement"]
    assert a["id"] == definition.id and a["type"] == ["Achievement"] and a["achievementType"] == "MicroCredential"
    for words in (
        "Istituto Formazione Professionale Aurora",
        "IT",
        "1 ECTS",
        "25 hours",
        "EQF level 5",
        "Testing",
        "Online",
        "ISO 21001",
    ):
        assert words in a["description"]
    assert a["criteria"]["id"] == definition.further_information
    assert a["criteria"]["narrative"].count("\n- ") == 3
    assert a["alignment"][0] == {
        "type": ["Alignment"],
        "targetName": "EQF level 5",
        "targetUrl": "http://data.europa.eu/snb/eqf/5",
        "targetFramework": "European Qualifications Framework",
        "targetCode": "5",
        "targetType": "ext:EQFLevel",
    }
    esco = a["alignment"][1]
    assert esco["targetUrl"] == definition.learning_outcomes[0].esco_skills[0]
    assert (esco["targetFramework"], esco["targetType"]) == ("ESCO", "ext:ESCOSkill")
    assert len(a["alignment"]) == 2
    assert a["creditsAvailable"] == 1 and a["ectsCredits"] == "1" and a["volumeOfLearning"] == "PT25H"
    assert (a["inLanguage"], a["version"]) == ("en", "1.0")
    assert a["eqfLevel"] == "http://data.europa.eu/snb/eqf/5" and a["nqfLevel"] == "IT QF level 5"
    assert a["learningMode"] == "http://data.europa.eu/snb/learning-assessment/920fbb3cbe"
    assert a["assessmentType"] == "https://w3id.org/microvet/vocab/assessment-type/testing"
    assert a["idVerification"] == "http://data.europa.eu/snb/supervision-verification/c598449d64"
    assert a["entryRequirement"] == definition.prerequisites
    assert a["integrationStackability"] == definition.stackability
    assert a["learningOutcome"][0] == {
        "type": ["LearningOutcome"],
        "outcomeId": "lo-write-outcomes",
        "outcomeText": definition.learning_outcomes[0].text,
        "relatedESCOSkill": list(definition.learning_outcomes[0].esco_skills),
    }
    assert "relatedESCOSkill" not in a["learningOutcome"][1]  # no empty arrays
    assert a["resultDescription"] == [
        {
            "id": f"{definition.id}#result",
            "type": ["ResultDescription"],
            "name": "Final assessment score",
            "resultType": "Percent",
            "valueMin": "0",
            "valueMax": "100",
            "requiredValue": "70",
        }
    ]


def test_achievement_is_the_same_for_every_award(definition):
    assert build(definition)["credentialSubject"]["achievement"] == achievement_of(definition)


def test_result_and_credits(definition):
    subject = build(definition, score=100)["credentialSubject"]
    assert subject["result"] == [{"type": ["Result"], "resultDescription": f"{definition.id}#result", "value": "100"}]
    assert subject["creditsEarned"] == 1
    assert "result" not in build(definition)["credentialSubject"]


@pytest.mark.parametrize("score", [69.9, -1, 100.5, True, float("nan"), "90"])
def test_bad_or_failing_score_is_refused(definition, score):
    with pytest.raises(DefinitionError) as caught:
        build(definition, score=score)
    assert caught.value.subject == "score"


def test_evidence_entries(definition):
    [evidence] = build(definition, evidence=[{"name": "Portfolio", "narrative": "Three lesson plans"}])["evidence"]
    assert evidence["type"] == ["Evidence"] and evidence["id"].startswith("urn:uuid:")
    assert (evidence["name"], evidence["narrative"]) == ("Portfolio", "Three lesson plans")
    with pytest.raises(DefinitionError) as caught:
        build(definition, evidence=[{"name": "x", "score": "9"}])
    assert caught.value.subject == "evidence[0].score"


def test_minimal_definition_never_emits_null_or_empty(definition):
    minimal = parse_definition(
        {
            k: v
            for k, v in definition.to_dict().items()
            if k
            not in (
                "version",
                "field_of_study",
                "nqf_level",
                "prerequisites",
                "supervision",
                "stackability",
                "further_information",
                "grading",
                "valid_for_days",
            )
        }
    )
    credential = build(minimal, score=12)

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                assert value not in (None, [], {}, "")
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(credential)
    assert "idVerification" not in credential["credentialSubject"]["achievement"]
    assert "validUntil" not in credential
    assert schema.validate(credential) == []
    contexts.check_safe_mode(credential)


@pytest.mark.parametrize(
    "kwargs,subject",
    [
        ({"credential_id": "not an iri"}, "credential_id"),
        ({"issued_at": datetime(2026, 1, 1)}, "issued_at"),  # noqa: DTZ001 - naive: the bad input
        ({"recipient": Recipient("not-an-email")}, "recipient.email"),
        ({"recipient": Recipient("a@b.org", subject_id="relative/id")}, "recipient.subject_id"),
        ({"status_entries": [{"id": "urn:a", "type": "X"}, {"id": "urn:b", "type": "X"}]}, "status_entries"),
    ],
)
def test_bad_arguments_name_the_argument(definition, kwargs, subject):
    with pytest.raises(DefinitionError) as caught:
        build(definition, **kwargs)
    assert caught.value.subject == subject


def test_issued_at_is_converted_to_utc(definition):
    cet = timezone(timedelta(hours=1))
    assert build(definition, issued_at=datetime(2026, 1, 1, 13, 0, tzinfo=cet))["validFrom"] == "2026-01-01T12:00:00Z"


def test_issuer_without_id_is_refused(definition):
    with pytest.raises(DefinitionError, match=r"issuer_profile\.id"):
        build_credential(definition, Recipient("a@b.org"), {"name": "x"}, credential_id=CRED_ID, issued_at=ISSUED)


def test_issuer_profile_extras_survive_and_empty_body_fields_do_not_erase_them(definition):
    data = definition.to_dict()
    del data["awarding_body"]["email"]
    profile = {
        "id": ISSUER["id"],
        "email": "keys@platform.example",
        "description": "Signs for Aurora",
        "@context": ["https://www.w3.org/ns/credentials/v2"],
    }
    issuer = build_credential(
        parse_definition(data), Recipient("a@b.org"), profile, credential_id=CRED_ID, issued_at=ISSUED
    )["issuer"]
    assert issuer["email"] == "keys@platform.example" and issuer["description"] == "Signs for Aurora"
    assert "@context" not in issuer and issuer["name"] == definition.awarding_body.name


def test_every_eu_element_is_readable_in_native_fields_optional_ones_only_when_present(definition):
    """A wallet that shows only name, description, criteria and result still shows all 16 elements."""
    credential = build(definition, score=82.5)
    a = credential["credentialSubject"]["achievement"]
    lines = a["description"].splitlines()
    for label in ("Awarding body", "Workload", "Level", "Type of assessment", "Form of participation",
                  "Quality assurance", "Prerequisites", "Supervision and identity verification",
                  "Integration and stackability", "Further information"):  # fmt: skip
        assert sum(line.startswith(label + ": ") for line in lines) == 1, label
    assert "Prerequisites: Experience as a trainer" in a["description"]
    assert a["criteria"]["narrative"].startswith("Learning outcomes:\n\n- ")
    assert credential["description"].endswith("Grade achieved: 82.5 %")
    assert lines[-1] == f"Further information: {definition.further_information}"  # no full stop after a URL
    bare = dataclasses.replace(definition, prerequisites="", supervision="", stackability="", further_information="")
    text = build(bare)["credentialSubject"]["achievement"]["description"]
    for absent in ("Prerequisites", "Supervision", "stackability", "Further information"):
        assert absent not in text
    assert "Grade" not in build(bare)["description"]


def test_the_elements_are_written_in_the_credentials_language(definition):
    a = build(dataclasses.replace(definition, language="it"))["credentialSubject"]["achievement"]
    assert "Carico di lavoro: 1 ECTS, 25 ore." in a["description"]
    assert "Tipo di valutazione: " in a["description"]
    assert "Supervisione e verifica dell'identità: Senza supervisione" in a["description"]
    assert a["criteria"]["narrative"].startswith("Risultati dell'apprendimento:")
    german = build(dataclasses.replace(definition, language="de-AT"))["credentialSubject"]["achievement"]
    assert "Form of participation" not in german["description"]  # de-AT uses the de catalog


def test_expiry():
    assert expiry(ISSUED, None) is None
    assert expiry(ISSUED, 10) == ISSUED + timedelta(days=10)
