"""The one declaration of the EU elements (badge_issuer/elements.py) holds for what reads it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from badge_issuer.definition import TOP_LEVEL_FIELDS, parse_definition
from badge_issuer.elements import BY_PATH, ELEMENTS, KINDS, MAPPINGS, from_fields, get, to_fields
from badge_issuer.errors import DefinitionError
from badge_issuer.model import Recipient, build_credential
from tests.issuing import ISSUED_AT, PROFILE
from tests.test_editor import data_uri, png_bytes


@pytest.fixture
def data(example_definition_path) -> dict[str, Any]:
    definition = yaml.safe_load(example_definition_path.read_text(encoding="utf-8"))
    return {**definition, "image": data_uri(png_bytes())}


def lookup(document: Any, path: str) -> Any:
    for key in path.split("."):
        document = document[0] if isinstance(document, list) else document
        document = document.get(key) if isinstance(document, dict) else None
    return document


def test_every_element_is_declared_once_with_a_known_kind():
    assert len(BY_PATH) == len(ELEMENTS)
    assert {e.kind for e in ELEMENTS} <= set(KINDS)
    assert {e.parent for e in ELEMENTS} - {""} == set(MAPPINGS)
    assert TOP_LEVEL_FIELDS == {e.path for e in ELEMENTS if not e.parent} | set(MAPPINGS)


def test_the_example_has_every_element_and_each_lands_in_its_credential_property(data):
    definition = parse_definition(data)
    assert all(get(data, e) not in (None, "") for e in ELEMENTS)  # the example is complete
    profile = {**PROFILE, "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}
    credential = build_credential(
        definition,
        Recipient("ana@example.org"),
        profile,
        credential_id="urn:uuid:2c1ef5d6-7f5b-4b5a-9d3f-0c2d1a9c1e10",
        issued_at=ISSUED_AT,
        score=80,
    )
    for element in ELEMENTS:
        assert lookup(credential, element.credential) not in (None, ""), element.path


@pytest.mark.parametrize("element", [e for e in ELEMENTS if e.required], ids=lambda e: e.path)
def test_each_required_element_is_reported_at_its_path_when_missing(data, element):
    broken = copy.deepcopy(data)
    (broken[element.parent] if element.parent else broken).pop(element.key)
    with pytest.raises(DefinitionError) as caught:
        parse_definition(broken)
    assert caught.value.errors == {element.path: "is required"}


def test_optional_elements_may_be_left_out(data):
    minimal = copy.deepcopy(data)
    for element in ELEMENTS:
        if not element.required and element.parent in ("", "awarding_body"):
            (minimal[element.parent] if element.parent else minimal).pop(element.key)
    minimal.pop("grading")
    parse_definition(minimal)


def test_form_keys_round_trip_every_element(data):
    normalised = parse_definition(data).to_dict()
    assert from_fields(to_fields(normalised)) == normalised
