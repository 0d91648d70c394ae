"""OLX of the micro-credential block: readable XML, exact round trips, clear errors."""

from __future__ import annotations

import pytest
from lxml import etree
from xblock.test import toy_runtime
from xblock.test.toy_runtime import ToyRuntime

from badge_issuer.definition import load_definition
from microcredential_xblock.blocks import credential_olx
from microcredential_xblock.blocks.credential import MicroCredentialXBlock
from microcredential_xblock.blocks.olx import OlxError
from microcredential_xblock.demo.scenarios import OLX_DIR

ESCO = "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"
VALUES = {
    "display_name": 'Pâtisserie & "safety" <basics>',
    "achievement_id": "https://example.org/a/1",
    "description": "Line one.\nLine two & <three>.",
    "language": "it",
    "version": "2",
    "field_of_study": "Food",
    "eqf_level": 4,
    "nqf_level": "",
    "ects": 2.5,
    "hours": 60,
    "assessment_type": "portfolio",
    "participation": "blended",
    "supervision": "supervised-onsite-id",
    "pass_mark": 60,
    "valid_for_days": 365,
    "quality_assurance": "ISO 21001",
    "prerequisites": "",
    "stackability": "Towards a diploma",
    "further_information": "https://example.org/more",
    "image": "data:image/png;base64,iVBORw0KGgo=",
    "awarding_body": {
        "name": "Scuola",
        "url": "https://scuola.example.it",
        "email": "",
        "country": "IT",
        "region": "Lazio",
    },
    "learning_outcomes": [
        {"id": "lo-1", "text": "Bake bread safely.", "esco_skills": [ESCO]},
        {"id": "lo-2", "text": "Clean the kitchen.", "esco_skills": []},
    ],
    "rules": {
        "all": [
            {"all_outcomes": True},
            {"any": [{"min_score": {"value": 72.5, "op": ">"}}, {"course_passed": True}]},
            {"assessments_completed": ["quiz-1", "block-v1:Org+C+R+type@outcome_assessment+block@q2"]},
            {"window": {"not_before": "2026-01-01", "not_after": "2026-12-31T23:00:00Z"}},
        ]
    },
}


@pytest.fixture(autouse=True)
def fresh_toy_runtime(monkeypatch):
    monkeypatch.setattr(toy_runtime, "TOYRUNTIME_KVS", toy_runtime.ToyRuntimeKeyValueStore({}))


def export(values) -> etree._Element:
    node = etree.Element("microcredential")
    credential_olx.export_fields(values, node)
    return node


def test_round_trip_keeps_every_field():
    node = export(VALUES)
    again = credential_olx.import_fields(etree.fromstring(etree.tostring(node)))
    expected = {k: v for k, v in VALUES.items() if v not in ("", None)}
    assert again == expected


def test_xml_is_readable_elements_not_json():
    text = etree.tostring(export(VALUES), encoding="unicode")
    assert "{" not in text and "&quot;all" not in text
    root = etree.fromstring(text)
    assert root.find("outcome[@id='lo-1']/text").text == "Bake bread safely."
    assert root.find("outcome[@id='lo-1']/esco").text == ESCO
    assert root.find("awarding_body").get("country") == "IT"
    assert root.find("rules/all/any/min_score").attrib == {"value": "72.5", "op": ">"}
    assert next(a.text for a in root.findall("rules/all/assessments_completed/assessment")) == "quiz-1"
    assert root.find("description").text == VALUES["description"]
    assert root.get("eqf_level") == "4" and root.get("hours") == "60"


def test_rules_without_op_round_trip_exactly():
    rules = {"min_score": {"value": 70}}
    assert credential_olx.rules_from_xml(credential_olx.rules_to_xml(rules)) == rules


@pytest.mark.parametrize(
    ("xml", "subject"),
    [
        ("<microcredential><colour>red</colour></microcredential>", "microcredential/colour"),
        ('<microcredential eqf_level="five"/>', "microcredential/@eqf_level"),
        ('<microcredential ects="1e400"/>', "microcredential/@ects"),
        ("<microcredential><rules><all_outcomes/><course_passed/></rules></microcredential>", "microcredential/rules"),
        ("<microcredential><rules><eval>1</eval></rules></microcredential>", "microcredential/rules/eval"),
        (
            '<microcredential><outcome id="a" colour="x"><text>t</text></outcome></microcredential>',
            "microcredential/outcome/@colour",
        ),
        (
            '<microcredential><rules><min_score value="x"/></rules></microcredential>',
            "microcredential/rules/min_score/@value",
        ),
    ],
)
def test_bad_olx_names_the_place(xml, subject):
    with pytest.raises(OlxError) as raised:
        credential_olx.import_fields(etree.fromstring(xml))
    assert raised.value.subject == subject


def test_demo_olx_describes_the_example_definition(example_definition_path):
    """The demo scenario's micro-credential is examples/micro-credential.yaml, element for element."""
    root = etree.parse(str(OLX_DIR / "designing-micro-credentials.xml")).getroot()
    runtime = ToyRuntime("author")
    block = runtime.get_block(runtime.parse_xml_string(etree.tostring(root.find("microcredential"))))
    assert block.problems() == {}
    assert block.definition_dict() == load_definition(example_definition_path).to_dict()
    assert block.rules == {"all_outcomes": True}


def test_block_export_then_import_is_identical():
    runtime = ToyRuntime("author")
    block = runtime.get_block(runtime.parse_xml_string(etree.tostring(export(VALUES))))
    node = etree.Element("root")
    block.add_xml_to_node(node)
    assert node.tag == "microcredential"
    again = runtime.get_block(runtime.parse_xml_string(etree.tostring(node)))
    assert again.field_values() == block.field_values()
    assert block.field_values()["rules"] == VALUES["rules"]
    assert isinstance(block, MicroCredentialXBlock)
