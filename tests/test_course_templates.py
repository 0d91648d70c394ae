"""Course templates: the sample specs build into archives Studio can import, the checker finds what is wrong
(with file and line), every block parses with its XBlock class, and a learner can validate an outcome."""

from __future__ import annotations

import io
import json
import re
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree
from opaque_keys.edx.locator import CourseLocator
from webob import Request
from xblock.runtime import DictKeyValueStore, KvsFieldData, MemoryIdManager, Runtime
from xblock.test import toy_runtime

from badge_issuer.cli import main as microvet
from badge_issuer.definition import parse_definition
from course_templates import checker, generator
from course_templates.checker import check
from course_templates.cli import main as microvet_course
from course_templates.generator import build_course, main_new
from course_templates.spec import load_spec
from course_templates.spec_reader import SpecError
from microcredential_xblock import compat
from microcredential_xblock.blocks.assessment import OutcomeAssessmentXBlock
from microcredential_xblock.blocks.credential import MicroCredentialXBlock

SPECS_DIR = Path(__file__).resolve().parent.parent / "course_templates" / "specs"
SPECS = sorted(SPECS_DIR.glob("*.yaml"))
COURSE1_EN = SPECS_DIR / "designing-micro-credentials.en.yaml"
#: The answer key of course 1's first outcome, written by hand from the course text (not read from the OLX).
COURSE1_FIRST_OUTCOME_ANSWERS = {
    "best-outcome": "c",
    "observable-verbs": ["a", "c", "e"],
    "eqf-levels": 8,
    "eqf-domains": ["a", "b", "c"],
    "framework-acronym": "eqf",
}


