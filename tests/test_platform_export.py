"""``microvet course check`` on what Studio exports (issue 9, defect 4): the course definition carries the
wiki slug and textbooks, our blocks are written inline by their own ``add_xml_to_node`` under the
``url_name`` Studio sets (``add_block_as_child_node``), and the export has folders the import ignores."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

from lxml import etree
from xblock.runtime import DictKeyValueStore, KvsFieldData, MemoryIdManager, Runtime
from xblock.test.toy_runtime import ToyRuntime

from badge_issuer.badge_image import default_badge_png
from course_templates import generator
from course_templates.checker import check
from course_templates.generator import build_course

SPEC = Path(__file__).resolve().parent.parent / "course_templates" / "specs" / "designing-micro-credentials.en.yaml"
OURS = ("outcome_assessment", "microcredential")


class _Runtime(ToyRuntime):
    def __init__(self) -> None:
        ids = MemoryIdManager()
        Runtime.__init__(self, ids, ids, services={"field-data": KvsFieldData(DictKeyValueStore())})


def studio_export(archive: Path, target: Path) -> Path:
    """The generated course as Studio writes it back out after an import."""
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    root = target / generator.ARCHIVE_ROOT
    run = etree.parse(str(root / "course.xml")).getroot().get("url_name")
    definition_path = root / "course" / f"{run}.xml"
    definition = etree.parse(str(definition_path)).getroot()
    etree.SubElement(definition, "textbook", title="Handbook", book_url="https://example.org/book/")
    etree.SubElement(definition, "wiki", slug="MicroVET.MCV101.2026")
    definition_path.write_bytes(etree.tostring(definition, pretty_print=True))
    runtime = _Runtime()
    for vertical in (root / "vertical").glob("*.xml"):
        tree = etree.parse(str(vertical))
        for child in [c for c in tree.getroot() if c.tag in OURS]:
            block = runtime.get_block(runtime.parse_xml_string(etree.tostring(child)))
            exported = etree.Element(child.tag, url_name=child.get("url_name") or vertical.stem)
            block.add_xml_to_node(exported)
            child.getparent().replace(child, exported)
        vertical.write_bytes(etree.tostring(tree, pretty_print=True))
    for relative, text in {
        "drafts/vertical/draft-unit.xml": '<vertical display_name="Draft" parent_url="x" index_in_children_list="0"/>',
        "assets/assets.xml": "<assets/>",
        "policies/assets.json": "{}",
        "tabs/extra.html": "<p>Extra</p>",
        "info/updates.html": "<ol></ol>",
        "static/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    }.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_checker_accepts_a_studio_export(tmp_path):
    root = studio_export(build_course(SPEC, tmp_path / "c.tar.gz"), tmp_path / "export")
    (definition,) = (root / "course").iterdir()
    assert '<wiki slug="MicroVET.MCV101.2026"/>' in definition.read_text(encoding="utf-8")
    assert check(root.parent) == []


def test_the_checker_still_refuses_unknown_elements_in_the_course(tmp_path):
    root = studio_export(build_course(SPEC, tmp_path / "c.tar.gz"), tmp_path / "export")
    (definition,) = (root / "course").iterdir()
    text = definition.read_text(encoding="utf-8").replace("</course>", '<wiki/><sidebar name="x"/></course>')
    definition.write_text(text, encoding="utf-8")
    messages = [p.message for p in check(root.parent)]
    assert messages == ["<wiki> without slug", "<sidebar> inside <course>: Studio expects <chapter> here"]


def _with_uploaded_badge(root: Path, *, file: bool) -> None:
    """The credential as Studio exports it after an author uploaded a badge: ``<image>/static/NAME</image>``
    in its OLX and, with ``file``, the PNG under the export's ``static/`` (where Studio writes course files)."""
    name = "microvet-badge-0123456789abcdef01234567.png"
    for vertical in (root / "vertical").glob("*.xml"):
        tree = etree.parse(str(vertical))
        for credential in tree.getroot().iter("microcredential"):
            etree.SubElement(credential, "image").text = f"/static/{name}"
            vertical.write_bytes(etree.tostring(tree, pretty_print=True))
    if file:
        (root / "static" / name).write_bytes(default_badge_png("Uploaded badge", 5))


def test_the_checker_reads_an_uploaded_badge_from_the_exports_own_files(tmp_path):
    """Found in a real Studio export: the checker asked the contentstore (or Django settings) for the
    badge, and crashed outside the platform; the file is in the archive, under ``static/``."""
    root = studio_export(build_course(SPEC, tmp_path / "c.tar.gz"), tmp_path / "export")
    _with_uploaded_badge(root, file=True)
    assert check(root.parent) == []
    archive = tmp_path / "export.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(root, arcname=root.name)
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # as an author runs it
    run = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "course_templates.cli", "check", str(archive)],
        capture_output=True, text=True, env=environment, check=False, cwd=Path(__file__).parent.parent,
    )  # fmt: skip
    assert (run.returncode, run.stderr) == (0, "") and "no problems" in run.stdout


def test_the_checker_reports_an_uploaded_badge_missing_from_the_export(tmp_path):
    root = studio_export(build_course(SPEC, tmp_path / "c.tar.gz"), tmp_path / "export")
    _with_uploaded_badge(root, file=False)
    (problem,) = check(root.parent)
    assert (
        problem.message
        == "<microcredential> image: /static/microvet-badge-0123456789abcdef01234567.png is missing from static/"
    )
