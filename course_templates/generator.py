"""Build an importable Open edX course archive (OLX, tar.gz) from a course spec.

The course follows the microVET methodology (docs/course-spec-format.md): an about page with the EU
standard elements; an introduction; one chapter per learning outcome (content units, then an outcome
assessment tagged with that outcome); a final chapter with the micro-credential block and its issuing
rule; a grading policy in which every outcome assessment is graded.

Layout, as Studio's importer and exporter use it::

    course/course.xml                       <course url_name=RUN org=ORG course=CODE/>
    course/course/RUN.xml                   the course and its chapters
    course/chapter|sequential|vertical/*.xml
    course/html/NAME.xml + NAME.html        core HTML blocks (pointer + file, as Studio exports them)
    course/about/overview.html, short_description.html, effort.html
    course/policies/RUN/policy.json, grading_policy.json; course/policies/assets.json

Our two XBlocks are written *inline* in their vertical: they are pure XBlocks with their own
``parse_xml``, and Open edX loads ``url_name`` pointer files only for blocks built on its XmlMixin.
Their OLX is produced by the blocks' own serialisers (``question_formats.add_children`` and
``credential_olx.export_definition``), so the generator cannot drift from what the blocks parse.
"""

from __future__ import annotations

import argparse
import gzip
import html
import io
import json
import sys
import tarfile
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from string import Template
from typing import Any

import yaml
from lxml import etree

from badge_issuer import elements
from badge_issuer.files import write_atomic
from badge_issuer.i18n import translator
from microcredential_xblock.blocks import credential_olx, question_formats
from microcredential_xblock.blocks.olx import format_number, to_string

from .checker import check_dir
from .spec import RESERVED_CHAPTERS, CourseSpec, Unit, load_spec
from .spec_reader import Problem, SpecError

TEMPLATE_DIR = Path(__file__).resolve().parent / "olx_template"
ARCHIVE_ROOT = "course"
ASSIGNMENT_TYPE = "Outcome assessment"
ADVANCED_MODULES = ["outcome_assessment", "microcredential"]
CREDENTIAL_URL_NAME = "microcredential"


def _labels(language: str) -> dict[str, str]:
    """The about page's own prose in the course language (``olx_template/labels.yaml``), English as fallback.

    The EU element headings and value labels are not in it: they come from the catalogs (``_about_rows``).
    """
    table = yaml.safe_load((TEMPLATE_DIR / "labels.yaml").read_text(encoding="utf-8"))
    return table.get(language) or table.get(language.split("-", maxsplit=1)[0]) or table["en"]


#: The elements the about page lists: those with a place in Annex I, in the Annex's order.
ABOUT_ELEMENTS = tuple(sorted((e for e in elements.ELEMENTS if e.annex and e.heading), key=lambda e: e.annex))


