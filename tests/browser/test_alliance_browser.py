"""The alliance in the demo, in Chromium: the members directory, an endorsed card, the impact page (axe-core)."""

from __future__ import annotations

import pytest

from tests.browser.test_demo_browser import card, earn, serious_axe_violations

pytestmark = pytest.mark.browser
CHAMBER = "Camera di Commercio dell'Emilia (demo)"


def test_directory_lists_members_in_the_visitors_language_and_is_accessible(demo_server, watched):
    page = watched.page
    page.goto(demo_server.url + "/microvet/alliance/")
    members = page.locator("li.member")
    assert members.count() == 2
    chamber = members.filter(has_text=CHAMBER)
    assert "Apprenticeships and craft trades" in chamber.inner_text()
    assert chamber.get_by_role("img", name=f"Logo of {CHAMBER}").count() == 1
    assert "Endorses" in chamber.inner_text() and "Designing micro-credentials for VET" in chamber.inner_text()
    watched.screenshot("alliance-directory")
    assert serious_axe_violations(page, "main") == []
    italian = watched.page.context.new_page()
    italian.set_extra_http_headers({"Accept-Language": "it"})
    italian.goto(demo_server.url + "/microvet/alliance/")
    assert italian.locator("html").get_attribute("lang") == "it"
    assert "Rappresenta le imprese della regione" in italian.locator("main").inner_text()
    assert "Tipo di organizzazione" in italian.locator("main").inner_text()
    italian.close()
    assert watched.errors == [] and watched.dialogs == []


def test_an_earned_credential_shows_its_verified_endorsement_on_card_and_page(demo_server, watched):
    earn(watched, demo_server, "endorsed-learner")
    page = watched.page
    line = card(page).locator(".microvet-endorsements li")
    assert line.inner_text().startswith(f"Endorsed by {CHAMBER} — verified")
    assert serious_axe_violations(page, ".microvet-card") == []
    verify_url = card(page).get_by_role("link", name="Open the verification page").get_attribute("href")
    page.goto(verify_url)
    main = page.locator("main").inner_text()
    assert "Valid: every check passed." in main
    assert f"Endorsed by {CHAMBER} — verified" in main
    watched.screenshot("alliance-verification-page")
    assert serious_axe_violations(page, "main") == []


def test_impact_page_counts_the_demo(demo_server, watched):
    page = watched.page
    page.goto(demo_server.url + "/demo/alliance/impact/")
    main = page.locator("main").inner_text()
    assert "Members\n2" in main or "Members 2" in main.replace("\n", " ")
    assert page.locator("table caption").first.inner_text() == "Learning outcomes validated"
    assert serious_axe_violations(page, "main") == []
