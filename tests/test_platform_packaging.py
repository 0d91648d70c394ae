"""The built distributions carry compiled catalogs (issue 9, defect 8): a wheel and an sdist built from a
clean clone (git holds only .po files) have every language's .mo where Django looks (the package's
conf/locale, which plugin_settings adds to LOCALE_PATHS) and where the platform's XBlock i18n service looks
(``translations/<lang>/LC_MESSAGES/text.mo``); a wheel built from that sdist has them too.

The builds call setuptools' PEP 517 hooks in a subprocess without isolation (the test environment has
setuptools and Babel): what ``pip wheel`` and ``python -m build`` do, without reaching a package index.
Also: the dependency floors admit every supported release's pins (issue 9, defect 5)."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

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


# ------------------------------------------------------------------------------------------ floors


RELEASE_CONSTRAINTS = sorted((ROOT / "requirements").glob("constraints-*.txt"))


def _pins(path: Path) -> dict[str, str]:
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {canonicalize_name(name): version for name, version in (line.split("==") for line in lines if line)}


@pytest.mark.parametrize("constraints", RELEASE_CONSTRAINTS, ids=lambda p: p.stem.removeprefix("constraints-"))
def test_installing_into_a_supported_release_upgrades_nothing(constraints):
    """Every floor of ``install_requires`` (extras included) and ``python_requires`` admits the release's pins."""
    pins = _pins(constraints)
    python = re.search(r"Python (3\.\d+)\.", constraints.read_text(encoding="utf-8")).group(1)
    metadata = importlib.metadata.metadata("microvet-credentials")
    assert SpecifierSet(metadata["Requires-Python"]).contains(python)
    for requirement in map(Requirement, importlib.metadata.requires("microvet-credentials")):
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is not None:
            assert requirement.specifier.contains(pinned), f"{requirement} excludes {constraints.stem}'s {pinned}"
    assert {"django", "xblock", "openedx-events", "openedx-filters", "edx-opaque-keys", "lxml"} <= set(pins)
