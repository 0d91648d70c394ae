"""Issue 11 item 5: ``</script>`` breaks (and other markup) in every author field, in the assessment's content
and in a learner's own answer stay text in Chromium: no dialog, no console marker, no stray element.

Every view hands its data to its script through XBlock's ``<script type="json/xblock-args">`` block,
which runtimes fill with plain ``json.dumps``: the blocks send it HTML-safe (blocks/common.py). This
module has its own demo server, so its corpus does not disturb test_demo_browser.py.
"""

from __future__ import annotations

import pytest
from lxml import etree

from tests.browser.conftest import Watched
from tests.browser.server import SCENARIO, DemoServer
from tests.browser.test_demo_browser import TEXT_FIELDS, editor, save, scenario

pytestmark = pytest.mark.browser

MARKER = "XSS-MARKER"
_RUN = f"window.__xss=1;console.log('{MARKER}')"
#: Each ends a <script> block (the init args') and would run script if it reached the page unescaped.
PAYLOADS = (
    f"</script><script>{_RUN};alert(1)</script>",
    f'</SCRIPT ><img src=x onerror="{_RUN}">',
    f'</script\t><svg onload="{_RUN}">',
    f"<!--<script>{_RUN}</script>-->",
    f"\u2028\u2029</script><iframe srcdoc=\"<script>parent.__xss=1;parent.console.log('{MARKER}')</script>\">",
    f"&lt;/script&gt;&#x3c;script&#x3e;</script ><script>{_RUN}</script>",
    f"\"}}]}}');</script><script>{_RUN}</script>//",
    f'</script>"><a href="javascript:{_RUN}">j</a>',
)


def payload(index: int) -> str:
    return PAYLOADS[index % len(PAYLOADS)]


def shown(index: int) -> str:
    """The payload as the block keeps it: author texts have their white space normalised."""
    return " ".join(payload(index).split())


class Corpus:
    """Hands out payloads field by field, round robin, and counts what was injected where."""

    def __init__(self):
        self.fields: list[str] = []

    def __call__(self, field: str) -> str:
        self.fields.append(field)
        return payload(len(self.fields) - 1)


def assessment_olx(corpus: Corpus) -> str:
    """The children of an <outcome_assessment> whose every author text is a payload (lxml escapes it)."""
    root = etree.Element("outcome_assessment")
    for ref in ("lo-write-outcomes", "lo-eu-elements"):
        etree.SubElement(root, "outcome", ref=ref, threshold="100")
    single = etree.SubElement(root, "question", id="q-single", type="single")
    etree.SubElement(single, "prompt").text = corpus("single prompt")
    etree.SubElement(single, "outcome", ref="lo-write-outcomes")
    for choice_id, correct in (("a", "true"), ("b", "false")):
        choice = etree.SubElement(single, "choice", id=choice_id, correct=correct)
        choice.text = corpus(f"choice {choice_id}")
        etree.SubElement(choice, "feedback").text = corpus(f"choice {choice_id} feedback")
    for n in (1, 2):
        etree.SubElement(single, "hint").text = corpus(f"hint {n}")
    multiple = etree.SubElement(root, "question", id="q-multiple", type="multiple")
    etree.SubElement(multiple, "prompt").text = corpus("multiple prompt")
    etree.SubElement(multiple, "outcome", ref="lo-eu-elements")
    for choice_id in ("a", "b"):
        etree.SubElement(multiple, "choice", id=choice_id, correct="true").text = corpus(f"multiple {choice_id}")
    for on in ("correct", "incorrect"):
        etree.SubElement(multiple, "feedback", on=on).text = corpus(f"feedback on {on}")
    text = etree.SubElement(root, "question", id="q-text", type="text", match="exact", case="insensitive")
    etree.SubElement(text, "prompt").text = corpus("text prompt")
    etree.SubElement(text, "outcome", ref="lo-eu-elements")
    etree.SubElement(text, "answer").text = corpus("accepted answer")
    numeric = etree.SubElement(root, "question", id="q-number", type="numeric", answer="11")
    etree.SubElement(numeric, "prompt").text = corpus("numeric prompt")
    etree.SubElement(numeric, "outcome", ref="lo-eu-elements")
    return "\n".join(etree.tostring(child, encoding="unicode") for child in root)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    demo = DemoServer(tmp_path_factory.mktemp("xss-demo-var")).start()
    yield demo
    demo.stop()


