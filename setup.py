"""microVET credentials for Open edX: one pip distribution (XBlocks, Django app, OB 3.0 issuer)."""
from pathlib import Path

from setuptools import find_packages, setup

DATA_SUFFIXES = (".json", ".jsonld", ".html", ".js", ".css", ".svg", ".png", ".po", ".mo", ".yaml", ".xml", ".txt")


def package_data(package: str) -> list[str]:
    """Every non-Python file shipped inside ``package`` (contexts, schemas, templates, static, locales)."""
    root = Path(package)
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.suffix in DATA_SUFFIXES]


PACKAGES = ["badge_issuer", "microcredential_xblock", "course_templates"]

setup(
    name="microvet-credentials",
    version="0.1.0",
    description="EU micro-credentials for Open edX: authoring, outcome validation and Open Badges 3.0 issuing",
    long_description=Path("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0",
    python_requires=">=3.12",
    packages=find_packages(include=[f"{p}*" for p in PACKAGES]),
    package_data={p: package_data(p) for p in PACKAGES},
    install_requires=[
        "Django>=5.2",
        "XBlock>=6.2",
        "pyld>=2.0.4",
        "cryptography>=42",
        "PyJWT>=2.8",
        "jsonschema>=4.21",
        "lxml>=5.0",
        "PyYAML>=6.0",
        "pypng>=0.20220715",
        "base58>=2.1",
        "segno>=1.6",  # QR codes of the wallet offers, as inline SVG (pure Python, BSD)
    ],
    extras_require={
        "openedx": ["openedx-events>=11", "openedx-filters>=3", "celery>=5.3", "edx-opaque-keys>=2.5"],
    },
    entry_points={
        "console_scripts": ["microvet = badge_issuer.cli:main"],
        "xblock.v1": [
            "microcredential = microcredential_xblock.blocks.credential:MicroCredentialXBlock",
            "outcome_assessment = microcredential_xblock.blocks.assessment:OutcomeAssessmentXBlock",
        ],
        "lms.djangoapp": [
            "microvet = microcredential_xblock.service.apps:MicrovetConfig",
            "microvet_platform = microcredential_xblock.platform.apps:MicrovetPlatformConfig",
            "microvet_wallet = microcredential_xblock.wallet.apps:WalletWellKnownConfig",  # /.well-known/ (OID4VCI)
        ],
        "cms.djangoapp": ["microvet = microcredential_xblock.service.apps:MicrovetConfig"],
    },
    classifiers=[
        "Framework :: Django :: 5.2",
        "Programming Language :: Python :: 3.12",
    ],
)
