"""The Studio editor's server-side validation (microcredential_xblock/blocks/editor.py), without a runtime."""

from __future__ import annotations

import base64
import copy
import json
import struct
import zlib

import pytest
import yaml

from badge_issuer.definition import load_definition
from microcredential_xblock.blocks import editor

DEFAULT_ID = "https://lms.example.org/microvet/achievements/0b4d"
ESCO = "http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a"


def png_bytes(extra: int = 0) -> bytes:
    """A valid 1x1 PNG, optionally padded with an ancillary chunk of ``extra`` bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + (chunk(b"tEXt", b"c\0" + b"x" * extra) if extra else b"")
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b"")


def data_uri(raw: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


@pytest.fixture
def form(example_definition_path) -> dict:
    """What the editor JS posts for the example micro-credential (numbers as typed text)."""
    data = yaml.safe_load(example_definition_path.read_text(encoding="utf-8"))
    return {
        "display_name": data["title"],
        "achievement_id": data["id"],
        "description": data["description"],
        "language": data["language"],
        "version": data["version"],
        "field_of_study": data["field_of_study"],
        "awarding_body": dict(data["awarding_body"]),
        "learning_outcomes": [
            {"id": lo["id"], "text": lo["text"], "esco_skills": lo.get("esco_skills", [])}
            for lo in data["learning_outcomes"]
        ],
        "ects": "1",
        "hours": "25",
        "eqf_level": "5",
        "nqf_level": data["nqf_level"],
        "assessment_type": data["assessment_type"],
        "participation": data["participation"],
        "quality_assurance": data["quality_assurance"],
        "prerequisites": data["prerequisites"],
        "supervision": data["supervision"],
        "stackability": data["stackability"],
        "further_information": data["further_information"],
        "pass_mark": "70",
        "valid_for_days": "1825",
        "image": "",
        "rules_mode": "simple",
        "rules_simple": {"min_score": "", "not_before": "", "not_after": ""},
        "rules_json": "",
    }


def test_valid_form_gives_the_example_definition(form, example_definition_path):
    result = editor.validate_submission(form, default_id=DEFAULT_ID)
    assert result.errors == {}
    assert result.definition == load_definition(example_definition_path).to_dict()
    stored = result.values["definition"]
    assert stored["eqf_level"] == 5 and stored["workload"]["ects"] == 1 and stored["grading"]["pass_mark"] == 70
    assert result.values["display_name"] == result.definition["title"] and "title" not in stored
    assert stored == {k: v for k, v in result.definition.items() if k != "title"}  # normalised, id included
    assert result.values["rules"] == {"all_outcomes": True}


def test_blank_identifier_uses_the_default(form):
    form["achievement_id"] = "  "
    result = editor.validate_submission(form, default_id=DEFAULT_ID)
    assert result.errors == {}
    assert "id" not in result.values["definition"] and result.definition["id"] == DEFAULT_ID


@pytest.mark.parametrize(
    ("field", "typed", "key"),
    [
        ("eqf_level", "9", "eqf_level"),
        ("eqf_level", "0", "eqf_level"),
        ("eqf_level", "five", "eqf_level"),
        ("ects", "-1", "ects"),
        ("ects", "one", "ects"),
        ("hours", "0", "hours"),
        ("valid_for_days", "1.5", "valid_for_days"),
        ("pass_mark", "101", "pass_mark"),
        ("language", "english", "language"),
        ("language", "zz", "language"),
        ("assessment_type", "interview", "assessment_type"),
    ],
)
def test_one_bad_field_is_reported_next_to_it_and_nothing_is_saved(form, field, typed, key):
    form[field] = typed
    result = editor.validate_submission(form, default_id=DEFAULT_ID)
    assert list(result.errors) == [key]
    assert result.errors[key]
    assert result.values == {}


def test_every_problem_is_reported_at_once(form):
    form["eqf_level"] = "12"
    form["learning_outcomes"][0]["esco_skills"] = ["https://esco.example/skill/1"]
    form["awarding_body"]["country"] = "Italy"
    form["learning_outcomes"][2]["text"] = ""
    result = editor.validate_submission(form, default_id=DEFAULT_ID)
    assert set(result.errors) == {
        "eqf_level",
        "learning_outcomes[0].esco_skills",
        "awarding_body.country",
        "learning_outcomes[2].text",
    }
    assert "ESCO" in result.errors["learning_outcomes[0].esco_skills"]


def test_empty_outcome_list_is_refused(form):
    form["learning_outcomes"] = []
    assert "learning_outcomes" in editor.validate_submission(form, default_id=DEFAULT_ID).errors


def test_esco_uris_may_arrive_as_lines_and_outcome_ids_are_filled_in(form):
    form["learning_outcomes"] = [{"id": "", "text": "Plan a lesson.", "esco_skills": f"{ESCO}\n  \n"}]
    result = editor.validate_submission(form, default_id=DEFAULT_ID)
    assert result.errors == {}
    outcomes = result.values["definition"]["learning_outcomes"]
    assert outcomes == [{"id": "lo-1", "text": "Plan a lesson.", "esco_skills": [ESCO]}]


def test_duplicate_outcome_ids_are_refused_on_the_row(form):
    form["learning_outcomes"][1]["id"] = form["learning_outcomes"][0]["id"]
    errors = editor.validate_submission(form, default_id=DEFAULT_ID).errors
    assert "duplicate" in errors["learning_outcomes[1].id"]


def test_not_a_form(form):
    assert "form" in editor.validate_submission(["x"], default_id=DEFAULT_ID).errors


# ------------------------------------------------------------------------------------------------ rules


def test_simple_rule_with_score_and_window(form):
    form["rules_simple"] = {"min_score": "75,5", "not_before": "2026-01-01", "not_after": "2026-12-31"}
    result = editor.validate_submission(form, default_id=DEFAULT_ID)
    assert result.errors == {}
    assert result.values["rules"] == {
        "all": [
            {"all_outcomes": True},
            {"min_score": {"value": 75.5, "op": ">="}},
            {"window": {"not_before": "2026-01-01", "not_after": "2026-12-31"}},
        ]
    }
    assert editor.as_simple(result.values["rules"]) == {
        "min_score": 75.5,
        "not_before": "2026-01-01",
        "not_after": "2026-12-31",
    }


@pytest.mark.parametrize(
    ("simple", "key"),
    [
        ({"min_score": "150"}, "rules_simple.min_score"),
        ({"min_score": "lots"}, "rules_simple.min_score"),
        ({"not_before": "tomorrow"}, "rules_simple.not_before"),
        ({"not_before": "2026-12-31", "not_after": "2026-01-01"}, "rules_simple.not_after"),
    ],
)
def test_bad_simple_rule_inputs(form, simple, key):
    form["rules_simple"] = simple
    result = editor.validate_submission(form, default_id=DEFAULT_ID)
    assert key in result.errors and result.values == {}


def test_advanced_rules_are_validated_by_badge_issuer(form):
    rules = {"any": [{"all_outcomes": True}, {"all": [{"course_passed": True}, {"assessments_completed": ["quiz-1"]}]}]}
    form.update(rules_mode="advanced", rules_json=json.dumps(rules))
    result = editor.validate_submission(form, default_id=DEFAULT_ID)
    assert result.errors == {} and result.values["rules"] == rules
    assert editor.as_simple(rules) is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{not json", "JSON"),
        ('{"eval": "import os"}', "unknown rule kind"),
        ('{"all_outcomes": true, "valid_for_days": 3}', "valid_for_days"),
        ("", "JSON"),
        ("[" * 30000, "too long"),
    ],
)
def test_bad_advanced_rules_are_reported_on_the_rules_field(form, text, fragment):
    form.update(rules_mode="advanced", rules_json=text)
    result = editor.validate_submission(form, default_id=DEFAULT_ID)
    assert list(result.errors) == ["rules_json"]
    assert fragment in result.errors["rules_json"]


def test_as_simple_only_for_rules_the_simple_form_can_show():
    assert editor.as_simple({"all_outcomes": True}) == {"min_score": "", "not_before": "", "not_after": ""}
    assert editor.as_simple({"min_score": {"value": 50}}) is None
    assert editor.as_simple({"all": [{"all_outcomes": True}, {"min_score": {"value": 50, "op": ">"}}]}) is None


# ------------------------------------------------------------------------------------------------ image


def test_png_upload_is_kept_as_a_data_uri(form):
    form["image"] = data_uri(png_bytes())
    result = editor.validate_submission(form, default_id=DEFAULT_ID)
    assert result.errors == {} and result.definition["image"] == form["image"]


@pytest.mark.parametrize(
    "image",
    [
        data_uri(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
        data_uri(b"GIF89a" + b"\0" * 20, "image/png"),
        data_uri(png_bytes(extra=editor.IMAGE_MAX_BYTES)),
        "data:image/png;base64,%%%",
        "javascript:alert(1)",
    ],
)
def test_bad_images_are_refused(form, image):
    form["image"] = image
    result = editor.validate_submission(form, default_id=DEFAULT_ID)
    assert list(result.errors) == ["image"] and result.values == {}


def test_errors_are_translated_with_the_given_gettext(form):
    form["ects"] = "abc"
    result = editor.validate_submission(form, default_id=DEFAULT_ID, gettext=lambda s: f"[{s}]")
    assert result.errors["ects"].startswith("[") and result.errors["ects"].endswith("]")


def test_form_key_maps_definition_paths():
    assert editor.form_key("workload.ects") == "ects"
    assert editor.form_key("title") == "display_name"
    assert editor.form_key("learning_outcomes[3].esco_skills[1]") == "learning_outcomes[3].esco_skills"
    assert editor.form_key("learning_outcomes[0]") == "learning_outcomes[0].text"
    assert editor.form_key("awarding_body.url") == "awarding_body.url"


def test_submission_input_is_not_mutated(form):
    before = copy.deepcopy(form)
    editor.validate_submission(form, default_id=DEFAULT_ID)
    assert form == before
