"""The assessment in Chromium (issue 9 Deliver 5): results name outcomes by their text, and a successful
submission tells the page (``microvet:evidence-recorded``) so the credential card can refresh."""

from __future__ import annotations

import pytest

from tests.browser.server import DemoServer
from tests.browser.test_demo_browser import scenario

pytestmark = pytest.mark.browser

LISTEN = """() => {
  window.__recorded = [];
  document.addEventListener('microvet:evidence-recorded', (e) => window.__recorded.push(e.detail.usageId));
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    demo = DemoServer(tmp_path_factory.mktemp("assessment-demo-var")).start()
    yield demo
    demo.stop()


def test_submission_names_outcomes_by_text_and_tells_the_page(server, watched):
    page = watched.page
    page.goto(scenario(server, "zoe"))
    page.evaluate(LISTEN)
    quiz = page.locator("[data-block-type=outcome_assessment]").nth(0)
    quiz.locator("[data-question=q-verb] input[value=understand]").check()
    with page.expect_response(lambda r: "/submit/" in r.url) as response:
        quiz.locator(".mv-submit").click()
    assert response.value.ok
    outcomes = quiz.locator(".mv-result li")
    expect_text = "Write learning outcomes that are observable, assessable and aligned with EQF level descriptors."
    assert outcomes.nth(0).inner_text().startswith(expect_text + ": not yet validated")
    assert "lo-write-outcomes" not in quiz.locator(".mv-result").inner_text()
    assert page.evaluate("window.__recorded") == [quiz.get_attribute("data-usage")]
    with page.expect_response(lambda r: "/submit/" in r.url) as response:  # a refused one says nothing
        page.evaluate("""() => {
          const form = document.querySelectorAll('[data-block-type=outcome_assessment] .mv-form')[0];
          form.querySelectorAll('input').forEach((input) => { input.checked = false; });
          form.requestSubmit();
        }""")
    assert response.value.status == 400
    assert len(page.evaluate("window.__recorded")) == 1
    assert watched.dialogs == [] and watched.errors == []
