"""Strict offline loader and safe mode, including the shape cache that skips repeated JSON-LD work."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from badge_issuer import contexts
from badge_issuer.canonical import canonize
from badge_issuer.contexts import check_safe_mode, document_loader
from badge_issuer.errors import DocumentLoaderError, SafeModeError
from badge_issuer.model import Recipient, build_credential

from .issuing import example_definition


@pytest.fixture
def credential() -> dict:
    return build_credential(
        example_definition(),
        Recipient(email="ana@example.org"),
        {"id": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "name": "Aurora"},
        credential_id="urn:uuid:3b8a0c4e-5f7d-4a2b-9c1d-2e3f4a5b6c7d",
        issued_at=datetime(2026, 11, 1, tzinfo=UTC),
        score=75,
    )


def test_unknown_context_url_is_an_error_naming_it():
    with pytest.raises(DocumentLoaderError, match=r"https://example\.org/ctx"):
        document_loader("https://example.org/ctx")


def test_every_bundled_context_loads():
    for url in contexts.BUNDLED:
        assert "@context" in document_loader(url)["document"]


@pytest.mark.parametrize("cached", [False, True], ids=["cold", "after-a-valid-document-of-the-same-shape"])
def test_failures_are_found_with_and_without_the_cache(credential, cached):
    contexts._SAFE_SHAPES.clear()
    if cached:
        check_safe_mode(credential)
        assert contexts._SAFE_SHAPES
    relative = copy.deepcopy(credential)
    relative["credentialSubject"]["achievement"]["id"] = "achievements/1"
    with pytest.raises(SafeModeError, match="relative IRI"):
        check_safe_mode(relative)
    undefined = copy.deepcopy(credential)
    undefined["evidence"] = [{"type": ["Evidence"], "colour": "red"}]
    with pytest.raises(SafeModeError, match=r"\$\.evidence\[0\]\.colour"):
        check_safe_mode(undefined)
    wrong_type = copy.deepcopy(credential)
    wrong_type["credentialSubject"]["type"] = ["AchievementSubjectX"]
    with pytest.raises(SafeModeError):
        check_safe_mode(wrong_type)
    fewer_contexts = copy.deepcopy(credential)
    fewer_contexts["@context"] = [c for c in fewer_contexts["@context"] if isinstance(c, str)]
    with pytest.raises(SafeModeError, match="not defined"):
        check_safe_mode(fewer_contexts)


def test_literal_values_do_not_change_the_shape(credential):
    other = copy.deepcopy(credential)
    other["name"] = "Another title entirely"
    other["credentialSubject"]["id"] = "did:example:123"
    key = contexts._shape_key(contexts.cacheable(credential))
    assert key is not None
    assert contexts._shape_key(contexts.cacheable(other)) == key
    other["credentialSubject"]["id"] = "relative"
    assert contexts._shape_key(contexts.cacheable(other)) != key


def test_unknown_inline_contexts_are_not_cached(credential):
    inline = copy.deepcopy(credential)
    inline["@context"] = [*inline["@context"], {"colour": "https://example.org/colour"}]
    assert contexts._shape_key(contexts.cacheable(inline)) is None


def test_credential_names_no_unpublished_context(credential):
    """Every @context entry is a standard published context or inline: nothing a verifier cannot fetch."""
    names = [c for c in credential["@context"] if isinstance(c, str)]
    assert names == [contexts.VC_V2, contexts.OB_V3, contexts.OB_EXTENSIONS]
    assert credential["@context"][3] == contexts.microvet_context()
    assert contexts.MICROVET_V1 not in names  # bundled, but published nowhere


def test_our_inline_context_is_keyed_by_content(credential):
    """cacheable() swaps the inline object for the bundled URL, so the URL caches serve it."""
    keyed = contexts.cacheable(credential)
    assert keyed["@context"][3] == contexts.MICROVET_V1
    assert credential["@context"][3] == contexts.microvet_context()  # the input is not changed
    assert contexts._shape_key(keyed) is not None
    changed = copy.deepcopy(credential)
    changed["@context"][3]["extraTerm"] = "https://example.org/extra"
    assert contexts.cacheable(changed)["@context"][3] == changed["@context"][3]  # other content: stays inline


def test_inline_and_url_contexts_give_the_same_nquads(credential):
    """Credentials that name the old w3id URL and inline ones sign the same RDF (plain pyld, no cache)."""
    by_url = {**credential, "@context": [*credential["@context"][:3], contexts.MICROVET_V1]}
    inline_plain = canonize(credential, cached=False)
    assert inline_plain == canonize(by_url, cached=False)
    assert inline_plain == canonize(credential)
    assert "http://data.europa.eu/snb/model/elm/volumeOfLearning" in inline_plain


def test_canonicalization_and_safe_mode_leave_the_input_unchanged(credential):
    """pyld copies its input, so neither path copies it again; this guards that assumption on upgrades."""
    before = json.dumps(credential)
    canonize(credential)
    contexts._check_safe_mode_uncached(credential)
    assert json.dumps(credential) == before
