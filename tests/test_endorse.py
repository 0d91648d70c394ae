"""EndorsementCredentials: built to the OB 3.0 schema, signed by the endorser, attached to a credential."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from badge_issuer import contexts, schema
from badge_issuer.definition import load_definition
from badge_issuer.endorse import ENDORSEMENT_SCHEMA_URL, attach_endorsements, build_endorsement
from badge_issuer.errors import DefinitionError, SafeModeError
from badge_issuer.keystore import generate_issuer
from badge_issuer.model import Recipient, achievement_of, build_credential
from badge_issuer.proofs.data_integrity import sign_di, verify_di
from badge_issuer.proofs.jwt import sign_jwt, verify_jwt
from badge_issuer.resolve import OfflineResolver

WHEN = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
ENDORSER_PROFILE = {"name": "Regional Chamber of Crafts", "country": "IT"}


@pytest.fixture(scope="module")
def endorser(tmp_path_factory):
    return generate_issuer(tmp_path_factory.mktemp("endorser"), did="key", profile=ENDORSER_PROFILE)


@pytest.fixture(scope="module")
def credential(example_definition_path):
    definition = load_definition(example_definition_path)
    issuer = {"id": "https://aurora-vet.example.it/ob3/issuer", "type": ["Profile"], "name": "Aurora"}
    return build_credential(
        definition,
        Recipient("ana@example.org"),
        issuer,
        credential_id="urn:uuid:7f3c1a52-1111-4c5d-9e0f-0123456789ab",
        issued_at=WHEN,
        salt="s",
    )


def _endorsement(endorser, subject_id: str, **kwargs) -> dict:
    return build_endorsement(
        subject_id=subject_id,
        issuer_profile=endorser.issuer_profile(),
        name="Chamber endorsement",
        comment="Meets the **regional welding** standard.",
        valid_from=WHEN,
        **kwargs,
    )


def test_endorsement_shape_schema_and_safe_mode(endorser):
    document = _endorsement(
        endorser,
        "https://aurora-vet.example.it/ob3/achievements/welding",
        valid_until=WHEN + timedelta(days=365),
        description="Annual review",
    )
    assert document["@context"] == [contexts.VC_V2, contexts.OB_V3, contexts.OB_EXTENSIONS]
    assert document["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert document["id"].startswith("urn:uuid:")
    assert document["issuer"]["id"] == endorser.issuer_id
    assert document["validFrom"] == "2026-11-28T12:00:00Z" and document["validUntil"] == "2027-11-28T12:00:00Z"
    assert document["credentialSubject"] == {
        "id": "https://aurora-vet.example.it/ob3/achievements/welding",
        "type": ["EndorsementSubject"],
        "endorsementComment": "Meets the **regional welding** standard.",
    }
    assert document["credentialSchema"] == [{"id": ENDORSEMENT_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}]
    assert ENDORSEMENT_SCHEMA_URL == schema._schema("endorsement")["$id"]
    assert schema.validate(document, "endorsement") == []
    contexts.check_safe_mode(document)


@pytest.mark.parametrize(
    "kwargs, subject",
    [
        ({"name": " "}, "name"),
        ({"issuer_profile": "https://chamber.example"}, "issuer"),
        ({"valid_until": WHEN - timedelta(days=1)}, "validUntil"),
        ({"valid_from": datetime(2026, 1, 1)}, "validFrom"),  # noqa: DTZ001 - naive: the bad input
        ({"comment": ""}, "credentialSubject.endorsementComment"),
    ],
)
def test_bad_endorsement_input_names_the_field(endorser, kwargs, subject):
    args = {
        "subject_id": "https://x.example/a",
        "issuer_profile": endorser.issuer_profile(),
        "name": "E",
        "valid_from": WHEN,
    } | kwargs
    with pytest.raises(DefinitionError) as info:
        build_endorsement(**args)
    assert info.value.subject == subject


def test_relative_subject_id_is_refused_by_safe_mode(endorser):
    with pytest.raises(SafeModeError) as info:
        _endorsement(endorser, "achievements/welding")
    assert "credentialSubject.id" in info.value.subject


def test_signed_endorsement_attached_to_achievement_verifies_inside_signed_credential(endorser, credential, tmp_path):
    achievement_id = credential["credentialSubject"]["achievement"]["id"]
    endorsement = sign_di(_endorsement(endorser, achievement_id), endorser.di_key, endorser.di_verification_method)
    resolver = OfflineResolver(issuers=[endorser])
    assert all(check.passed for check in verify_di(endorsement, resolver))

    endorsed = attach_endorsements(credential, [endorsement], target="achievement")
    assert endorsed["credentialSubject"]["achievement"]["endorsement"] == [endorsement]
    assert "endorsement" not in credential["credentialSubject"]["achievement"]  # input untouched
    assert schema.validate(endorsed) == []
    contexts.check_safe_mode(endorsed)

    issuer = generate_issuer(tmp_path / "issuer", did="key", profile={"name": "Aurora"})
    signed = sign_di(
        endorsed | {"issuer": endorsed["issuer"] | {"id": issuer.issuer_id}},
        issuer.di_key,
        issuer.di_verification_method,
    )
    both = OfflineResolver(issuers=[issuer, endorser])
    assert all(check.passed for check in verify_di(signed, both))
    nested = signed["credentialSubject"]["achievement"]["endorsement"][0]
    assert all(check.passed for check in verify_di(nested, both))


def test_jwt_endorsements_go_under_endorsement_jwt(endorser, credential, tmp_path):
    issuer_id = credential["issuer"]["id"]
    token = sign_jwt(_endorsement(endorser, issuer_id), endorser.jwt_key, endorser.jwt_kid)
    endorsed = attach_endorsements(credential, [token], target="issuer")
    assert endorsed["issuer"]["endorsementJwt"] == [token]
    document, checks = verify_jwt(endorsed["issuer"]["endorsementJwt"][0], OfflineResolver(issuers=[endorser]))
    assert all(c.passed for c in checks) and document["credentialSubject"]["id"] == issuer_id
    assert schema.validate(endorsed) == []
    # 1EdTech added endorsementJwt to context-3.0.3.json in place (openbadges-specification #639/#642):
    # the bundled copy has it, so safe mode keeps the term and a Data Integrity proof covers it.
    contexts.check_safe_mode(endorsed)
    own = generate_issuer(tmp_path / "own", did="key", profile={"name": "Aurora"})
    signed = sign_di(
        endorsed | {"issuer": endorsed["issuer"] | {"id": own.issuer_id}}, own.di_key, own.di_verification_method
    )
    assert all(check.passed for check in verify_di(signed, OfflineResolver(issuers=[own])))
    tampered = copy.deepcopy(signed)
    tampered["issuer"]["endorsementJwt"] = [token[:-4] + "AAAA"]
    assert not all(check.passed for check in verify_di(tampered, OfflineResolver(issuers=[own])))


def test_credential_level_endorsement(endorser, credential):
    endorsement = sign_di(_endorsement(endorser, credential["id"]), endorser.di_key, endorser.di_verification_method)
    endorsed = attach_endorsements(credential, [endorsement], target="credential")
    assert endorsed["endorsement"] == [endorsement]
    assert schema.validate(endorsed) == []


def test_attach_refuses_wrong_subject_unsigned_and_already_signed(endorser, credential):
    achievement_id = credential["credentialSubject"]["achievement"]["id"]
    elsewhere = sign_di(
        _endorsement(endorser, "https://other.example/a"), endorser.di_key, endorser.di_verification_method
    )
    with pytest.raises(DefinitionError) as info:
        attach_endorsements(credential, [elsewhere])
    assert info.value.subject == "endorsements[0].credentialSubject.id"
    with pytest.raises(DefinitionError, match="not signed"):
        attach_endorsements(credential, [_endorsement(endorser, achievement_id)])
    with pytest.raises(DefinitionError) as info:
        attach_endorsements(credential, ["not.a.jws"])
    assert info.value.subject == "endorsements[0]"
    with pytest.raises(DefinitionError) as info:
        attach_endorsements(credential | {"proof": [{"type": "DataIntegrityProof"}]}, [elsewhere])
    assert info.value.subject == "proof"
    with pytest.raises(DefinitionError) as info:
        attach_endorsements(credential | {"issuer": "https://aurora.example"}, [elsewhere], target="issuer")
    assert info.value.subject == "$.issuer"


def test_achievement_of_definition_is_the_endorsable_id(example_definition_path, credential):
    definition = load_definition(example_definition_path)
    assert achievement_of(definition)["id"] == credential["credentialSubject"]["achievement"]["id"]
