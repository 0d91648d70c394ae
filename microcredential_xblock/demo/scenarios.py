"""Workbench scenarios: the complete sample course unit and a blank micro-credential to author from scratch."""

from pathlib import Path

OLX_DIR = Path(__file__).resolve().parent / "olx"

#: (description, OLX) pairs, as ``workbench_scenarios()`` returns them. The first is ``microcredential.0``.
SCENARIOS = [
    (
        "Designing micro-credentials for VET (complete sample)",
        (OLX_DIR / "designing-micro-credentials.xml").read_text(encoding="utf-8"),
    ),
    ("A new micro-credential (empty editor)", "<microcredential/>"),
]