@pytest.fixture(scope="module")
def archives(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("archives")
    return {spec.stem: build_course(spec, out / f"{spec.stem}.tar.gz") for spec in SPECS}


def _unpack(archive: Path, target: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target / generator.ARCHIVE_ROOT


@pytest.fixture
def course1(archives, tmp_path) -> Path:
    """An unpacked copy of course 1 (English) that a test may break."""
    return _unpack(archives["designing-micro-credentials.en"], tmp_path)


def _write_spec(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    lines = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line]
    return lines[occurrence - 1]


# ------------------------------------------------------------------------------------- sample courses


def test_there_are_three_courses_each_in_english_and_a_partner_language():
    stems = {spec.name.split(".")[0]: set() for spec in SPECS}
    for spec in SPECS:
        stems[spec.name.split(".")[0]].add(spec.name.split(".")[1])
    assert set(stems) == {"designing-micro-credentials", "micro-credential-ambassador", "quality-digital-content"}
    for languages in stems.values():
        assert "en" in languages and languages & {"it", "el", "es", "pt", "de"}


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_sample_builds_and_the_checker_finds_no_problem(archives, spec):
    assert check(archives[spec.stem]) == []


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_sample_is_a_complete_one_ects_micro_credential(spec):
    course = load_spec(spec)
    definition = parse_definition(course.definition)
    assert definition.ects == 1 and 25 <= definition.hours <= 30
    assert 3 <= len(definition.learning_outcomes) <= 4
    assert [ch.id for ch in course.chapters] == [o.id for o in definition.learning_outcomes]
    assert course.rules == {"all_outcomes": True}
    for chapter in course.chapters:
        assert len(chapter.units) >= 1 and len(chapter.assessment.model.questions) >= 3
        kinds = {q.kind for q in chapter.assessment.model.questions}
        assert kinds & {"numeric", "text"} or len(kinds) > 1, chapter.id


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_unit_is_real_teaching_text(spec):
    """No placeholders: every content unit is substantial prose; every question gives feedback."""
    course = load_spec(spec)
    minimum = {id(u): 80 for u in course.introduction} | {id(u): 140 for ch in course.chapters for u in ch.units}
    for unit in [*course.introduction, *(u for ch in course.chapters for u in ch.units)]:
        words = len(re.sub(r"<[^>]+>", " ", unit.html).split())
        assert words >= minimum[id(unit)], (unit.title, words)
        assert not re.search(r"(?i:lorem|ipsum)|\bTODO\b|\bTBD\b|\bXXX\b", unit.html), unit.title
    for chapter in course.chapters:
        for question in chapter.assessment.model.questions:
            assert question.feedback_correct or all(c.feedback for c in question.choices if not c.correct), question.id


@pytest.mark.parametrize("spec", [s for s in SPECS if ".en." not in s.name], ids=lambda p: p.stem)
def test_translations_are_complete_and_assess_the_same_things(spec):
    """Same outcomes, questions, kinds and answer keys as the English course; every text translated."""
    english, other = load_spec(SPECS_DIR / re.sub(r"\.\w+\.yaml$", ".en.yaml", spec.name)), load_spec(spec)
    assert other.language != "en" and other.definition["language"] == other.language
    assert (other.org, other.code) == (english.org, english.code) and other.run != english.run
    assert [o["id"] for o in other.definition["learning_outcomes"]] == [
        o["id"] for o in english.definition["learning_outcomes"]
    ]
    pairs = [(english.overview, other.overview), (english.final_unit.html, other.final_unit.html)]
    for en_ch, ch in zip(english.chapters, other.chapters, strict=True):
        assert len(en_ch.units) == len(ch.units) and en_ch.title != ch.title
        pairs += [(a.html, b.html) for a, b in zip(en_ch.units, ch.units, strict=True)]
        for en_q, q in zip(en_ch.assessment.model.questions, ch.assessment.model.questions, strict=True):
            assert (q.id, q.kind, q.outcomes, q.answer, q.tolerance) == (
                en_q.id,
                en_q.kind,
                en_q.outcomes,
                en_q.answer,
                en_q.tolerance,
            )
            assert [c.correct for c in q.choices] == [c.correct for c in en_q.choices]
            pairs.append((en_q.prompt, q.prompt))
    pairs += [
        (a["text"], b["text"])
        for a, b in zip(english.definition["learning_outcomes"], other.definition["learning_outcomes"], strict=True)
    ]
    untranslated = [a[:60] for a, b in pairs if a == b]
    assert not untranslated


def test_about_page_prose_exists_for_every_partner_language():
    """labels.yaml holds the page's own prose only; the EU headings and values come from the catalogs."""
    table = yaml.safe_load((generator.TEMPLATE_DIR / "labels.yaml").read_text(encoding="utf-8"))
    assert set(table) == {"en", "it", "el", "es", "pt", "de"}
    for language, labels in table.items():
        assert set(labels) == set(table["en"]), language
        assert "{pass_mark}" in labels["grade_value"], language


def test_about_page_shows_the_eu_elements_in_the_course_language(course1, archives, tmp_path):
    overview = (course1 / "about" / "overview.html").read_text(encoding="utf-8")
    for text in (
        '<th scope="row">Awarding body</th>',
        "Istituto Formazione Professionale Aurora",
        "1 ECTS, 25 hours",
        "EQF level 5",
        '<th scope="row">Quality assurance</th>',
        "Unsupervised without ID verification",
        "Testing",
    ):
        assert text in overview
    italian = _unpack(archives["designing-micro-credentials.it"], tmp_path / "it")
    overview_it = (italian / "about" / "overview.html").read_text(encoding="utf-8")
    assert "Organismo di rilascio" in overview_it and "1 ECTS, 25 ore" in overview_it
    assert "Awarding body" not in overview_it


# ------------------------------------------------------------------------------------ archive layout


def test_archive_has_the_layout_studio_import_expects(archives, tmp_path):
    archive = archives["micro-credential-ambassador.es"]
    assert archive.name.endswith(".tar.gz")  # Studio's upload accepts only .tar.gz
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert {Path(n).parts[0] for n in names} == {"course"}  # one top-level folder
    assert all(m.isfile() or m.isdir() for m in members)
    assert not any(n.startswith("/") or ".." in Path(n).parts for n in names)
    for required in (
        "course/course.xml",
        "course/course/2026_ES.xml",
        "course/policies/2026_ES/policy.json",
        "course/policies/2026_ES/grading_policy.json",
        "course/about/overview.html",
    ):
        assert required in names
    root = _unpack(archive, tmp_path)
    # Studio's importer walks the extracted tree and imports the first folder that holds course.xml.
    assert [p.parent for p in sorted(tmp_path.rglob("course.xml"))] == [root]
    course = etree.parse(str(root / "course.xml")).getroot()
    assert (course.tag, course.attrib) == ("course", {"url_name": "2026_ES", "org": "MicroVET", "course": "MCV102"})
    policy = json.loads((root / "policies" / "2026_ES" / "policy.json").read_text(encoding="utf-8"))
    assert policy["course/2026_ES"]["advanced_modules"] == ["outcome_assessment", "microcredential"]
    assert policy["course/2026_ES"]["language"] == "es"


def test_course_follows_the_microvet_methodology(course1):
    tree = etree.parse(str(course1 / "course" / "2026_EN.xml")).getroot()
    chapters = [c.get("url_name") for c in tree]
    assert chapters == ["introduction", "lo-write-outcomes", "lo-eu-elements", "lo-assessment-qa", "credential"]
    for outcome in chapters[1:-1]:
        chapter = etree.parse(str(course1 / "chapter" / f"{outcome}.xml")).getroot()
        _learn, check_seq = (s.get("url_name") for s in chapter)
        graded = etree.parse(str(course1 / "sequential" / f"{check_seq}.xml")).getroot()
        assert (graded.get("graded"), graded.get("format")) == ("true", "Outcome assessment")
        vertical = etree.parse(str(course1 / "vertical" / f"{check_seq}.xml")).getroot()
        (assessment,) = vertical
        assert assessment.tag == "outcome_assessment"
        assert {ref.get("ref") for ref in assessment.iter("outcome")} == {outcome}
    final = etree.parse(str(course1 / "vertical" / "credential-unit.xml")).getroot()
    assert [child.tag for child in final] == ["html", "microcredential"]
    assert final.find("microcredential/rules/all_outcomes") is not None
    grading = json.loads((course1 / "policies" / "2026_EN" / "grading_policy.json").read_text(encoding="utf-8"))
    assert grading == {
        "GRADER": [{"type": "Outcome assessment", "short_label": "OA", "min_count": 3, "drop_count": 0, "weight": 1.0}],
        "GRADE_CUTOFFS": {"Pass": 0.7},
    }


def test_different_assessment_weights_get_their_own_assignment_types(tmp_path):
    text = COURSE1_EN.read_text(encoding="utf-8").replace("      weight: 1\n", "      weight: 2\n", 1)
    out = build_course(_write_spec(tmp_path, text), tmp_path / "c.tar.gz")
    with tarfile.open(out) as tar:
        grading = json.load(tar.extractfile("course/policies/2026_EN/grading_policy.json"))
    assert [g["weight"] for g in grading["GRADER"]] == [0.5, 0.25, 0.25]
    assert check(out) == []


def test_build_is_reproducible(tmp_path):
    first = build_course(COURSE1_EN, tmp_path / "a.tar.gz").read_bytes()
    assert build_course(COURSE1_EN, tmp_path / "b.tar.gz").read_bytes() == first


def test_invalid_spec_writes_nothing_and_keeps_the_previous_archive(tmp_path):
    out = tmp_path / "course.tar.gz"
    out.write_bytes(b"previous archive")
    bad = _write_spec(tmp_path, COURSE1_EN.read_text(encoding="utf-8").replace("eqf_level: 5", "eqf_level: 9"))
    with pytest.raises(SpecError):
        build_course(bad, out)
    assert out.read_bytes() == b"previous archive"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.tar.gz", "spec.yaml"]


def test_a_failure_while_writing_leaves_no_temporary_file(tmp_path, monkeypatch):
    def explode(source, fileobj):
        fileobj.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(generator, "_tar", explode)
    with pytest.raises(OSError, match="disk full"):
        build_course(COURSE1_EN, tmp_path / "course.tar.gz")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ malformed specs: lines


def _problems(spec: Path) -> list:
    with pytest.raises(SpecError) as err:
        load_spec(spec)
    return err.value.problems


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    spec = _write_spec(tmp_path, "spec_version: 1\ncourse:\n  org: [unclosed\n  code: X\n")
    (problem,) = _problems(spec)
    assert problem.file == str(spec) and problem.line in (3, 4) and "not valid YAML" in problem.message


def test_spec_errors_name_the_line_and_field(tmp_path):
    text = COURSE1_EN.read_text(encoding="utf-8")
    text = text.replace("  eqf_level: 5", "  eqf_level: 9")
    text = text.replace("      mastery: 70\n", "      mastery: 70\n      colour: blue\n", 1)
    text = text.replace("          answer: 11\n", "          answer: eleven\n", 1)
    spec = _write_spec(tmp_path, text)
    problems = {p.message.split(":")[0]: p for p in _problems(spec)}
    assert problems["micro_credential.eqf_level"].line == _line_of(spec, "eqf_level: 9")
    assert problems["outcomes[0].assessment.colour"].line == _line_of(spec, "colour: blue")
    assert problems["outcomes[1].assessment.questions[0].answer"].line == _line_of(spec, "answer: eleven")
    assert all(p.file == str(spec) for p in problems.values())


def test_question_tagged_with_an_undefined_outcome_is_reported_at_its_line(tmp_path):
    text = COURSE1_EN.read_text(encoding="utf-8").replace(
        "        - id: eqf-levels\n", "        - id: eqf-levels\n          outcomes: [lo-typo]\n", 1
    )
    spec = _write_spec(tmp_path, text)
    (problem,) = _problems(spec)
    assert problem.line == _line_of(spec, "outcomes: [lo-typo]")
    assert "'lo-typo' is not a learning outcome" in problem.message


def test_every_question_the_assessment_model_refuses_is_reported_at_its_line(tmp_path):
    """The block's own validation goes on after a bad question, so a spec lists all of them at once."""
    text = COURSE1_EN.read_text(encoding="utf-8")
    for choice in ("A 20-question multiple-choice quiz on the replacement procedure.", "Making the task longer."):
        text = text.replace(f"- text: {choice}\n", f"- text: {choice}\n              correct: true\n", 1)
    spec = _write_spec(tmp_path, text)
    problems = _problems(spec)
    assert [p.line for p in problems] == [_line_of(spec, "- id: method-for-skill"), _line_of(spec, "- id: reliability")]
    assert all("needs exactly one correct choice" in p.message for p in problems)


def test_chapter_for_an_undefined_outcome_and_a_missing_chapter_are_reported(tmp_path):
    text = COURSE1_EN.read_text(encoding="utf-8").replace(
        "  - id: lo-eu-elements\n    title:", "  - id: lo-eu\n    title:"
    )
    spec = _write_spec(tmp_path, text)
    messages = [(p.line, p.message) for p in _problems(spec)]
    line = spec.read_text(encoding="utf-8").splitlines().index("  - id: lo-eu") + 1
    assert any(n == line and "'lo-eu' is not a learning outcome" in message for n, message in messages)
    assert any("'lo-eu-elements' has no chapter" in message for _, message in messages)


def test_an_outcome_id_that_would_overwrite_a_generated_chapter_is_refused(tmp_path):
    text = COURSE1_EN.read_text(encoding="utf-8").replace("lo-assessment-qa", "credential")
    spec = _write_spec(tmp_path, text)
    (problem,) = _problems(spec)
    assert problem.line == spec.read_text(encoding="utf-8").splitlines().index("  - id: credential") + 1
    assert "names a generated chapter" in problem.message


def test_duplicate_keys_and_unsatisfiable_grading_are_spec_errors(tmp_path):
    text = COURSE1_EN.read_text(encoding="utf-8")
    spec = _write_spec(tmp_path, text.replace("  run: 2026_EN\n", "  run: 2026_EN\n  run: 2027_EN\n"))
    (problem,) = _problems(spec)
    assert problem.line == _line_of(spec, "run: 2027_EN") and "duplicate key" in problem.message
    spec = _write_spec(tmp_path, text.replace("    pass_mark: 70", "    pass_mark: 80"))
    (problem,) = _problems(spec)
    assert problem.line == _line_of(spec, "pass_mark: 80") and "lowest mastery threshold" in problem.message


def test_json_specs_are_accepted_and_get_line_numbers(tmp_path):
    data = yaml.safe_load(COURSE1_EN.read_text(encoding="utf-8"))
    good = _write_spec(tmp_path, json.dumps(data, indent=2), "course.json")
    assert load_spec(good).definition["title"] == "Designing micro-credentials for VET"
    data["micro_credential"]["awarding_body"]["country"] = "Italy"
    bad = _write_spec(tmp_path, json.dumps(data, indent=2), "bad.json")
    (problem,) = _problems(bad)
    assert problem.line == _line_of(bad, '"country": "Italy"')
    assert problem.message.startswith("micro_credential.awarding_body.country:")


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("{all: [{all_outcomes: true}, {min_score: {value: 100, op: '>'}}]}", "no score from 0 to 100 is > 100"),
        ("{assessments_completed: [final-exam]}", "no outcome assessment named 'final-exam'"),
        ("{all: [{all_outcomes: true}, {window: {not_after: '2000-01-01'}}]}", "it closed on 2000-01-01"),
    ],
)
def test_a_rule_the_generated_course_cannot_satisfy_is_a_spec_error(tmp_path, rule, reason):
    text = COURSE1_EN.read_text(encoding="utf-8").replace(
        "issuing_rule:\n  all_outcomes: true\n", f"issuing_rule: {rule}\n"
    )
    spec = _write_spec(tmp_path, text)
    with pytest.raises(SpecError) as err:
        build_course(spec, tmp_path / "course.tar.gz")
    (problem,) = err.value.problems
    assert problem.line == _line_of(spec, "issuing_rule:") and reason in problem.message
    assert not (tmp_path / "course.tar.gz").exists()


