"""OLX of the micro-credential block: readable XML, exact round trips, clear errors."""

from __future__ import annotations

import pytest
from lxml import etree
from xblock.test import toy_runtime
from xblock.test.toy_runtime import ToyRuntime

from badge_issuer.definition import load_definition
from badge_issuer.elements import ELEMENTS
from microcredential_xblock.blocks import credential_olx
from microcredential_xblock.blocks.credential import MicroCredentialXBlock
from microcredential_xblock.blocks.olx import OlxError
from microcredential_xblock.demo.scenarios import OLX_DIR

ESCO = "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"
DEFINITION = {
    "title": 'Pâtisserie & "safety" <basics>',
    "id": "https://example.org/a/1",
    "description": "Line one.\nLine two & <three>.",
    "language": "it",
    "version": "2",
    "field_of_study": "Food",
    "awarding_body": {"name": "Scuola", "url": "https://scuola.example.it", "country": "IT", "region": "Lazio"},
    "learning_outcomes": [
        {"id": "lo-1", "text": "Bake bread safely.", "esco_skills": [ESCO]},
        {"id": "lo-2", "text": "Clean the kitchen."},
    ],
    "workload": {"ects": 2.5, "hours": 60},
    "eqf_level": 4,
    "nqf_level": "IT QF 4",
    "assessment_type": "portfolio",
    "participation": "blended",
    "supervision": "supervised-onsite-id",
    "quality_assurance": "ISO 21001",
    "prerequisites": "Safety <first> & foremost.",
    "stackability": "Towards a diploma",
    "further_information": "https://example.org/more",
    "grading": {"pass_mark": 60, "result_type": "Percent"},
    "valid_for_days": 365,
    "image": "data:image/png;base64,iVBORw0KGgo=",
}
RULES = {
    "all": [
        {"all_outcomes": True},
        {"any": [{"min_score": {"value": 72.5, "op": ">"}}, {"course_passed": True}]},
        {"assessments_completed": ["quiz-1", "block-v1:Org+C+R+type@outcome_assessment+block@q2"]},
        {"window": {"not_before": "2026-01-01", "not_after": "2026-12-31T23:00:00Z"}},
    ]
}
#: OLX as the exporter wrote it before ADR 0017 (its attribute and element order; the image inline).
OLD_FORM = """<microcredential display_name="Old" achievement_id="https://example.org/a/old" language="pt"
    version="1" eqf_level="3" nqf_level="N3" ects="0.5" hours="12.5" assessment_type="testing"
    participation="online" supervision="supervised-no-id" pass_mark="50" valid_for_days="30">
  <description>Old description.</description>
  <field_of_study>Old field</field_of_study>
  <quality_assurance>Old QA</quality_assurance>
  <awarding_body name="Old body" url="https://old.example.pt" email="a@old.example.pt" country="PT" region="Norte"/>
  <outcome id="lo-a"><text>Old outcome.</text></outcome>
  <prerequisites>None.</prerequisites>
  <stackability>Alone.</stackability>
  <further_information>https://old.example.pt/more</further_information>
  <image>data:image/png;base64,iVBORw0KGgo=</image>
  <rules><all_outcomes/></rules>
</microcredential>"""


@pytest.fixture(autouse=True)
def fresh_toy_runtime(monkeypatch):
    monkeypatch.setattr(toy_runtime, "TOYRUNTIME_KVS", toy_runtime.ToyRuntimeKeyValueStore({}))


def export(definition, rules=RULES) -> etree._Element:
    node = etree.Element("microcredential")
    credential_olx.export_definition(definition, rules, node)
    return node


def test_round_trip_keeps_every_element():
    again, rules = credential_olx.import_definition(etree.fromstring(etree.tostring(export(DEFINITION))))
    assert again == DEFINITION and rules == RULES


def test_every_declared_element_has_its_place_in_olx():
    """Each element of the declaration is written (an attribute, a child, the awarding body or an outcome)."""
    node = export(DEFINITION)
    written = set(node.attrib) | {child.tag for child in node}
    for element in ELEMENTS:
        if element.olx and element.parent != "awarding_body":
            assert element.olx in written, element.path
    assert set(node.find("awarding_body").attrib) == {"name", "url", "country", "region"}


def test_the_old_attribute_form_imports_as_the_same_definition():
    definition, rules = credential_olx.import_definition(etree.fromstring(OLD_FORM))
    assert rules == {"all_outcomes": True}
    assert definition["workload"] == {"ects": 0.5, "hours": 12.5}
    assert definition["grading"] == {"pass_mark": 50, "result_type": "Percent"}
    assert definition["awarding_body"]["email"] == "a@old.example.pt" and definition["language"] == "pt"
    assert definition["image"] == "data:image/png;base64,iVBORw0KGgo="
    again, _ = credential_olx.import_definition(etree.fromstring(etree.tostring(export(definition, rules))))
    assert again == definition


def test_a_missing_language_is_english_as_the_old_field_default_was():
    definition, _ = credential_olx.import_definition(etree.fromstring('<microcredential display_name="x"/>'))
    assert definition["language"] == "en" and definition["title"] == "x"


def test_xml_is_readable_elements_not_json():
    text = etree.tostring(export(DEFINITION), encoding="unicode")
    assert "{" not in text and "&quot;all" not in text
    root = etree.fromstring(text)
    assert root.find("outcome[@id='lo-1']/text").text == "Bake bread safely."
    assert root.find("outcome[@id='lo-1']/esco").text == ESCO
    assert root.find("awarding_body").get("country") == "IT"
    assert root.find("rules/all/any/min_score").attrib == {"value": "72.5", "op": ">"}
    assert next(a.text for a in root.findall("rules/all/assessments_completed/assessment")) == "quiz-1"
    assert root.find("description").text == DEFINITION["description"]
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
        credential_olx.import_definition(etree.fromstring(xml))
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
    block = runtime.get_block(runtime.parse_xml_string(etree.tostring(export(DEFINITION))))
    node = etree.Element("root")
    block.add_xml_to_node(node)
    assert node.tag == "microcredential"
    again = runtime.get_block(runtime.parse_xml_string(etree.tostring(node)))
    assert (again.display_name, again.definition, again.rules) == (block.display_name, block.definition, block.rules)
    assert block.display_name == DEFINITION["title"] and "title" not in block.definition
    assert block.rules == RULES
    assert isinstance(block, MicroCredentialXBlock)


def test_old_form_olx_gives_a_block_with_the_same_definition():
    runtime = ToyRuntime("author")
    block = runtime.get_block(runtime.parse_xml_string(OLD_FORM))
    definition, _ = credential_olx.import_definition(etree.fromstring(OLD_FORM))
    assert block.definition_dict() == definition
