"""Fixtures for the browser tests: one demo server (fresh data dir) and Debian's Chromium via Playwright.

Chromium is never downloaded: Playwright drives /usr/bin/chromium. Without it (or without the playwright
package) the tests skip locally and fail under CI=true (tests.conftest.require).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser.server import ROOT, DemoServer
from tests.conftest import require

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    server = DemoServer(tmp_path_factory.mktemp("browser-demo-var")).start()
    yield server
    server.stop()


try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the tests then skip (or fail under CI=true) in the playwright_api fixture
    expect = sync_playwright = None


@pytest.fixture(scope="session")
def playwright_api():
    require(sync_playwright is not None, "the playwright Python package")
    require(Path(CHROMIUM).exists() or bool(shutil.which("chromium")), f"Chromium at {CHROMIUM}")
    with sync_playwright() as api:
        yield api


@pytest.fixture(scope="session")
def browser(playwright_api, tmp_path_factory):
    context = playwright_api.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        accept_downloads=True,
        viewport={"width": 1100, "height": 900},
    )
    yield context
    context.close()


class Watched:
    """A page whose dialogs (alert/confirm) and uncaught script errors are recorded, never accepted silently."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def screenshot(self, name: str, **kwargs) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.add_style_tag(content="header.banner { position: static !important; }")  # workbench title bar
        (kwargs.pop("locator", None) or self.page).screenshot(path=str(path), **kwargs)
        return path


@pytest.fixture
def watched(browser):
    page = browser.new_page()
    yield Watched(page)
    page.close()