def test_a_rule_naming_a_generated_assessment_builds(tmp_path):
    rule = "{all: [{all_outcomes: true}, {assessments_completed: [lo-eu-elements-assessment]}]}"
    text = COURSE1_EN.read_text(encoding="utf-8").replace(
        "issuing_rule:\n  all_outcomes: true\n", f"issuing_rule: {rule}\n"
    )
    assert check(build_course(_write_spec(tmp_path, text), tmp_path / "c.tar.gz")) == []


def test_an_unquoted_yaml_start_date_is_written_as_open_edx_expects(tmp_path):
    text = COURSE1_EN.read_text(encoding="utf-8").replace('start: "2026-01-12T00:00:00Z"', "start: 2026-01-12 08:30:00")
    out = build_course(_write_spec(tmp_path, text), tmp_path / "c.tar.gz")
    with tarfile.open(out) as tar:
        policy = json.load(tar.extractfile("course/policies/2026_EN/policy.json"))
    assert policy["course/2026_EN"]["start"] == "2026-01-12T08:30:00Z"


def test_main_new_reports_problems_as_file_line_message(tmp_path, capsys):
    bad = _write_spec(tmp_path, COURSE1_EN.read_text(encoding="utf-8").replace("  eqf_level: 5", "  eqf_level: 0"))
    assert main_new([str(bad), "--out", str(tmp_path / "c.tar.gz")]) == 1
    assert f"{bad}:{_line_of(bad, 'eqf_level: 0')}: micro_credential.eqf_level" in capsys.readouterr().err
    assert main_new([str(COURSE1_EN), "--out", str(tmp_path / "c.tar.gz")]) == 0
    assert checker.main_check([str(tmp_path / "c.tar.gz")]) == 0


