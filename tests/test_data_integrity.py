"""eddsa-rdfc-2022 Data Integrity proofs: both published test vectors byte for byte, and every failed check."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyld import jsonld

from badge_issuer import canonical, model, multibase, rdfc
from badge_issuer.contexts import microvet_context
from badge_issuer.definition import load_definition
from badge_issuer.errors import SafeModeError, SigningError
from badge_issuer.issuer_keys import IssuerKeys
from badge_issuer.keystore import generate_issuer
from badge_issuer.proofs.data_integrity import hash_data, sign_di, verify_di
from badge_issuer.resolve import OfflineResolver, publish
from tests.conftest import OB3_DATA, ROOT
from tests.multikeys import seed_from_secret_multibase

VECTORS = OB3_DATA / "test-vectors"
W3C = VECTORS / "w3c-eddsa-rdfc-2022"
OB3 = VECTORS / "ob3-eddsa-rdfc-2022"


def _json(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _key(secret_multibase: str) -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.from_private_bytes(seed_from_secret_multibase(secret_multibase))


def _failed(checks) -> dict[str, str]:
    return {c.name: c.reason for c in checks if not c.passed}


# ---------------------------------------------------------------- W3C vc-di-eddsa vector


def test_w3c_vector_canonical_forms_hashes_and_signature():
    unsigned, config = _json(W3C / "unsigned.json"), _json(W3C / "proofConfigDataInt.json")
    assert canonical.canonize(unsigned) == (W3C / "canonDocDataInt.txt").read_text()
    assert canonical.canonize(config) == (W3C / "proofCanonDataInt.txt").read_text()
    doc_hash = hashlib.sha256(canonical.canonize(unsigned).encode()).hexdigest()
    assert doc_hash == (W3C / "docHashDataInt.txt").read_text().strip()
    data = hash_data(unsigned, config)
    assert data[:32].hex() == (W3C / "proofHashDataInt.txt").read_text().strip()
    assert data.hex() == (W3C / "combinedHashDataInt.txt").read_text().strip()

    key = _key(_json(W3C / "keyPair.json")["privateKeyMultibase"])
    signed = sign_di(unsigned, key, config["verificationMethod"], created=config["created"])
    proof = signed["proof"][0]
    assert multibase.decode(proof["proofValue"]).hex() == (W3C / "sigHexDataInt.txt").read_text().strip()
    assert proof["proofValue"] == (W3C / "sigBTC58DataInt.txt").read_text().strip()
    expected = _json(W3C / "signedDataInt.json")
    assert signed | {"proof": proof} == expected


def test_w3c_signed_vector_verifies_but_its_issuer_does_not_control_the_key():
    """The vector's issuer (https://vc.example/issuers/5678) is not its did:key: only that check fails."""
    checks = verify_di(_json(W3C / "signedDataInt.json"), OfflineResolver())
    assert _failed(checks) == {
        "controller is issuer": "the key is controlled by 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2', "
        "the issuer is 'https://vc.example/issuers/5678'"
    }
    assert [c.name for c in checks] == [
        "proof present",
        "cryptosuite supported",
        "proofPurpose assertionMethod",
        "verification method resolvable",
        "controller is issuer",
        "key listed under assertionMethod",
        "signature valid",
    ]


# ---------------------------------------------------------------- 1EdTech OB 3.0 vector


@pytest.fixture
def ob3_resolver(tmp_path) -> OfflineResolver:
    """The OB 3.0 vector issuer's controller document, at the path OfflineResolver maps its URL to."""
    pair = _json(OB3 / "keyPair.json")
    path = tmp_path / "example.edu" / "issuers" / "565049.json"
    path.parent.mkdir(parents=True)
    method = {k: pair[k] for k in ("id", "type", "controller", "publicKeyMultibase")}
    path.write_text(
        json.dumps(
            {
                "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
                "id": pair["controller"],
                "verificationMethod": [method],
                "assertionMethod": [pair["id"]],
            }
        )
    )
    return OfflineResolver(tmp_path)


