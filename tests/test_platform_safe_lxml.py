"""Block, OLX and course-template code under the platform's ``lxml.etree`` (issue 9, defect 3): inside
Open edX ``lxml.etree`` is ``safe_lxml``, a ``from lxml.etree import *`` re-export without ``indent`` and
other names. Every module of ours that uses etree gets the stand-in here, in process; the contract tests
(tests/contract) run the whole platform configuration with it installed before anything is imported."""

from __future__ import annotations

import sys

import pytest
from lxml import etree as real_etree
from xblock.test.toy_runtime import ToyRuntime

from course_templates import checker, generator
from microcredential_xblock.blocks import olx, questions
from microcredential_xblock.demo.scenarios import OLX_DIR
from tests.platform_standins import safe_lxml_etree
from tests.test_assessment_block import ALL_KINDS, ALL_RIGHT, Course, install_fake_service, post, reset_toy_state
from tests.test_platform_export import SPEC

PACKAGES = ("badge_issuer", "microcredential_xblock", "course_templates")


def modules_using_etree() -> list:
    """Every module of ours, imported by now, that holds ``lxml.etree`` as ``etree``."""
    return [
        module
        for name, module in sorted(sys.modules.items())
        if name.split(".")[0] in PACKAGES and getattr(module, "etree", None) is real_etree
    ]


@pytest.fixture(autouse=True)
def safe_etree(monkeypatch):
    reset_toy_state(monkeypatch)
    safe = safe_lxml_etree()
    assert not hasattr(safe, "indent")
    modules = modules_using_etree()
    assert {olx, questions, checker, generator} <= set(modules)
    for module in modules:
        monkeypatch.setattr(module, "etree", safe)
    return safe


def test_the_assessment_renders_submits_edits_and_exports(monkeypatch):
    install_fake_service(monkeypatch)
    block = Course(ALL_KINDS).learner()
    assert block.render("student_view").content
    assert post(block, "submit", {"answers": ALL_RIGHT})[0] == 200
    assert block.render("studio_view").content
    shown = block._editor_state()["olx"]
    status, body = post(block, "studio_submit", {"olx": shown})
    assert status == 200 and body["olx"] == shown
    node = real_etree.Element("root")
    block.add_xml_to_node(node)
    assert node.tag == "outcome_assessment" and node.find("question") is not None


def test_the_credential_block_imports_and_exports():
    root = real_etree.parse(str(OLX_DIR / "designing-micro-credentials.xml")).getroot()
    runtime = ToyRuntime("author")
    block = runtime.get_block(runtime.parse_xml_string(real_etree.tostring(root.find("microcredential"))))
    node = real_etree.Element("root")
    block.add_xml_to_node(node)
    again = runtime.get_block(runtime.parse_xml_string(real_etree.tostring(node)))
    assert (again.display_name, again.definition, again.rules) == (block.display_name, block.definition, block.rules)


def test_microvet_course_new_and_check(tmp_path):
    assert checker.check(generator.build_course(SPEC, tmp_path / "course.tar.gz")) == []


def test_to_string_keeps_mixed_content_and_indents_the_rest():
    root = olx.parse_snippet("<a>\n <b>one <i>two</i> three</b>\n     <c><d/></c></a>", "x")
    assert olx.to_string(root) == "<a>\n  <b>one <i>two</i> three</b>\n  <c>\n    <d/>\n  </c>\n</a>"
