"""The credential card in Chromium follows the learner's evidence without a reload (issue 9, Deliver 5).

Contract with the assessment block: after a successful submit it dispatches
``microvet:evidence-recorded`` on ``document``; the card then polls its state handler until final. The
event is dispatched here as the assessment's script does, so the card's side is tested on its own.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_demo_browser import RIGHT, answer, card, outcome_states, scenario

pytestmark = pytest.mark.browser
EVIDENCE = 'document.dispatchEvent(new CustomEvent("microvet:evidence-recorded", {detail: {usageId: "x"}}))'


def test_the_card_updates_after_submissions_and_says_when_issued(demo_server, watched):
    page = watched.page
    page.goto(scenario(demo_server, "erin"))
    state = card(page).locator(".microvet-state")
    expect(state).to_have_text("In progress")
    answer(page, 0, RIGHT[0])
    page.evaluate(EVIDENCE)
    expect(card(page).locator(".microvet-outcome--done")).to_have_count(2)  # no reload
    assert outcome_states(page)[2] == "Not yet validated"
    answer(page, 1, RIGHT[1])
    with page.expect_response(lambda r: "/student_view_user_state/card" in r.url and r.request.method == "GET"):
        page.evaluate(EVIDENCE)
    expect(state).to_have_text("Earned")
    expect(card(page).locator(".microvet-live")).to_have_text("Your credential has been issued.")
    # A later answer with the same card (another event, a poll that was already under way) keeps the message.
    with page.expect_response(lambda r: "/student_view_user_state/card" in r.url and r.request.method == "GET"):
        page.evaluate(EVIDENCE)
    page.wait_for_timeout(200)  # the answer's handler runs after the response event
    expect(card(page).locator(".microvet-live")).to_have_text("Your credential has been issued.")
    expect(card(page).get_by_role("link", name="Download (JSON-LD)")).to_be_visible()
    card(page).get_by_role("button", name="Copy link").click()  # the swapped-in card's controls are bound
    expect(card(page).locator(".microvet-live")).not_to_have_text("Your credential has been issued.")
    assert watched.dialogs == [] and watched.errors == []


def test_the_state_handler_answers_get_for_the_mobile_apps(demo_server, watched):
    page = watched.page
    page.goto(scenario(demo_server, "frank"))
    usage = card(page).locator("xpath=ancestor::*[@data-usage][1]").get_attribute("data-usage")
    status, body = demo_server.get(f"/handler/{usage}/student_view_user_state/?student=frank")
    assert status == 200 and b'"state": "in_progress"' in body and b'"final": true' in body