def _about_rows(definition: Mapping[str, Any], language: str, labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """(heading, value HTML) of each element the definition states, in the course language.

    Headings are the declaration's (``badge_issuer.elements``), value labels the EU value lists'
    (``badge_issuer.vocab``), both translated by the package's compiled catalogs with stdlib gettext
    (``badge_issuer.i18n.translator``): ``microvet course new`` runs without Django settings, and the
    course pages, the verification page and the credentials read the same catalogs, so the about page
    names every element as they do.
    """
    t, esc = translator(language), html.escape
    body, workload = definition["awarding_body"], definition["workload"]
    special = {
        "awarding_body.name": lambda name: _link(name, body.get("url", "")),
        "awarding_body.country": lambda country: esc(country + (f" ({body['region']})" if body.get("region") else "")),
        "learning_outcomes": lambda outcomes: (
            "<ul>" + "".join(f"<li>{esc(o['text'])}</li>" for o in outcomes) + "</ul>"
        ),
        "workload.ects": lambda ects: esc(
            t("%(ects)s ECTS, %(hours)s hours")
            % {"ects": format_number(ects), "hours": format_number(workload["hours"])}
        ),
        "eqf_level": lambda level: esc(
            t("EQF level %(level)s") % {"level": level}
            + (f"; {definition['nqf_level']}" if definition.get("nqf_level") else "")
        ),
        "grading.pass_mark": lambda mark: esc(labels["grade_value"].format(pass_mark=format_number(mark))),
        "further_information": lambda info: _link(info, info) if info.startswith("https://") else esc(info),
    }
    rows = []
    for element in ABOUT_ELEMENTS:
        value = elements.get(definition, element)
        if value in (None, ""):
            continue
        if element.path in special:
            shown = special[element.path](value)
        elif element.options is not None:
            shown = esc(t(element.options[value].label))
        else:
            shown = esc(str(value))
        rows.append((t(element.heading), shown))
    return rows


# ------------------------------------------------------------------------------------------- writing


class _Writer:
    """Writes the OLX files of one course under ``root`` (a fresh directory)."""

    def __init__(self, spec: CourseSpec, root: Path):
        self.spec = spec
        self.root = root

    def file(self, relative: str, content: str | bytes) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    def xml(self, relative: str, element: etree._Element) -> None:
        self.file(relative, to_string(element) + "\n")

    # -- structure

    def html_block(self, vertical: etree._Element, name: str, unit: Unit) -> None:
        etree.SubElement(vertical, "html", url_name=name)
        self.xml(f"html/{name}.xml", etree.Element("html", filename=name, display_name=unit.title))
        self.file(f"html/{name}.html", unit.html.strip() + "\n")

    def vertical(self, sequential: etree._Element, name: str, title: str) -> etree._Element:
        etree.SubElement(sequential, "vertical", url_name=name)
        return etree.Element("vertical", display_name=title)

    def sequential(self, chapter: etree._Element, name: str, title: str, graded_as: str = "") -> etree._Element:
        etree.SubElement(chapter, "sequential", url_name=name)
        element = etree.Element("sequential", display_name=title)
        if graded_as:
            element.set("graded", "true")
            element.set("format", graded_as)
        return element

    def content_sequential(self, chapter: etree._Element, name: str, title: str, units: Sequence[Unit]) -> None:
        sequential = self.sequential(chapter, name, title)
        for index, unit in enumerate(units, start=1):
            unit_name = f"{name}-u{index}"
            vertical = self.vertical(sequential, unit_name, unit.title)
            self.html_block(vertical, unit_name, unit)
            self.xml(f"vertical/{unit_name}.xml", vertical)
        self.xml(f"sequential/{name}.xml", sequential)

    def assessment_element(self, name: str, chapter_index: int) -> etree._Element:
        assessment = self.spec.chapters[chapter_index].assessment
        element = etree.Element(
            "outcome_assessment",
            url_name=name,
            display_name=assessment.title,
            max_attempts=str(assessment.max_attempts),
            show_feedback="true" if assessment.show_feedback else "false",
            weight=format_number(assessment.weight),
            microcredential=CREDENTIAL_URL_NAME,
        )
        question_formats.add_children(element, assessment.model)
        return element

    def write(self) -> None:
        spec = self.spec
        course = etree.Element("course", display_name=spec.definition["title"], language=spec.language)
        if spec.start:
            course.set("start", spec.start)

        first, last = RESERVED_CHAPTERS
        etree.SubElement(course, "chapter", url_name=first)
        intro = etree.Element("chapter", display_name=spec.introduction_title)
        self.content_sequential(intro, f"{first}-learn", spec.introduction_title, spec.introduction)
        self.xml(f"chapter/{first}.xml", intro)

        graders = self.graders()
        for index, outcome in enumerate(spec.chapters):
            name = outcome.id
            etree.SubElement(course, "chapter", url_name=name)
            chapter = etree.Element("chapter", display_name=outcome.title)
            self.content_sequential(chapter, f"{name}-learn", outcome.title, outcome.units)
            check = self.sequential(chapter, f"{name}-check", outcome.assessment.title, graders[index]["type"])
            vertical = self.vertical(check, f"{name}-check", outcome.assessment.title)
            vertical.append(self.assessment_element(f"{name}-assessment", index))
            self.xml(f"vertical/{name}-check.xml", vertical)
            self.xml(f"sequential/{name}-check.xml", check)
            self.xml(f"chapter/{name}.xml", chapter)

        etree.SubElement(course, "chapter", url_name=last)
        chapter = etree.Element("chapter", display_name=spec.final_unit.title)
        sequential = self.sequential(chapter, "credential-seq", spec.final_unit.title)
        vertical = self.vertical(sequential, "credential-unit", spec.final_unit.title)
        self.html_block(vertical, "credential-intro", spec.final_unit)
        block = etree.SubElement(vertical, "microcredential", url_name=CREDENTIAL_URL_NAME)
        credential_olx.export_definition(spec.definition, spec.rules, block)
        self.xml("vertical/credential-unit.xml", vertical)
        self.xml("sequential/credential-seq.xml", sequential)
        self.xml(f"chapter/{last}.xml", chapter)

        self.xml(f"course/{spec.run}.xml", course)
        self.xml("course.xml", etree.Element("course", url_name=spec.run, org=spec.org, course=spec.code))
        self.policies(graders)
        self.about()

    # -- policies and about pages

    def graders(self) -> list[dict[str, Any]]:
        """One assignment type when all assessments weigh the same; otherwise one type per assessment.

        Open edX averages the subsections of an assignment type with equal weight, so different
        assessment weights can only be honoured through per-type weights.
        """
        weights = [ch.assessment.weight for ch in self.spec.chapters]
        total = sum(weights)
        if len(set(weights)) <= 1 or not total:
            return [
                {
                    "type": ASSIGNMENT_TYPE,
                    "short_label": "OA",
                    "min_count": len(weights),
                    "drop_count": 0,
                    "weight": 1.0,
                }
            ] * len(weights)
        return [
            {
                "type": ch.assessment.title,
                "short_label": f"OA{i}",
                "min_count": 1,
                "drop_count": 0,
                "weight": round(w / total, 6),
            }
            for i, (ch, w) in enumerate(zip(self.spec.chapters, weights, strict=True), start=1)
        ]

    def pass_cutoff(self) -> float:
        """The course pass mark: the definition's pass mark, else the lowest mastery threshold."""
        pass_mark = (self.spec.definition.get("grading") or {}).get("pass_mark")
        if pass_mark is None:
            pass_mark = min(o.threshold for ch in self.spec.chapters for o in ch.assessment.model.outcomes)
        return round(pass_mark / 100.0, 4)

    def policies(self, graders: list[dict[str, Any]]) -> None:
        spec = self.spec
        policy: dict[str, Any] = {
            "display_name": spec.definition["title"],
            "language": spec.language,
            "advanced_modules": ADVANCED_MODULES,
        }
        if spec.start:
            policy["start"] = spec.start
        unique = list({g["type"]: g for g in graders}.values())
        grading = {"GRADER": unique, "GRADE_CUTOFFS": {"Pass": self.pass_cutoff()}}
        self.file(f"policies/{spec.run}/policy.json", _json({f"course/{spec.run}": policy}))
        self.file(f"policies/{spec.run}/grading_policy.json", _json(grading))
        self.file("policies/assets.json", _json({}))

    def about(self) -> None:
        spec, labels = self.spec, _labels(self.spec.language)
        definition = spec.definition
        esc = html.escape
        template = Template((TEMPLATE_DIR / "about" / "overview.html").read_text(encoding="utf-8"))
        overview = template.substitute(
            about=esc(labels["about"]),
            overview=spec.overview.strip(),
            outcomes=esc(labels["outcomes"]),
            outcome_items="\n".join(f"    <li>{esc(o['text'])}</li>" for o in definition["learning_outcomes"]),
            credential=esc(labels["credential"]),
            element_rows="\n".join(
                f'      <tr><th scope="row">{esc(heading)}</th><td>{value}</td></tr>'
                for heading, value in _about_rows(definition, spec.language, labels)
            ),
            standard_note=esc(" ".join(labels["standard_note"].split())),
        )
        self.file("about/overview.html", overview)
        self.file("about/short_description.html", esc(spec.short_description) + "\n")
        hours = definition["workload"]["hours"]
        self.file("about/effort.html", f"{int(hours):02d}:{round((hours % 1) * 60):02d}\n")


def _link(text: str, url: str) -> str:
    if not url:
        return html.escape(text)
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>'


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


# ------------------------------------------------------------------------------------------ archive


def write_olx(spec: CourseSpec, directory: str | Path) -> Path:
    """Write the course's OLX into ``directory`` (which must not exist yet); return it."""
    root = Path(directory)
    root.mkdir(parents=True)
    _Writer(spec, root).write()
    return root


def _tar(source: Path, fileobj: io.BufferedWriter) -> None:
    """A reproducible tar.gz: sorted members, fixed times and owners, one top-level folder."""
    with (
        gzip.GzipFile(filename="", fileobj=fileobj, mode="wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path in [source, *sorted(source.rglob("*"))]:
            info = tar.gettarinfo(str(path), arcname=str(Path(ARCHIVE_ROOT) / path.relative_to(source)))
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            info.mode = 0o755 if path.is_dir() else 0o644
            if path.is_file():
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)


def _refuse_failing_course(spec: CourseSpec, problems: list[Problem]) -> None:
    """A valid spec can still describe a course that cannot issue (e.g. a min_score above 100 % via ``>``).

    The generated OLX is checked like any course; its problems are reported against the spec, at the
    issuing rule when they are about it.
    """
    if problems:
        line = spec.lines.get(("issuing_rule",), 0)
        raise SpecError(
            [
                Problem(
                    spec.source,
                    line if "issuing rule" in p.message else 0,
                    f"the generated course fails its check: {p.message} ({p.file}:{p.line})",
                )
                for p in problems
            ]
        )


def build_course(spec_path: str | Path, out_path: str | Path) -> Path:
    """Validate ``spec_path`` and write the course archive to ``out_path`` atomically.

    Raises ``SpecError`` (every problem with file and line) before anything is written, also when the
    generated course fails ``checker.check_dir``; the archive appears only complete (temporary file in
    the same directory, then ``os.replace``).
    """
    spec = load_spec(spec_path)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="microvet-course-") as work:
        source = write_olx(spec, Path(work) / ARCHIVE_ROOT)
        _refuse_failing_course(spec, check_dir(source))
        archive = io.BytesIO()  # a course archive is tens of KiB
        _tar(source, archive)
        write_atomic(out, archive.getvalue())
    return out


def main_new(argv: Sequence[str] | None = None) -> int:
    """``microvet course new SPEC --out course.tar.gz``: 0 on success, 1 on an invalid spec."""
    parser = argparse.ArgumentParser(
        prog="microvet course new",
        description="Build an importable Open edX course archive (.tar.gz) from a microVET course spec (YAML or JSON).",
    )
    parser.add_argument("spec", help="course spec, e.g. course_templates/specs/designing-micro-credentials.en.yaml")
    parser.add_argument("--out", required=True, help="archive to write, e.g. course.tar.gz")
    args = parser.parse_args(argv)
    if not args.out.endswith(".tar.gz"):
        parser.error("--out must end with .tar.gz (Studio's import accepts only .tar.gz archives)")
    try:
        out = build_course(args.spec, args.out)
    except SpecError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main_new())
