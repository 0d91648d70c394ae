"""Differential test: the RDFC fast path (badge_issuer.rdfc) against plain pyld, byte for byte.

The corpus: every sample-course credential (from course_templates/specs), every OB 3.0 example,
hypothesis-generated definitions, credentials whose @context carries our terms inline, and
arbitrary text in the values the fast path substitutes. Each document is canonicalized after
documents of the same shape primed the template (made on a shape's second document), so the
template path (not the first-of-shape pyld path) is what gets compared; the tests also assert
that the template path was taken where it must be (our own credentials), so a fast path that
silently always fell back would fail here.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badge_issuer import canonical, rdfc
from badge_issuer.contexts import BUNDLED, MICROVET_V1, bundled_context
from badge_issuer.definition import parse_definition
from badge_issuer.errors import MicrovetError
from badge_issuer.model import Recipient, build_credential
from course_templates.spec import load_spec
from tests.conftest import OB3_DATA, ROOT

from .test_model_properties import mutated, mutation

SPECS = sorted((ROOT / "course_templates" / "specs").glob("*.yaml"))
EXAMPLES = sorted((OB3_DATA / "examples").glob("*.json"))
ISSUER = {"id": "did:web:aurora.example", "type": ["Profile"], "name": "Aurora VET", "url": "https://aurora.example"}
STATUS = "https://aurora.example/microvet/status/revocation-1"


def plain(document: dict) -> str:
    return canonical.canonize(document, cached=False)


def fast(document: dict) -> str:
    return canonical.canonize(copy.deepcopy(document))


def credential(definition, i: int, *, score=87, name=None) -> dict:
    return build_credential(
        definition,
        Recipient(f"learner{i}@example.org", subject_id=f"did:example:learner{i}", name=name),
        ISSUER,
        credential_id=f"https://aurora.example/microvet/credential/00000000-0000-4000-8000-{i:012d}",
        issued_at=datetime(2026, 6, 30, 10, i % 60, tzinfo=UTC),
        score=score,
        status_entries=[
            {
                "id": f"{STATUS}#{1000 + i}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": str(1000 + i),
                "statusListCredential": STATUS,
            }
        ],
        include_name=name is not None,
    )


def inline(document: dict) -> dict:
    """The document with our context carried inline (an object in @context), as the wallets design has it."""
    terms = bundled_context(MICROVET_V1)["@context"]
    return document | {"@context": [terms if c == MICROVET_V1 else c for c in document["@context"]]}


def taken(document: dict) -> bool:
    """Whether the fast path has a checked template for this document's shape."""
    found = rdfc.shape_of(document)
    return found is not None and isinstance(rdfc._templates.get(found[0]), rdfc._Split)


