"""Issue 11 item 5 without a browser: what the runtime writes into the page for the blocks' scripts.

XBlock's runtime (like the LMS's and the workbench's) puts ``json.dumps(json_init_args)`` into a
``<script type="json/xblock-args">`` element; nothing of an author's or learner's text may end it.
"""

from __future__ import annotations

import json
import re

import pytest

from microcredential_xblock.blocks import common
from tests.test_assessment_block import Course, init_data, install_fake_service, post, reset_toy_state

BREAKS = ["</script><script>alert(1)</script>", "</SCRIPT >", "<!--<script>", "a & b > c", "\u2028\u2029", "]]>"]


@pytest.fixture(autouse=True)
def fresh_toy_state(monkeypatch):
    reset_toy_state(monkeypatch)


def test_html_safe_json_has_no_markup_characters_and_round_trips():
    data = {"texts": BREAKS, "nested": [{"k<": "v>"}], "greek": "Μαθησιακό"}
    text = common.html_safe_json(data)
    assert not set(text) & set("<>&\u2028\u2029")
    assert "Μαθησιακό" in text  # no needless escaping of other text
    assert json.loads(text) == data
    assert not set(json.dumps({"json": text})) & set("<>&")  # as the runtime then writes it


def _init_blocks(html: str) -> list[str]:
    return re.findall(r'<script type="json/xblock-args"[^>]*>(.*?)</script>', html, flags=re.S | re.I)


def test_author_and_learner_text_cannot_end_the_init_args_block(monkeypatch):
    install_fake_service(monkeypatch)
    xml = (
        '<outcome_assessment display_name="Quiz">'
        '<outcome ref="lo-1"/>'
        '<question id="q1" type="text" match="exact"><prompt>P &lt;/script&gt;</prompt><outcome ref="lo-1"/>'
        "<answer>x</answer><hint>&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</hint></question>"
        "</outcome_assessment>"
    )
    course = Course(xml)
    assert post(course.learner(), "submit", {"answers": {"q1": BREAKS[0]}})[0] == 200
    block = course.learner()
    decoded = {}
    for view in ("student_view", "studio_view"):
        html = block.runtime.render(block, view, {}).content  # as the runtime writes the page
        (args,) = _init_blocks(html)  # exactly one block, ended by its own </script>
        assert not set(args) & set("<>&")
        outer = json.loads(args)
        decoded[view] = (outer["init"], json.loads(outer["json"]))
    function, state = decoded["student_view"]
    assert function == "MicrovetAssessment" and state["answers"] == {"q1": BREAKS[0]}  # intact
    assert state["result"]["questions"][0]["hints"] == ["</script><img src=x onerror=alert(1)>"]
    function, editor = decoded["studio_view"]
    assert function == "MicrovetAssessmentStudio" and editor["content"]["questions"][0]["prompt"] == "P </script>"
    assert init_data(block.student_view({})) == state