def test_ob3_vector_canonical_forms_hashes_and_signature():
    unsigned, options = _json(OB3 / "unsigned.json"), _json(OB3 / "proofOptions.json")
    expected = _json(OB3 / "expected.json")
    assert canonical.canonize(unsigned) == (OB3 / "document-canon.nq").read_text()
    config = options | {"@context": unsigned["@context"]}
    assert canonical.canonize(config) == (OB3 / "proof-canon.nq").read_text()
    data = hash_data(unsigned, config)
    assert data[:32].hex() == expected["proofCanonSha256Hex"]
    assert data[32:].hex() == expected["documentCanonSha256Hex"]
    assert data.hex() == expected["dataToSignHex(proofHash||docHash)"]

    key = _key(_json(OB3 / "keyPair.json")["secretKeyMultibase"])  # the 64-byte seed||public form
    signed = sign_di(unsigned, key, options["verificationMethod"], created=options["created"])
    assert multibase.decode(signed["proof"][0]["proofValue"]).hex() == expected["signatureHex"]
    assert signed["proof"] == [_json(OB3 / "signed.json")["proof"]]  # same proof, but as an array


def test_ob3_signed_vector_with_a_single_proof_object_verifies(ob3_resolver):
    signed = _json(OB3 / "signed.json")
    assert isinstance(signed["proof"], dict)
    checks = verify_di(signed, ob3_resolver)
    assert _failed(checks) == {}
    assert len(checks) == 7


# ---------------------------------------------------------------- our own proofs


@pytest.fixture(scope="module")
def issuer(tmp_path_factory) -> IssuerKeys:
    return generate_issuer(tmp_path_factory.mktemp("issuer"), did="key", profile={"name": "Aurora VET"})


@pytest.fixture
def credential(issuer) -> dict:
    return _json(OB3 / "unsigned.json") | {"issuer": issuer.issuer_profile()}


def test_sign_appends_a_proof_array_and_verifies(issuer, credential):
    signed = sign_di(credential, issuer.di_key, issuer.di_verification_method)
    assert "proof" not in credential  # the input is not modified
    assert isinstance(signed["proof"], list) and len(signed["proof"]) == 1
    proof = signed["proof"][0]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert datetime.fromisoformat(proof["created"]).tzinfo is not None
    assert _failed(verify_di(signed, OfflineResolver())) == {}


def test_a_second_proof_is_appended_and_both_verify(issuer, credential):
    once = sign_di(credential, issuer.di_key, issuer.di_verification_method, created="2025-01-01T00:00:00Z")
    twice = sign_di(once, issuer.di_key, issuer.di_verification_method, created="2025-02-01T00:00:00Z")
    assert [p["created"] for p in twice["proof"]] == ["2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"]
    checks = verify_di(twice, OfflineResolver())
    assert _failed(checks) == {} and "proof[1] signature valid" in {c.name for c in checks}


def test_undefined_term_is_refused_before_signing(issuer, credential):
    with pytest.raises(SafeModeError) as error:
        sign_di(credential | {"nickname": "x"}, issuer.di_key, issuer.di_verification_method)
    assert error.value.subject == "$.nickname"


@pytest.mark.parametrize(("created", "vm"), [("2025-01-01", None), ("yesterday", None), (None, "did:key:z6Mk")])
def test_bad_proof_options_are_refused(issuer, credential, created, vm):
    with pytest.raises(SigningError):
        sign_di(credential, issuer.di_key, vm or issuer.di_verification_method, created=created)


def test_tampered_document_fails_only_the_signature(issuer, credential):
    signed = sign_di(credential, issuer.di_key, issuer.di_verification_method)
    signed["credentialSubject"]["achievement"]["name"] = "Forged"
    assert set(_failed(verify_di(signed, OfflineResolver()))) == {"signature valid"}


def test_tampered_proof_options_fail_the_signature(issuer, credential):
    signed = sign_di(credential, issuer.di_key, issuer.di_verification_method)
    signed["proof"][0]["created"] = "2000-01-01T00:00:00Z"
    assert "altered document or wrong key" in _failed(verify_di(signed, OfflineResolver()))["signature valid"]


def test_swapped_key_fails_the_signature(issuer, credential):
    stranger = ed25519.Ed25519PrivateKey.generate()
    signed = sign_di(credential, stranger, issuer.di_verification_method)
    assert set(_failed(verify_di(signed, OfflineResolver()))) == {"signature valid"}