@pytest.mark.parametrize("main", [microvet, microvet_course], ids=["microvet course", "microvet-course"])
def test_course_new_then_check(tmp_path, capsys, main):
    """``microvet course`` (registered through the ``microvet.commands`` entry point) and ``microvet-course``."""
    prefix = ["course"] if main is microvet else []
    archive = tmp_path / "course.tar.gz"
    assert main([*prefix, "new", str(COURSE1_EN), "--out", str(archive)]) == 0, capsys.readouterr().err
    assert main([*prefix, "check", str(archive)]) == 0
    broken = _write_spec(tmp_path, COURSE1_EN.read_text(encoding="utf-8").replace("  eqf_level: 5", "  eqf_level: 9"))
    capsys.readouterr()
    assert main([*prefix, "new", str(broken), "--out", str(tmp_path / "broken.tar.gz")]) != 0
    assert "eqf_level" in capsys.readouterr().err
    assert not (tmp_path / "broken.tar.gz").exists()


@pytest.mark.parametrize("argv", [["course", "new", str(COURSE1_EN)], ["course", "list"]])
def test_a_course_command_without_its_arguments_is_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        microvet(argv)
    assert exit_.value.code == 2 and "usage: microvet course" in capsys.readouterr().err


# ------------------------------------------------------------------------------ checker: broken courses


