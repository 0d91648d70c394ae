"""Credential Issuer Metadata (OID4VCI 1.0 section 12.2) and Authorization Server Metadata (RFC 8414).

The issuer is its own authorization server (no ``authorization_servers``), offering only the
pre-authorized code grant. One credential configuration per micro-credential and format, named and
pictured in the micro-credential's own language; the issuer's display is repeated for every
language the registered micro-credentials use.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from badge_issuer.contexts import credential_contexts

from ..service.config import issuer_keys
from ..service.issuance import issuer_profile
from ..service.models import MicroCredentialDefinition
from . import offers
from .holder import PROOF_ALGS
from .settings import wallet_settings

CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
BINDING_METHODS = ["did:key", "did:jwk", "jwk"]


def _display(row: MicroCredentialDefinition) -> list[dict[str, Any]]:
    definition = row.definition
    entry: dict[str, Any] = {
        "name": definition["title"],
        "locale": definition.get("language") or settings.LANGUAGE_CODE,
        "logo": {
            "uri": offers.url("oid4vci_logo", offers.configuration_slug(row.microcredential_id)),
            "alt_text": definition["title"],
        },
    }
    if definition.get("description"):
        entry["description"] = definition["description"][:300]
    return [entry]


def _configuration(row: MicroCredentialDefinition, oid4vci_format: str) -> dict[str, Any]:
    keys = issuer_keys()
    configuration: dict[str, Any] = {
        "format": oid4vci_format,
        "cryptographic_binding_methods_supported": BINDING_METHODS,
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGS)}},
        "credential_metadata": {"display": _display(row)},
        "display": _display(row),  # drafts 13-15 read display here; 1.0 reads credential_metadata
    }
    if oid4vci_format == "ldp_vc":
        configuration["credential_signing_alg_values_supported"] = ["eddsa-rdfc-2022"]
        # The published contexts only: wallet libraries (@openid4vc/openid4vci) take URLs here, and the
        # project's inline terms are in every credential's own @context (ADR 0012).
        contexts = [c for c in credential_contexts() if isinstance(c, str)]
        configuration["credential_definition"] = {"@context": contexts, "type": CREDENTIAL_TYPES}
    else:
        configuration["credential_signing_alg_values_supported"] = [keys.jwt_alg]
        configuration["credential_definition"] = {"type": CREDENTIAL_TYPES}
    return configuration


def issuer_metadata() -> dict[str, Any]:
    rows = offers.definitions()
    name = issuer_profile(issuer_keys()).get("name", "")
    languages = sorted({row.definition.get("language") or settings.LANGUAGE_CODE for row in rows}) or [
        settings.LANGUAGE_CODE
    ]
    logo = wallet_settings().logo_uri
    display = [
        {"name": name, "locale": lang, **({"logo": {"uri": logo, "alt_text": name}} if logo else {})}
        for lang in languages
    ]
    return {
        "credential_issuer": offers.issuer_identifier(),
        "credential_endpoint": offers.url("oid4vci_credential"),
        "nonce_endpoint": offers.url("oid4vci_nonce"),
        "display": display,
        "credential_configurations_supported": {
            offers.configuration_id(row.microcredential_id, fmt): _configuration(row, fmt)
            for row in rows
            for fmt in offers.enabled_formats()
        },
    }


def authorization_server_metadata() -> dict[str, Any]:
    issuer = offers.issuer_identifier()
    return {
        "issuer": issuer,
        "token_endpoint": offers.url("oid4vci_token"),
        "grant_types_supported": [offers.PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
        "response_types_supported": [],
    }
