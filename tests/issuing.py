"""Shared test helpers for issuing: an example definition, issuers and signed credentials."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from badge_issuer.definition import Definition, load_definition
from badge_issuer.issuer_keys import IssuerKeys
from badge_issuer.keystore import generate_issuer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "micro-credential.yaml"
PROFILE = {
    "name": "Istituto Formazione Professionale Aurora",
    "url": "https://aurora-vet.example.it",
    "country": "IT",
    "region": "Emilia-Romagna",
}
ISSUED_AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def example_definition() -> Definition:
    return load_definition(EXAMPLE)


def make_issuer(directory: Path, did: str = "key", jwt_alg: str = "EdDSA") -> IssuerKeys:
    domain = None if did == "key" else "aurora-vet.example.it"
    path = "issuers/aurora" if did == "https" else ""
    return generate_issuer(directory, did=did, domain=domain, path=path, jwt_alg=jwt_alg, profile=PROFILE)