@pytest.fixture
def page(browser):
    """A watched page that also records console messages (a payload that runs logs the marker)."""
    watched = Watched(browser.new_page())
    watched.console = []
    watched.page.on("console", lambda message: watched.console.append(message.text))
    yield watched
    watched.page.close()


def assert_nothing_ran(watched) -> None:
    assert watched.dialogs == []
    assert [text for text in watched.console if MARKER in text] == []
    assert watched.errors == []  # a broken init-args block shows up as a JSON or syntax error
    assert watched.page.evaluate("window.__xss") is None
    for frame in watched.page.frames:
        assert frame.evaluate("window.__xss") is None


def test_script_breaks_in_every_field_and_answer_stay_text(server, page):
    corpus = Corpus()
    p = page.page
    # ---- author: the first assessment's settings and content, then the micro-credential's texts
    p.goto(scenario(server, "author", "studio_view"))
    studio = p.locator(".mv-assessment-studio").nth(0)
    studio.locator("input[name=display_name]").fill(corpus("assessment display name"))
    studio.locator("input[name=microcredential]").fill(corpus("assessment micro-credential id"))
    studio.locator("details.mv-olx-details > summary").click()
    studio.locator("textarea[name=olx]").fill(assessment_olx(corpus))
    with p.expect_response(lambda r: "/studio_submit/" in r.url) as response:
        studio.locator(".mv-save").click()
    assert response.value.ok, response.value.text()
    for label in TEXT_FIELDS:
        editor(p).get_by_label(label, exact=True).fill(corpus(f"credential {label}")[:250])
    rows = p.locator(".microvet-outcome-row")
    for index in range(rows.count()):
        rows.nth(index).get_by_label("The learner can…").fill(corpus(f"outcome {index} text"))
    assert save(p)["ok"] is True
    assert_nothing_ran(page)

    # ---- the editors again: every text arrives through the init data and is shown as text
    p.reload()
    p.wait_for_load_state("networkidle")
    assert_nothing_ran(page)
    studio = p.locator(".mv-assessment-studio").nth(0)
    assert studio.locator("input[name=display_name]").input_value() == shown(0)
    assert shown(2) in studio.locator("textarea").first.input_value()  # the structured editor's first prompt
    assert p.locator(".microvet-outcome-row").nth(0).get_by_label("The learner can…").input_value().startswith("</")
    assert_nothing_ran(page)

    # ---- learner: the content, their own text answer, feedback and hints, then a reload
    learner_answer = corpus("learner's text answer")
    p.goto(scenario(server, "eve"))
    quiz = p.locator("[data-block-type=outcome_assessment]").nth(0)
    assert quiz.locator("h3").inner_text() == shown(0)
    quiz.locator("[data-question=q-single] input[value=b]").check()
    quiz.locator("[data-question=q-text] input[type=text]").fill(learner_answer)
    quiz.locator("[data-question=q-number] input[type=text]").fill("3")
    with p.expect_response(lambda r: "/submit/" in r.url) as response:
        quiz.locator(".mv-submit").click()
    assert response.value.ok, response.value.text()
    feedback = quiz.locator("[data-question=q-single] .mv-question-result")
    assert shown(6) in feedback.inner_text()  # choice b's feedback
    assert_nothing_ran(page)
    p.reload()
    p.wait_for_load_state("networkidle")
    assert_nothing_ran(page)
    quiz = p.locator("[data-block-type=outcome_assessment]").nth(0)
    assert quiz.locator("[data-question=q-text] input[type=text]").input_value() == learner_answer
    assert shown(7) in quiz.locator("[data-question=q-single] .mv-question-result").inner_text()  # hint 1
    assert quiz.locator(".mv-result li").count() == 2  # the restored result rendered: the script ran
    assert quiz.locator(".mv-question-result script, .mv-question-result img, .mv-result svg").count() == 0
    assert_nothing_ran(page)
    assert len(corpus.fields) >= 30
    print(f"XSS corpus: {len(corpus.fields)} fields, {len(PAYLOADS)} payloads, scenario {SCENARIO}")