def _only(problems: list, needle: str):
    found = [p for p in problems if needle in p.message]
    assert len(found) == 1, problems
    return found[0]


def test_checker_reports_a_broken_reference_with_file_and_line(course1):
    sequential = course1 / "sequential" / "lo-eu-elements-learn.xml"
    sequential.write_text(sequential.read_text(encoding="utf-8").replace('"lo-eu-elements-learn-u2"', '"gone"'))
    problem = _only(check(course1.parent), "refers to vertical/gone.xml")
    assert problem.file.endswith("course/sequential/lo-eu-elements-learn.xml")
    assert problem.line == _line_of(sequential, 'url_name="gone"')


def test_checker_refuses_our_blocks_as_pointer_files(course1):
    """Open edX loads pointer files only for XmlMixin blocks: a pointer to our block would import empty."""
    vertical = course1 / "vertical" / "lo-write-outcomes-check.xml"
    element = etree.parse(str(vertical)).getroot()[0]
    (course1 / "outcome_assessment").mkdir()
    (course1 / "outcome_assessment" / "quiz.xml").write_bytes(etree.tostring(element))
    vertical.write_text('<vertical display_name="Check">\n  <outcome_assessment url_name="quiz"/>\n</vertical>\n')
    problem = _only(check(course1.parent), "is a pointer")
    assert problem.file.endswith("course/vertical/lo-write-outcomes-check.xml") and problem.line == 2


