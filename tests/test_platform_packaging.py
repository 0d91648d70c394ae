"""The built distributions carry compiled catalogs (issue 9, defect 8): a wheel and an sdist built from a
clean clone (git holds only .po files) have every language's .mo where Django looks (the package's
conf/locale, which plugin_settings adds to LOCALE_PATHS) and where the platform's XBlock i18n service looks
(``translations/<lang>/LC_MESSAGES/text.mo``); a wheel built from that sdist has them too.

The builds call setuptools' PEP 517 hooks in a subprocess without isolation (the test environment has
setuptools and Babel): what ``pip wheel`` and ``python -m build`` do, without reaching a package index."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, require

LANGUAGES = ("en", "it", "el", "es", "pt", "de")
DOMAINS = ("django", "djangojs")
EXPECTED = {
    *(f"microcredential_xblock/conf/locale/{lang}/LC_MESSAGES/{domain}.mo" for lang in LANGUAGES for domain in DOMAINS),
    *(f"microcredential_xblock/translations/{lang}/LC_MESSAGES/text.mo" for lang in LANGUAGES),
}
BUILD = "import sys; from setuptools import build_meta as b; print(getattr(b, sys.argv[1])(sys.argv[2]))"


def _build(source: Path, hook: str, out: Path) -> Path:
    run = subprocess.run(  # noqa: S603  (our own interpreter and arguments)
        [sys.executable, "-c", BUILD, hook, str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return out / run.stdout.strip().splitlines()[-1]


def _mo_files(names: list[str], prefix: str = "") -> set[str]:
    return {name.removeprefix(prefix) for name in names if name.endswith(".mo")}


@pytest.fixture(scope="module")
def clean_clone(tmp_path_factory) -> Path:
    require(shutil.which("git") is not None and (ROOT / ".git").exists(), "a git checkout and git")
    clone = tmp_path_factory.mktemp("clone") / "src"
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True)  # noqa: S603, S607
    subprocess.run(["git", "clone", "--quiet", "--shared", str(ROOT), str(clone)], check=True)  # noqa: S603, S607
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", head.stdout.strip()], check=True)  # noqa: S603, S607
    assert not list(clone.rglob("*.mo"))  # git holds no compiled catalog
    return clone


def test_wheel_and_sdist_carry_every_compiled_catalog(clean_clone, tmp_path):
    sdist = _build(clean_clone, "build_sdist", tmp_path / "dist")
    wheel = _build(clean_clone, "build_wheel", tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        assert _mo_files(archive.namelist()) == EXPECTED
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0] + "/"
        assert _mo_files(archive.getnames(), top) == EXPECTED
        archive.extractall(tmp_path / "unpacked", filter="data")
    from_sdist = _build(tmp_path / "unpacked" / top.rstrip("/"), "build_wheel", tmp_path / "from-sdist")
    with zipfile.ZipFile(from_sdist) as archive:
        assert _mo_files(archive.namelist()) == EXPECTED