def same_shape_variant(node, key=""):
    """Every substitutable-looking string changed at its end (prefix and equality kept), keys and types kept."""
    if isinstance(node, dict):
        return {k: v if k in ("@context", "type", "@type") else same_shape_variant(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [same_shape_variant(item, key) for item in node]
    if isinstance(node, str) and not node.startswith(("_:", "@")) and node:
        return node + "-2"
    return node


# ---------------------------------------------------------------- sample-course credentials


@pytest.fixture(scope="module", params=[s.name for s in SPECS])
def course_definition(request):
    return parse_definition(load_spec(ROOT / "course_templates" / "specs" / request.param).definition)


@pytest.mark.parametrize("context", ["urls", "inline"])
def test_every_sample_course_credential_is_byte_identical_and_takes_the_fast_path(course_definition, context):
    shape = inline if context == "inline" else (lambda d: d)
    documents = [shape(credential(course_definition, i, score=score)) for i, score in ((1, 87), (2, 87), (3, 87))]
    documents.append(shape(credential(course_definition, 4, score=87, name='Zoë "Q" \\ Örn\nline')))
    documents.append(shape(credential(course_definition, 5, score=87, name="Ana")))
    for document in documents:
        assert fast(document) == plain(document)
    assert all(taken(d) for d in documents), "our own credentials must take the template path"


def test_the_largest_sample_course_credential_is_a_real_workload():
    sizes = [plain(credential(parse_definition(load_spec(spec).definition), 1)).count("\n") for spec in SPECS]
    assert max(sizes) > 80


# ---------------------------------------------------------------- OB 3.0 examples and test vectors


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_ob3_example_and_a_same_shape_variant_are_byte_identical(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    document.pop("proof", None)
    variant = same_shape_variant(document)
    for doc in (document, variant, document):
        assert fast(doc) == plain(doc)


@pytest.mark.parametrize("vector", ["w3c-eddsa-rdfc-2022", "ob3-eddsa-rdfc-2022"])
def test_test_vector_documents_and_variants_are_byte_identical(vector):
    unsigned = json.loads((OB3_DATA / "test-vectors" / vector / "unsigned.json").read_text(encoding="utf-8"))
    for doc in (unsigned, same_shape_variant(unsigned), unsigned):
        assert fast(doc) == plain(doc)


# ---------------------------------------------------------------- generated definitions and values

PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(st.lists(mutation, min_size=1, max_size=4))
def test_generated_definitions_are_byte_identical(mutations):
    try:
        definition = parse_definition(mutated(mutations))
        documents = [credential(definition, 1), credential(definition, 2, score=55.5)]
    except MicrovetError:
        return  # refused definitions are test_model_properties' subject
    for document in (*documents, inline(documents[0])):
        assert fast(document) == plain(document)


@pytest.fixture(scope="module")
def example_definition():
    return parse_definition(load_spec(SPECS[0]).definition)


any_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@PROPERTY
@given(name=any_text, email_local=st.from_regex(r"[a-z0-9._%+-]{1,20}", fullmatch=True), tail=any_text)
def test_arbitrary_text_in_substituted_values_is_byte_identical(example_definition, name, email_local, tail):
    """Names, ids and descriptions with quotes, backslashes, control characters, non-ASCII: the template
    path or the pyld fallback, never a different canonical form."""
    document = credential(example_definition, 7, name=name if name.strip() else "x")  # a blank name is refused
    for primer in ("primer", "second primer"):  # the shape's template exists (made on its second document)
        canonical.canonize(credential(example_definition, 8, name=primer))
    document["credentialSubject"]["achievement"]["description"] += tail
    document["id"] = "https://aurora.example/c/" + tail.replace(" ", "")
    document["credentialSubject"]["id"] = f"mailto:{email_local}@example.org"
    assert fast(document) == plain(document)


def test_a_value_equal_in_one_document_and_distinct_in_another_keeps_its_own_graph(example_definition):
    """Equal node ids merge into one node: the shape keeps which values are equal, so the two differ."""
    distinct = credential(example_definition, 9)
    merged = copy.deepcopy(distinct)
    merged["credentialSubject"]["id"] = merged["issuer"]["id"]
    for document in (distinct, merged, distinct, merged):
        assert fast(document) == plain(document)
    assert rdfc.shape_of(distinct)[0] != rdfc.shape_of(merged)[0]


def test_a_shape_whose_template_pyoxigraph_refuses_stays_with_pyld():
    """A control character in a type IRI: pyld writes it raw, pyoxigraph refuses it; the first-of-shape
    check marks the shape, and every document of it goes to pyld."""
    document = {"@context": {"@vocab": "https://example.org/"}, "type": "Odd\bType", "name": "a"}
    variant = document | {"name": "b"}
    for doc in (document, variant):
        assert fast(doc) == plain(doc)
    assert rdfc._templates[rdfc.shape_of(document)[0]] == rdfc._FALLBACK


def test_every_bundled_context_url_is_known_to_the_vocabulary_scan():
    """Values of @vocab-typed terms and keyword aliases are kept verbatim in the shape (never substituted)."""
    terms = rdfc._bundled_verbatim()
    assert {"type", "proofPurpose"} <= terms  # an alias of @type; a term with "@type": "@vocab"
    assert len(BUNDLED) >= 10


def test_values_that_select_terms_by_vocabulary_are_never_substituted(example_definition):
    document = credential(example_definition, 11)
    canonical.canonize(document)
    _key, shape = rdfc.shape_of(document)
    assert "OpenBadgeCredential" not in shape.index
    assert "did:example:learner11" in shape.index


def test_an_embedded_context_below_the_top_is_not_taken():
    document = {
        "@context": {"@vocab": "https://example.org/"},
        "child": {"@context": {"x": "https://example.org/x"}, "x": "y"},
    }
    assert rdfc.shape_of(document) is None
    assert fast(document) == plain(document)


@pytest.mark.parametrize("spec", [p.name for p in Path(ROOT / "examples").glob("*.yaml")])
def test_example_definitions_are_byte_identical(spec):
    from badge_issuer.definition import load_definition  # noqa: PLC0415

    definition = load_definition(ROOT / "examples" / spec)
    documents = [credential(definition, i) for i in range(1, 4)]
    for document in documents:
        assert fast(document) == plain(document)


def test_a_context_with_a_base_iri_is_not_taken():
    """With @base, relative IRIs resolve against it (``../x`` is not a concatenation): pyld only."""
    document = {"@context": {"@vocab": "https://example.org/v#", "@base": "https://example.org/a/b/"}, "@id": "c"}
    assert rdfc.shape_of(document) is None
    for relative in ("c", "../x", "?q", "#f"):
        doc = document | {"@id": relative, "name": "n"}
        assert fast(doc) == plain(doc)