def test_checker_reports_a_missing_html_file(course1):
    (course1 / "html" / "introduction-learn-u2.html").unlink()
    problem = _only(check(course1.parent), "html/introduction-learn-u2.html")
    assert problem.file.endswith("course/html/introduction-learn-u2.xml") and problem.line == 1


def test_checker_reports_outcome_tags_to_undefined_outcomes(course1):
    vertical = course1 / "vertical" / "lo-write-outcomes-check.xml"
    vertical.write_text(vertical.read_text(encoding="utf-8").replace('ref="lo-write-outcomes"', 'ref="lo-typo"'))
    problems = [p for p in check(course1.parent) if "'lo-typo' is not a learning outcome" in p.message]
    expected = [i for i, line in enumerate(vertical.read_text().splitlines(), start=1) if 'ref="lo-typo"' in line]
    assert [p.line for p in problems] == expected and len(expected) == 6
    assert all(p.file.endswith("course/vertical/lo-write-outcomes-check.xml") for p in problems)


def test_checker_reports_an_unsatisfiable_rule(course1):
    vertical = course1 / "vertical" / "lo-eu-elements-check.xml"
    vertical.write_text('<vertical display_name="Nothing to validate here"/>\n')
    problem = _only(check(course1.parent), "no assessment can validate the outcome 'lo-eu-elements'")
    assert problem.file.endswith("course/vertical/credential-unit.xml") and problem.line == 3


def test_checker_reports_a_score_no_learner_can_reach(course1):
    unit = course1 / "vertical" / "credential-unit.xml"
    unit.write_text(
        unit.read_text(encoding="utf-8").replace(
            "<all_outcomes/>", '<all><all_outcomes/><min_score value="100" op="&gt;"/></all>'
        )
    )
    problem = _only(check(course1.parent), "cannot be satisfied")
    assert "min_score: no score from 0 to 100 is > 100" in problem.message


def test_checker_reports_block_parse_errors_at_the_failing_element(course1):
    vertical = course1 / "vertical" / "lo-eu-elements-check.xml"
    vertical.write_text(vertical.read_text(encoding="utf-8").replace('answer="11"', 'answer="eleven"'))
    problem = _only(check(course1.parent), "does not parse")
    assert problem.line == _line_of(vertical, 'answer="eleven"')
    assert "question[mandatory-count]/@answer" in problem.message


def test_checker_reports_invalid_eu_elements_of_the_credential_block(course1):
    unit = course1 / "vertical" / "credential-unit.xml"
    unit.write_text(unit.read_text(encoding="utf-8").replace('eqf_level="5"', 'eqf_level="12"'))
    problem = _only(check(course1.parent), "eqf_level")
    assert problem.file.endswith("course/vertical/credential-unit.xml") and problem.line == 3


def test_checker_reports_grading_that_fails_credential_holders(course1):
    policy = course1 / "policies" / "2026_EN" / "grading_policy.json"
    policy.write_text(policy.read_text(encoding="utf-8").replace('"Pass": 0.7', '"Pass": 0.9'))
    assert "above the lowest mastery threshold" in _only(check(course1.parent), "cutoff").message


def test_checker_reports_an_ungraded_assessment(course1):
    sequential = course1 / "sequential" / "lo-write-outcomes-check.xml"
    sequential.write_text(
        sequential.read_text(encoding="utf-8").replace(' graded="true" format="Outcome assessment"', "")
    )
    problem = _only(check(course1.parent), "is not in a graded subsection")
    assert problem.file.endswith("course/vertical/lo-write-outcomes-check.xml") and problem.line == 2


