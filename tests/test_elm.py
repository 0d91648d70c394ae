"""to_elm: the award as an unsigned ELM v3 EuropeanDigitalCredential shaped like the EC Annex I sample."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from pyld import jsonld

from badge_issuer import contexts
from badge_issuer.definition import load_definition, parse_definition
from badge_issuer.elm import to_elm
from badge_issuer.errors import DefinitionError
from badge_issuer.model import Recipient, build_credential
from tests.conftest import OB3_DATA, ROOT, require


@pytest.fixture(scope="module")
def definition(example_definition_path):
    return load_definition(example_definition_path)


@pytest.fixture(scope="module")
def credential(definition):
    return build_credential(
        definition,
        Recipient("ana@example.org", "did:key:z6MkAna", "Ana Andromeda"),
        {"id": "https://aurora-vet.example.it/ob3/issuer"},
        credential_id="urn:uuid:7f3c1a52-1111-4c5d-9e0f-0123456789ab",
        issued_at=datetime(2026, 11, 28, 12, tzinfo=UTC),
        score=87.5,
        include_name=True,
    )


@pytest.fixture(scope="module")
def elm(definition, credential):
    return to_elm(definition, credential)


@pytest.fixture(scope="module")
def sample(ob3_data):
    return json.loads((ob3_data / "elm" / "elm3-sample-microcredential-annex1.unsigned.jsonld").read_text("utf-8"))


def test_every_term_is_defined_by_the_elm_context(elm, sample):
    contexts.check_safe_mode(sample)  # the reference itself passes our checker
    contexts.check_safe_mode(elm)


def test_envelope_matches_the_sample(elm, sample):
    assert elm["@context"] == sample["@context"] == [contexts.VC_V1, contexts.ELM_EDC_AP]
    assert elm["type"] == sample["type"]
    assert elm["credentialSchema"] == sample["credentialSchema"]
    assert elm["credentialProfiles"][0]["id"] == sample["credentialProfiles"]["id"]
    assert elm["id"] == "urn:credential:" + elm["id"].rsplit(":", 1)[1]
    assert (elm["validFrom"], elm["expirationDate"]) == ("2026-11-28T12:00:00Z", "2031-11-27T12:00:00Z")


def test_learner_and_claim(elm, definition):
    subject = elm["credentialSubject"]
    assert subject["id"] == "did:key:z6MkAna" and subject["type"] == "Person"
    assert subject["fullName"] == {"en": "Ana Andromeda"}
    claim = subject["hasClaim"]
    assert claim["type"] == "LearningAchievement" and claim["title"] == {"en": definition.title}
    body = claim["awardedBy"]["awardingBody"][0]
    assert body == elm["issuer"] and body["legalName"] == {"en": "Istituto Formazione Professionale Aurora"}
    address = body["location"][0]["address"][0]
    assert address["countryCode"]["id"] == "http://publications.europa.eu/resource/authority/country/ITA"
    assert address["fullAddress"]["noteLiteral"] == {"en": "Emilia-Romagna"}
    assert claim["awardedBy"]["awardingDate"] == "2026-11-28T12:00:00Z"


def test_specification_carries_the_eu_elements(elm, definition):
    spec = elm["credentialSubject"]["hasClaim"]["specifiedBy"]
    assert spec["id"] == definition.id and spec["type"] == "Qualification"
    assert spec["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/5"
    assert spec["creditPoint"][0]["framework"]["id"] == "http://data.europa.eu/snb/education-credit/6fcec5c5af"
    assert spec["creditPoint"][0]["point"] == "1" and spec["volumeOfLearning"] == "PT25H"
    assert spec["mode"][0]["id"] == "http://data.europa.eu/snb/learning-assessment/920fbb3cbe"
    assert spec["entryRequirement"]["noteLiteral"] == {"en": definition.prerequisites}
    outcomes = spec["learningOutcome"]
    assert [o["title"]["en"] for o in outcomes] == [lo.text for lo in definition.learning_outcomes]
    assert [s["id"] for s in outcomes[0]["relatedESCOSkill"]] == list(definition.learning_outcomes[0].esco_skills)
    assert "relatedESCOSkill" not in outcomes[1]
    notes = " ".join(n["noteLiteral"]["en"] for n in spec["additionalNote"])
    assert "ISO 21001" in notes and "Trainer of the future" in notes and "IT QF level 5" in notes
    assert spec["homepage"][0]["contentURL"] == definition.further_information


def test_assessment(elm):
    proven = elm["credentialSubject"]["hasClaim"]["provenBy"][0]
    assert proven["grade"]["noteLiteral"] == {"en": "87.5 %"}
    assert proven["idVerification"]["id"] == "http://data.europa.eu/snb/supervision-verification/c598449d64"
    assert proven["specifiedBy"]["dcType"][0]["id"] == "https://w3id.org/microvet/vocab/assessment-type/testing"


def test_export_is_deterministic(definition, credential, elm):
    assert to_elm(definition, credential) == elm


def test_other_language_and_minimal_definition_stay_safe(definition, credential):
    data = definition.to_dict()
    for key in ("prerequisites", "supervision", "stackability", "further_information", "nqf_level"):
        del data[key]
    data["language"] = "pt-BR"
    minimal = parse_definition(data)
    document = to_elm(minimal, credential)
    contexts.check_safe_mode(document)
    assert document["credentialSubject"]["hasClaim"]["title"] == {"pt-br": definition.title}
    assert "idVerification" not in document["credentialSubject"]["hasClaim"]["provenBy"][0]


def test_credential_of_another_definition_is_refused(definition, credential):
    data = definition.to_dict()
    data["id"] = "https://microvet.example.eu/achievements/other"
    with pytest.raises(DefinitionError) as caught:
        to_elm(parse_definition(data), credential)
    assert caught.value.subject == "credentialSubject.achievement.id"


# ---------------------------------------------------------------- the EC's SHACL shapes (EDC generic-full)

SHAPES = OB3_DATA / "elm" / "shapes"
SH = "http://www.w3.org/ns/shacl#"
#: What Europass fills in when it seals a credential (shared/ob3/README.md), and so what an unsigned
#: export may lack: cred:issued, the issuer node shape (its eIDAS legal identifier) and hasClaim,
#: which the EC sample's issuer, being also typed as a person-like agent, fails too.
SEALING_SHAPES = {
    "EuropeanDigitalCredential-cred_issued",
    "EuropeanDigitalCredential-cred_issuer",
    "Person-elm_hasClaim",
}


def _violations(documents: list[dict]) -> set[tuple[str, str, str]]:
    """(focus node, source shape, path) of every SHACL violation, all documents validated as one graph
    (their node ids are distinct), with the ontology and RDFS inference, as the EC tools run them."""
    try:
        import pyshacl  # noqa: PLC0415 - a test-only dependency (requirements/test.txt)
        import rdflib  # noqa: PLC0415
    except ImportError:
        require(False, "pyshacl (pip install -r requirements/test.txt)")
    data = rdflib.Graph()
    for document in documents:
        data.parse(data=jsonld.to_rdf(document, contexts.jsonld_options(format="application/n-quads")), format="nt")
    shapes = rdflib.Graph()
    for name in ("EDC-generic-full.ttl", "EDC-generic-no-cv.ttl"):
        shapes.parse(SHAPES / name)
    ontology = rdflib.Graph().parse(SHAPES / "ELM.ttl")
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="rdfs")
    found = set()
    for result in results.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationResult")):
        if (None, rdflib.URIRef(SH + "detail"), result) in results:
            continue  # a detail of another result, reported through that one
        shape = results.value(result, rdflib.URIRef(SH + "sourceShape"))
        name = str(shape).rsplit("/", 1)[-1] if isinstance(shape, rdflib.URIRef) else f"[{shape}]"
        path = str(results.value(result, rdflib.URIRef(SH + "resultPath")))
        found.add((str(results.value(result, rdflib.URIRef(SH + "focusNode"))), name, path))
    return found


def _award(definition, issuer_id: str, score: float | None) -> dict:
    credential = build_credential(
        definition,
        Recipient("ana@example.org", f"{issuer_id}/learner", "Ana Andromeda"),
        {"id": issuer_id},
        credential_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, issuer_id + str(score))}",
        issued_at=datetime(2026, 11, 28, 12, tzinfo=UTC),
        score=score,
        include_name=True,
    )
    return to_elm(definition, credential)


def test_the_ec_sample_lacks_only_what_sealing_adds(sample):
    assert {shape for _, shape, _ in _violations([sample])} == SEALING_SHAPES


def test_exports_of_every_sample_course_and_the_example_conform_to_the_ec_shapes(definition):
    """With and without a grade; every violation left is one Europass resolves when sealing."""
    from course_templates.spec import load_spec  # noqa: PLC0415 - only this test needs the course tools

    definitions = [("example", definition)] + [
        (spec.stem, parse_definition(load_spec(spec).definition))
        for spec in sorted((ROOT / "course_templates" / "specs").glob("*.yaml"))
    ]
    assert len(definitions) >= 10
    exports: dict[str, dict] = {}
    # One graph per run, in which no definition id repeats: a definition's Qualification node is shared
    # by its awards, and the example definition is the English sample course's.
    for score in (87.5, None):
        for group in (definitions[1:], definitions[:1]):
            batch = {f"https://issuers.example.org/{name}/{score}": each for name, each in group}
            exports |= {issuer: _award(each, issuer, score) for issuer, each in batch.items()}
            violations = _violations([exports[issuer] for issuer in batch])
            assert {shape for _, shape, _ in violations} <= SEALING_SHAPES, sorted(violations)
            # cred:issued is missing on each credential and the issuer shape fails on each: nothing else.
            assert len(violations) == 2 * len(batch)
    graded = exports["https://issuers.example.org/example/87.5"]
    assessment = graded["credentialSubject"]["hasClaim"]["provenBy"][0]
    assert assessment["grade"]["noteLiteral"] == {"en": "87.5 %"}
    ungraded = exports["https://issuers.example.org/example/None"]
    assert ungraded["credentialSubject"]["hasClaim"]["provenBy"][0]["grade"]["noteLiteral"] == {"en": "Passed"}
    assert ungraded["displayParameter"]["primaryLanguage"]["id"].endswith("/language/ENG")


def test_the_display_language_is_the_credentials(definition, credential):
    import dataclasses  # noqa: PLC0415

    def language(lang: str) -> str:
        exported = to_elm(dataclasses.replace(definition, language=lang), credential)
        return exported["displayParameter"]["language"][0]["id"]

    assert language("it") == "http://publications.europa.eu/resource/authority/language/ITA"
    assert language("pt-BR").endswith("/POR")
    assert language("aa").endswith("/UND")  # outside the bundled table: undetermined, still an export
