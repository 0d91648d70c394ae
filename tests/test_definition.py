"""parse_definition / load_definition: every rule of docs/definition-format.md, all errors at once."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from badge_issuer.definition import Definition, load_definition, parse_definition
from badge_issuer.errors import DefinitionError


@pytest.fixture()
def data(example_definition_path) -> dict:
    return yaml.safe_load(example_definition_path.read_text(encoding="utf-8"))


def errors_of(data) -> dict[str, str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    assert caught.value.subject in caught.value.errors
    return caught.value.errors


def test_example_parses_with_every_eu_element(example_definition_path):
    d = load_definition(example_definition_path)
    assert isinstance(d, Definition)
    assert d.awarding_body.country == "IT" and d.awarding_body.region == "Emilia-Romagna"
    assert (d.ects, d.hours, d.eqf_level) == (1, 25, 5)
    assert [lo.id for lo in d.learning_outcomes] == ["lo-write-outcomes", "lo-eu-elements", "lo-assessment-qa"]
    assert d.learning_outcomes[0].esco_skills == (
        "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a",
    )
    assert (d.assessment_type, d.participation, d.supervision) == ("testing", "online", "unsupervised-no-id")
    assert (d.result_type, d.pass_mark, d.valid_for_days) == ("Percent", 70, 1825)


def test_to_dict_round_trips_and_is_json(data):
    d = parse_definition(data)
    again = parse_definition(json.loads(json.dumps(d.to_dict())))
    assert again == d
    assert d.to_dict() == data  # the example has no surrounding whitespace to strip


def test_eqf_level_9_is_rejected_with_the_documented_message(data):
    data["eqf_level"] = 9
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    assert str(caught.value) == "eqf_level: must be an integer from 1 to 8"


@pytest.mark.parametrize("value", [True, 5.0, "5", 0, None])
def test_eqf_level_must_be_an_integer_in_range(data, value):
    data["eqf_level"] = value
    assert "eqf_level" in errors_of(data)


def test_all_errors_are_collected_first_one_is_the_subject(data):
    data["id"] = "http://insecure.example/achievement"
    data["language"] = "English"
    data["awarding_body"]["country"] = "ITA"
    data["learning_outcomes"][1]["id"] = "lo-write-outcomes"
    data["learning_outcomes"][0]["esco_skills"] = ["https://esco.example/skill/1"]
    data["workload"]["ects"] = float("nan")
    data["workload"]["hours"] = 0
    data["grading"]["pass_mark"] = 101
    data["valid_for_days"] = -1
    data["participation"] = "by-mail"
    data["colour"] = "blue"
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    error = caught.value
    assert error.subject == "id" and "https" in error.reason
    assert set(error.errors) == {
        "id",
        "language",
        "awarding_body.country",
        "learning_outcomes[1].id",
        "learning_outcomes[0].esco_skills[0]",
        "workload.ects",
        "workload.hours",
        "grading.pass_mark",
        "valid_for_days",
        "participation",
        "colour",
    }
    assert "duplicate" in error.errors["learning_outcomes[1].id"]
    assert "online" in error.errors["participation"]  # lists the allowed keys


@pytest.mark.parametrize(
    "field,value",
    [
        ("title", ""),
        ("title", "   "),
        ("title", "x" * 256),
        ("title", 42),
        ("title", "bad\x00title"),
        ("title", "lone \ud800 surrogate"),
        ("title", "two\nlines"),
        ("version", "1.0\u2028beta"),
        ("description", None),
        ("quality_assurance", ""),
        ("learning_outcomes", []),
        ("learning_outcomes", "write things"),
        ("version", 1.0),
        ("image", "http://example.org/badge.png"),
        ("image", "data:image/gif;base64,R0lGOD=="),
        ("image", "data:image/png;base64,%%%"),
        ("supervision", "proctored"),
        ("id", "https://example.org/achievement#v1"),
        ("id", "https://example.org/a b"),
    ],
)
def test_bad_values_name_their_field(data, field, value):
    data[field] = value
    assert field in errors_of(data)


def test_every_reason_is_a_catalog_msgid_with_its_params_apart(data, source_msgids):
    """Bug P2-3: the reasons were English f-strings, so Studio showed them in English in every language."""
    data.update(title="x" * 300, eqf_level=9, language="English", version=1.0, valid_for_days=0, colour="blue")
    data.update(description=True, quality_assurance=["a"], prerequisites={"a": 1}, image="ftp://x", workload=[])
    data["awarding_body"].update(country="it", email="nobody", url="https://x/a b", region="a\nb")
    data["learning_outcomes"] += [{"id": "Bad Id", "text": "t", "esco_skills": "x"}, "an outcome", {"text": "t"}]
    data["learning_outcomes"][0]["esco_skills"] = ["x", "x"]
    data["grading"]["result_type"] = "Stars"
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    problems = caught.value.problems
    assert len(problems) >= 20
    assert {p.reason for p in problems} <= source_msgids
    assert caught.value.errors["title"] == "must be at most 255 characters (got 300)"  # English as before
    assert caught.value.errors["eqf_level"] == "must be an integer from 1 to 8"
    assert caught.value.errors["grading.result_type"] == "must be one of Percent (got 'Stars')"
    first = problems[0]
    assert (first.path, first.reason, first.params) == (
        "title",
        "must be at most %(limit)d characters (got %(length)d)",
        {"limit": 255, "length": 300},
    )
    shorter = {first.reason: "at most %(limit)d, not %(length)d"}
    assert caught.value.translated(shorter.get) == "at most 255, not 300"  # the msgid translated, then filled in


@pytest.mark.parametrize("ects", [True, -1, float("inf"), 181, "1"])
def test_ects_must_be_a_plain_number_in_range(data, ects):
    data["workload"]["ects"] = ects
    assert "workload.ects" in errors_of(data)


def test_zero_ects_and_fractional_values_are_accepted(data):
    data["workload"] = {"ects": -0.0, "hours": 12.5}
    d = parse_definition(data)
    assert (d.ects, d.hours) == (0, 12.5)
    assert str(d.ects) == "0.0"  # not "-0.0"


def test_optional_fields_may_be_omitted(data):
    for key in (
        "version",
        "field_of_study",
        "nqf_level",
        "prerequisites",
        "supervision",
        "stackability",
        "further_information",
        "grading",
        "valid_for_days",
    ):
        del data[key]
    del data["awarding_body"]["region"], data["awarding_body"]["email"]
    d = parse_definition(data)
    assert d.pass_mark is None and d.valid_for_days is None and d.supervision == ""
    assert parse_definition(d.to_dict()) == d


def test_image_accepts_https_and_png_or_svg_data_uris(data):
    for image in (
        "https://aurora-vet.example.it/badge.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:image/svg+xml;base64,PHN2Zy8+",
    ):
        data["image"] = image
        assert parse_definition(data).image == image


def test_values_are_stripped(data):
    data["title"] = "  Designing micro-credentials  "
    assert parse_definition(data).title == "Designing micro-credentials"


def test_not_a_mapping():
    with pytest.raises(DefinitionError) as caught:
        parse_definition(["id"])
    assert caught.value.subject == "definition"


def test_load_json_twin(tmp_path, data):
    path = tmp_path / "def.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_definition(path) == parse_definition(data)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: https://example.org/a\ntitle: [unclosed\nlanguage: en\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.subject == str(path)
    assert "invalid YAML at line" in caught.value.reason


def test_json_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "id": "https://example.org/a",\n  "title": \n}', encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.subject == str(path)
    assert "invalid JSON at line 4" in caught.value.reason


def test_missing_file_and_unknown_suffix_name_the_file(tmp_path):
    with pytest.raises(DefinitionError, match="cannot read"):
        load_definition(tmp_path / "missing.yaml")
    other = tmp_path / "def.toml"
    other.write_text("id = 1", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(other)
    assert caught.value.subject == str(other) and "unsupported" in caught.value.reason


def test_yaml_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "list.yml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="mapping"):
        load_definition(path)


def test_parse_does_not_mutate_input(data):
    before = copy.deepcopy(data)
    parse_definition(data)
    assert data == before
