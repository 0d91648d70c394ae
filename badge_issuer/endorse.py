"""OB 3.0 EndorsementCredentials: a third party vouches for an achievement, an issuer or a credential.

Built unsigned here; the caller signs them (``proofs.data_integrity.sign_di`` or ``proofs.jwt.sign_jwt``)
with the *endorser's* keys and verifies them with the same modules.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import jwt

from .contexts import OB_EXTENSIONS, OB_V3, VC_V2, check_safe_mode
from .dates import xsd_datetime
from .errors import DefinitionError
from .schema import check as check_schema

ENDORSEMENT_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential-jsonschema1.json"
)
#: extensions.json defines 1EdTechJsonSchemaValidator2019, the credentialSchema type used here.
ENDORSEMENT_CONTEXTS = [VC_V2, OB_V3, OB_EXTENSIONS]
Target = Literal["credential", "achievement", "issuer"]


def _text(value: Any, field: str, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise DefinitionError(field, "must be a non-empty string")
    return value


def build_endorsement(
    *,
    subject_id: str,
    issuer_profile: Mapping[str, Any],
    name: str,
    comment: str | None = None,
    description: str | None = None,
    credential_id: str | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """The unsigned EndorsementCredential of ``issuer_profile`` (the endorser) for ``subject_id``.

    ``subject_id`` is the id of the endorsed achievement, issuer profile or credential. The result
    passes the bundled OB 3.0 endorsement schema and JSON-LD safe mode, or this raises.
    """
    if not isinstance(issuer_profile, Mapping):
        raise DefinitionError("issuer", "must be the endorser's OB 3.0 Profile (a JSON object)")
    valid_from = valid_from or datetime.now(UTC)
    subject: dict[str, Any] = {"id": subject_id, "type": ["EndorsementSubject"]}
    if _text(comment, "credentialSubject.endorsementComment", required=False):
        subject["endorsementComment"] = comment
    document: dict[str, Any] = {
        "@context": list(ENDORSEMENT_CONTEXTS),
        "id": credential_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": _text(name, "name", required=True),
        "issuer": dict(issuer_profile),
        "validFrom": xsd_datetime(valid_from, "validFrom"),
        "credentialSubject": subject,
        "credentialSchema": [{"id": ENDORSEMENT_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if _text(description, "description", required=False):
        document["description"] = description
    if valid_until is not None:
        document["validUntil"] = xsd_datetime(valid_until, "validUntil")
        if valid_until <= valid_from:
            raise DefinitionError("validUntil", "must be later than validFrom")
    check_schema(document, "endorsement")
    check_safe_mode(document)
    return document


def _types(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _endorsement_payload(endorsement: dict[str, Any] | str, field: str) -> dict[str, Any]:
    """The endorsement credential itself: the dict, or the (unverified) payload of a compact JWS."""
    if isinstance(endorsement, str):
        try:
            payload = jwt.decode(endorsement, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise DefinitionError(field, f"not a compact JWS: {exc}") from exc
        return payload.get("vc", payload)  # VC 1.1-era tokens wrap the credential in "vc"
    if not isinstance(endorsement, dict):
        raise DefinitionError(field, "must be a signed EndorsementCredential (JSON object) or a compact JWS")
    if not endorsement.get("proof"):
        raise DefinitionError(field, "is not signed; sign the endorsement before attaching it")
    return endorsement


def attach_endorsements(
    credential: Mapping[str, Any],
    endorsements: Iterable[dict[str, Any] | str],
    *,
    target: Target = "achievement",
) -> dict[str, Any]:
    """A copy of the unsigned ``credential`` with signed endorsements of ``target`` attached.

    OB 3.0 allows ``endorsement`` (embedded proof) and ``endorsementJwt`` (compact JWS) on the
    credential, its achievement and its issuer profile. Each endorsement must name the target's id
    as its subject. Attach before signing: the credential's own proof must cover them. The bundled
    context-3.0.3.json defines ``endorsementJwt``, as 1EdTech's published copy does since
    openbadges-specification #639/#642.
    """
    if credential.get("proof"):
        raise DefinitionError("proof", "the credential is already signed; attach endorsements before signing")
    result = copy.deepcopy(dict(credential))
    if target == "credential":
        node, path = result, "$"
    elif target == "achievement":
        node, path = result.get("credentialSubject", {}).get("achievement"), "$.credentialSubject.achievement"
    elif target == "issuer":
        node, path = result.get("issuer"), "$.issuer"
    else:
        raise DefinitionError("target", f"{target!r} is not one of credential, achievement, issuer")
    if not isinstance(node, dict) or not isinstance(node.get("id"), str):
        raise DefinitionError(path, "must be an embedded object with an id to carry endorsements")
    for index, endorsement in enumerate(endorsements):
        field = f"endorsements[{index}]"
        payload = _endorsement_payload(endorsement, field)
        if "EndorsementCredential" not in _types(payload.get("type")):
            raise DefinitionError(f"{field}.type", "must contain 'EndorsementCredential'")
        subject = payload.get("credentialSubject")
        endorsed = subject.get("id") if isinstance(subject, dict) else None
        if endorsed != node["id"]:
            raise DefinitionError(
                f"{field}.credentialSubject.id", f"{endorsed!r} endorses something else than {path} ({node['id']!r})"
            )
        key = "endorsementJwt" if isinstance(endorsement, str) else "endorsement"
        node.setdefault(key, []).append(copy.deepcopy(endorsement))
    return result