def test_checker_refuses_archives_studio_would_refuse(tmp_path):
    unsafe = tmp_path / "unsafe.tar.gz"
    with tarfile.open(unsafe, "w:gz") as tar:
        info = tarfile.TarInfo("../evil/course.xml")
        info.size = 9
        tar.addfile(info, io.BytesIO(b"<course/>"))
    (problem,) = check(unsafe)
    assert "illegal path" in problem.message
    empty = tmp_path / "empty.tar.gz"
    with tarfile.open(empty, "w:gz") as tar:
        info = tarfile.TarInfo("course/readme.txt")
        tar.addfile(info, io.BytesIO(b""))
    assert "contains no course.xml" in check(empty)[0].message


def test_checker_accepts_a_folder_and_names_files_inside_it(course1, tmp_path):
    assert check(course1) == [] and check(course1.parent) == []
    shutil.copytree(course1, tmp_path / "second" / "course")
    assert "several course.xml" in check(tmp_path)[0].message


# ---------------------------------------------------------------------- XBlock runtime: parse and learn


class CourseIds(MemoryIdManager):
    """Usage ids are Open edX usage keys of one course, so blocks see the course key as in the LMS."""

    def __init__(self, course_key: CourseLocator):
        super().__init__()
        self.course_key = course_key

    def create_usage(self, def_id):
        usage = self.course_key.make_usage_key(self.get_block_type(def_id), self._next_id("u"))
        self._usages[usage] = def_id
        return usage


class LearnerRuntime(toy_runtime.ToyRuntime):
    """ToyRuntime over one course's ids and its own store, recording published events (grades, completion)."""

    def __init__(self, ids: MemoryIdManager, store: DictKeyValueStore, user_id: str | None = None):
        Runtime.__init__(self, ids, ids, services={"field-data": KvsFieldData(store)})
        self.user_id = user_id
        self.events: list[tuple[str, dict]] = []

    def publish(self, block, event_type, event_data):
        self.events.append((event_type, event_data))


class ImportedCourse:
    """The archive's own blocks, parsed with their XBlock classes into the course key of its course.xml."""

    def __init__(self, course: Path):
        root = etree.parse(str(course / "course.xml")).getroot()
        self.key = CourseLocator(root.get("org"), root.get("course"), root.get("url_name"))
        self.ids, self.store = CourseIds(self.key), DictKeyValueStore()
        self.usages: dict[str, dict[str, Any]] = {"outcome_assessment": {}, "microcredential": {}}
        for vertical in sorted((course / "vertical").glob("*.xml")):
            for element in etree.parse(str(vertical)).getroot():
                if element.tag in self.usages:
                    usage = self.runtime().parse_xml_string(etree.tostring(element))
                    self.usages[element.tag][element.get("url_name")] = usage

    def runtime(self, user_id: str | None = None) -> LearnerRuntime:
        return LearnerRuntime(self.ids, self.store, user_id)

    def block(self, block_type: str, url_name: str, user_id: str | None = None):
        return self.runtime(user_id).get_block(self.usages[block_type][url_name])


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_block_parses_with_its_xblock_class_and_keeps_the_spec(spec, archives, tmp_path):
    imported, source = ImportedCourse(_unpack(archives[spec.stem], tmp_path)), load_spec(spec)
    names = imported.usages["outcome_assessment"]
    assert sorted(names) == sorted(f"{ch.id}-assessment" for ch in source.chapters)
    assessments = [imported.block("outcome_assessment", f"{ch.id}-assessment") for ch in source.chapters]
    assert list(imported.usages["microcredential"]) == ["microcredential"]
    credential = imported.block("microcredential", "microcredential")
    assert all(isinstance(b, OutcomeAssessmentXBlock) for b in assessments)
    assert isinstance(credential, MicroCredentialXBlock)
    assert credential.course_key == f"course-v1:MicroVET+{source.code}+{source.run}"
    assert [b.assessment for b in assessments] == [ch.assessment.model for ch in source.chapters]
    assert [(b.display_name, b.max_attempts, b.weight) for b in assessments] == [
        (ch.assessment.title, ch.assessment.max_attempts, ch.assessment.weight) for ch in source.chapters
    ]
    # The block describes exactly the spec's micro-credential, with the spec's issuing rule.
    assert parse_definition(credential.definition_dict()) == parse_definition(source.definition)
    assert credential.rules == source.rules and credential.problems() == {}


def _submit(block, answers: dict) -> tuple[int, dict]:
    request = Request.blank("/", method="POST", body=json.dumps({"answers": answers}).encode("utf-8"))
    request.content_type = "application/json"
    response = block.runtime.handle(block, "submit", request)
    return response.status_code, json.loads(response.body)