def test_impostor_key_fails_the_controller_check(issuer, credential, tmp_path):
    other = generate_issuer(tmp_path, did="key", profile={"name": "Impostor"})
    signed = sign_di(credential, other.di_key, other.di_verification_method)  # issuer still names `issuer`
    failed = _failed(verify_di(signed, OfflineResolver()))
    assert set(failed) == {"controller is issuer"} and issuer.issuer_id in failed["controller is issuer"]


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ({"proofPurpose": "authentication"}, {"proofPurpose assertionMethod", "signature valid"}),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, {"cryptosuite supported", "signature valid"}),
        (
            {"verificationMethod": "did:web:nowhere.example#key-1"},
            {"verification method resolvable", "signature valid"},
        ),
        ({"proofValue": "uAAAA"}, {"signature valid"}),
    ],
)
def test_each_wrong_proof_member_fails_its_named_check(issuer, credential, change, failing):
    signed = sign_di(credential, issuer.di_key, issuer.di_verification_method)
    signed["proof"][0].update(change)
    failed = _failed(verify_di(signed, OfflineResolver()))
    assert set(failed) == failing and all(failed.values())


def test_key_not_under_assertion_method_fails_that_check(tmp_path):
    issuer = generate_issuer(tmp_path / "i", did="web", domain="aurora.example", profile={"name": "A"})
    doc_path, _ = publish(issuer, tmp_path / "r")
    doc_path.write_text(json.dumps(issuer.did_document() | {"assertionMethod": []}))
    document = _json(OB3 / "unsigned.json") | {"issuer": issuer.issuer_profile()}
    signed = sign_di(document, issuer.di_key, issuer.di_verification_method)
    assert set(_failed(verify_di(signed, OfflineResolver(tmp_path / "r")))) == {"key listed under assertionMethod"}


def test_missing_proof_is_reported(credential):
    assert _failed(verify_di(credential, OfflineResolver())) == {"proof present": "the document has no proof"}


# ---------------------------------------------------------------- canonicalization cache


def _eu_micro_credential() -> dict:
    """A full EU micro-credential built by the model from examples/micro-credential.yaml."""
    definition = load_definition(ROOT / "examples" / "micro-credential.yaml")
    return model.build_credential(
        definition,
        model.Recipient("learner@example.org", subject_id="did:example:learner"),
        {"id": "did:web:aurora.example", "type": ["Profile"], "name": "Aurora VET"},
        credential_id="urn:uuid:1b0e3a2c-0000-4000-8000-000000000001",
        issued_at=datetime(2025, 6, 30, tzinfo=UTC),
        score=87,
    )


DOCUMENTS = [
    *(pytest.param(lambda p=p: _json(p), id=p.name) for p in sorted((OB3_DATA / "examples").glob("*.json"))),
    pytest.param(lambda: _json(W3C / "unsigned.json"), id="w3c-vector"),
    pytest.param(lambda: _json(OB3 / "unsigned.json"), id="ob3-vector"),
    pytest.param(_eu_micro_credential, id="eu-micro-credential"),
]


@pytest.mark.parametrize("load", DOCUMENTS)
def test_cached_canonicalization_is_byte_identical_to_plain_pyld(load):
    document = load()
    warm = [canonical.canonize(document), canonical.canonize(copy.deepcopy(document))]  # second run: cache hits
    jsonld._resolved_context_cache.clear()  # plain pyld from scratch: no context resolved or processed before
    plain = canonical.canonize(document, cached=False)
    assert plain.count("\n") > 5
    assert warm == [plain, plain]


def test_eu_micro_credential_uses_the_microvet_context_and_round_trips(issuer):
    document = _eu_micro_credential() | {"issuer": issuer.issuer_profile()}
    assert microvet_context() in document["@context"]
    signed = sign_di(document, issuer.di_key, issuer.di_verification_method)
    assert _failed(verify_di(signed, OfflineResolver())) == {}


def test_a_credential_with_our_context_inline_signs_and_verifies_on_the_fast_path(issuer):
    """The wallets design: our terms as an object in @context. Two credentials of one shape: the second is
    hashed from the shape's template, and both proofs verify and match plain pyld's hashes."""
    documents = []
    for n in (1, 2):
        document = _eu_micro_credential() | {"issuer": issuer.issuer_profile(), "id": f"urn:uuid:{n:036d}"}
        assert microvet_context() in document["@context"]
        documents.append(sign_di(document, issuer.di_key, issuer.di_verification_method))
    for signed in documents:
        assert _failed(verify_di(signed, OfflineResolver())) == {}
        unsecured = {k: v for k, v in signed.items() if k != "proof"}
        assert canonical.canonize(unsecured) == canonical.canonize(unsecured, cached=False)
    key, _shape = rdfc.shape_of({k: v for k, v in documents[1].items() if k != "proof"})
    assert isinstance(rdfc._templates[key], rdfc._Split)
