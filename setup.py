"""microVET credentials for Open edX: one pip distribution (XBlocks, Django app, OB 3.0 issuer)."""

import importlib.util
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
DATA_SUFFIXES = (".json", ".jsonld", ".html", ".js", ".css", ".svg", ".png", ".po", ".yaml", ".xml", ".txt")
#: Compiled catalogs, written by the build itself (``_compile_catalogs``), so matched by pattern: the Django
#: app's (LOCALE_PATHS) and the XBlock runtimes' (``translations/<lang>/LC_MESSAGES/text.mo``).
CATALOGS = ["conf/locale/*/LC_MESSAGES/*.mo", "translations/*/LC_MESSAGES/text.mo"]


def package_data(package: str) -> list[str]:
    """Every non-Python file shipped inside ``package`` (contexts, schemas, templates, static, locales)."""
    root = ROOT / package
    files = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.suffix in DATA_SUFFIXES]
    return files + (CATALOGS if package == "microcredential_xblock" else [])


def _compile_catalogs() -> None:
    """.po -> .mo with Babel (a build requirement, pyproject.toml) by scripts/i18n.py, which the sdist
    ships: the wheel and the sdist both carry the compiled catalogs, and git holds only the .po files."""
    spec = importlib.util.spec_from_file_location("microvet_i18n", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.compile_catalogs()


class BuildPy(build_py):
    def run(self) -> None:
        _compile_catalogs()
        super().run()


class Sdist(sdist):
    def run(self) -> None:
        _compile_catalogs()
        super().run()


PACKAGES = ["badge_issuer", "microcredential_xblock", "course_templates"]

setup(
    name="microvet-credentials",
    version="0.1.0",
    description="EU micro-credentials for Open edX: authoring, outcome validation and Open Badges 3.0 issuing",
    long_description=(ROOT / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0",
    cmdclass={"build_py": BuildPy, "sdist": Sdist},
    # Floors are what the code needs, at or below every supported Open edX release's pins (README,
    # "Supported Open edX releases"; requirements/constraints-<release>.txt), so that installing the
    # package into a platform never upgrades the platform's own libraries.
    python_requires=">=3.11",
    packages=find_packages(include=[f"{p}*" for p in PACKAGES]),
    package_data={p: package_data(p) for p in PACKAGES},
    install_requires=[
        "Django>=4.2",
        "XBlock>=5.2",
        "pyld>=2.0.4",
        "pyoxigraph>=0.5,<0.6",
        "cryptography>=42",
        "PyJWT>=2.8",
        "jsonschema>=4.21",
        "lxml>=5.0",
        "PyYAML>=6.0",
        "pypng>=0.20220715",
        "base58>=2.1",
        "google-re2>=1.1",  # linear-time regex matching of learner answers (wheels: CPython 3.11-3.13, x86_64/aarch64)
        "segno>=1.6",  # QR codes of the wallet offers, as inline SVG (pure Python, BSD)
    ],
    extras_require={
        "openedx": ["openedx-events>=10.2", "openedx-filters>=2.1", "celery>=5.3", "edx-opaque-keys>=3.0"],
    },
    entry_points={
        "console_scripts": ["microvet = badge_issuer.cli:main", "microvet-course = course_templates.cli:main"],
        # Subcommands of ``microvet`` that the packages built on badge_issuer add (it never imports them).
        "microvet.commands": ["course = course_templates.cli:register"],
        "xblock.v1": [
            "microcredential = microcredential_xblock.blocks.credential:MicroCredentialXBlock",
            "outcome_assessment = microcredential_xblock.blocks.assessment:OutcomeAssessmentXBlock",
        ],
        # Both apps in both projects: the models (label "microvet") and the integration (URLs, settings,
        # signals, management commands). edx-django-utils installs them through their ``plugin_app``.
        "lms.djangoapp": [
            "microvet = microcredential_xblock.service.apps:MicrovetConfig",
            "microvet_platform = microcredential_xblock.platform.apps:MicrovetPlatformConfig",
            "microvet_wallet = microcredential_xblock.wallet.apps:WalletWellKnownConfig",  # /.well-known/ (OID4VCI)
        ],
        "cms.djangoapp": [
            "microvet = microcredential_xblock.service.apps:MicrovetConfig",
            "microvet_platform = microcredential_xblock.platform.apps:MicrovetPlatformConfig",
        ],
    },
    classifiers=[
        "Framework :: Django :: 4.2",
        "Framework :: Django :: 5.2",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
    ],
)