def _right_answers(block: OutcomeAssessmentXBlock) -> dict:
    answers = {}
    for question in block.assessment.questions:
        if question.kind == "single":
            answers[question.id] = next(c.id for c in question.choices if c.correct)
        elif question.kind == "multiple":
            answers[question.id] = [c.id for c in question.choices if c.correct]
        elif question.kind == "numeric":
            answers[question.id] = question.answer
        else:
            answers[question.id] = question.accepted[0]
    return answers


def _wrong_answers(block: OutcomeAssessmentXBlock) -> dict:
    answers = {}
    for question in block.assessment.questions:
        wrong_choice = next((c.id for c in question.choices if not c.correct), None)
        answers[question.id] = {
            "single": wrong_choice,
            "multiple": [wrong_choice],
            "numeric": -12345,
            "text": "not the answer",
        }[question.kind]
    return answers


@pytest.mark.django_db
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_learner_path_of_the_first_outcome(spec, archives, tmp_path):
    """Import the archive's blocks, let its micro-credential register, answer the first outcome's assessment."""
    from microcredential_xblock.service import api  # noqa: PLC0415 - needs the Django app registry

    imported, source = ImportedCourse(_unpack(archives[spec.stem], tmp_path)), load_spec(spec)
    first_outcome = source.chapters[0].id
    credential = imported.block("microcredential", "microcredential")
    api.publish(credential.course_key, {credential.usage_key: credential.published_pair()}, may_sign=True)  # Studio
    learner = imported.block("outcome_assessment", f"{first_outcome}-assessment", user_id="ada")
    course_key, credential_usage = str(imported.key), credential.usage_key
    ada = api.Learner(*compat.current_user(learner))

    right = COURSE1_FIRST_OUTCOME_ANSWERS if spec == COURSE1_EN else _right_answers(learner)
    status, body = _submit(learner, _wrong_answers(learner))
    assert status == 200 and body["validated_outcomes"] == []
    assert not any(o.validated for o in api.learner_progress(ada, course_key, credential_usage).outcomes)

    status, body = _submit(learner, right)
    assert status == 200, body
    assert body["validated_outcomes"] == [first_outcome] and body["score"]["percent"] == 100.0
    assert ("grade", {"value": 1.0, "max_value": 1.0, "only_if_higher": None}) in learner.runtime.events
    progress = api.learner_progress(ada, course_key, credential_usage)
    assert {o.id: o.validated for o in progress.outcomes} == {
        o["id"]: o["id"] == first_outcome for o in source.definition["learning_outcomes"]
    }
    assert progress.state == api.IN_PROGRESS and progress.credential is None


@pytest.mark.django_db
def test_validating_every_outcome_of_a_sample_course_issues_its_credential(archives, tmp_path):
    """The whole course: one right submission per outcome assessment issues exactly one signed credential."""
    from badge_issuer.resolve import OfflineResolver  # noqa: PLC0415
    from badge_issuer.verify import verify  # noqa: PLC0415
    from microcredential_xblock.service import api  # noqa: PLC0415 - needs the Django app registry
    from microcredential_xblock.service.config import issuer_keys  # noqa: PLC0415
    from microcredential_xblock.service.views import _status_fetcher  # noqa: PLC0415

    imported = ImportedCourse(_unpack(archives["designing-micro-credentials.it"], tmp_path))
    credential = imported.block("microcredential", "microcredential")
    api.publish(credential.course_key, {credential.usage_key: credential.published_pair()}, may_sign=True)
    for index, url_name in enumerate(sorted(imported.usages["outcome_assessment"])):
        learner = imported.block("outcome_assessment", url_name, user_id="ada")
        status, _body = _submit(learner, _right_answers(learner))
        assert status == 200
        ada = api.Learner(*compat.current_user(learner))
        progress = api.learner_progress(ada, str(imported.key), credential.usage_key)
        assert progress.state == (api.EARNED if index == 2 else api.IN_PROGRESS)
    document = progress.credential.document
    assert document["credentialSubject"]["achievement"]["name"] == "Progettare microcredenziali per l'IeFP"
    report = verify(document, resolver=OfflineResolver(issuers=[issuer_keys()]), status_fetcher=_status_fetcher)
    assert report.ok, [c for c in report.checks if not c.passed]
