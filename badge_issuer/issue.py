"""One entry point for issuing: definition + learner + issuer keys -> signed credential(s).

Order follows OB 3.0: the Data Integrity proof is made first, then the (already proved) document is
wrapped as a VC-JWT. The unsigned credential must pass the official JSON Schema and safe mode, so
nothing that the schema or the contexts reject is ever signed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import schema
from .contexts import check_safe_mode
from .dates import xsd_datetime
from .definition import Definition
from .endorse import Target, attach_endorsements
from .errors import SigningError
from .issuer_keys import IssuerKeys
from .model import Recipient, build_credential
from .proofs.data_integrity import sign_di
from .proofs.jwt import sign_jwt

FORMATS = ("di", "jwt")


@dataclass(frozen=True)
class IssuedCredential:
    """``document`` carries the embedded proof (when "di" was asked); ``jwt`` is the VC-JWT or None."""

    document: dict[str, Any]
    jwt: str | None

    @property
    def id(self) -> str:
        return self.document["id"]


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """Validate a format selection ("di", "jwt" or both) and return it in signing order."""
    chosen = tuple(dict.fromkeys(formats))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise SigningError("format", f"choose di, jwt or both (got {', '.join(chosen) or 'nothing'})")
    return tuple(f for f in FORMATS if f in chosen)


def sign_credential(
    unsigned: Mapping[str, Any], issuer: IssuerKeys, formats: Sequence[str] = ("di",), *, created: str | None = None
) -> IssuedCredential:
    """Sign any unsigned credential (achievement, endorsement, status list) with the issuer's active keys."""
    chosen = check_formats(formats)
    document = dict(unsigned)
    if "di" in chosen:
        document = sign_di(document, issuer.di_key, issuer.di_verification_method, created=created)
    else:
        check_safe_mode(document)
    token = sign_jwt(document, issuer.jwt_key, issuer.jwt_kid) if "jwt" in chosen else None
    return IssuedCredential(document=document, jwt=token)


def issue_credential(
    definition: Definition,
    recipient: Recipient,
    issuer: IssuerKeys,
    *,
    formats: Sequence[str] = ("di",),
    credential_id: str | None = None,
    issued_at: datetime | None = None,
    score: float | None = None,
    evidence: Iterable[Mapping[str, Any]] = (),
    status_entries: Iterable[Mapping[str, Any]] = (),
    include_name: bool = False,
    salt: str | None = None,
    endorsements: Mapping[Target, Sequence[Mapping[str, Any] | str]] | None = None,
) -> IssuedCredential:
    """Build, check and sign an OB 3.0 micro-credential. Raises a MicrovetError naming the field at fault.

    ``endorsements``: signed EndorsementCredentials to embed, per target ("achievement", "issuer"),
    under the credential's own proof.
    """
    chosen = check_formats(formats)
    issued_at = (issued_at or datetime.now(UTC)).replace(microsecond=0)
    unsigned = build_credential(
        definition,
        recipient,
        issuer.issuer_profile(),
        credential_id=credential_id or f"urn:uuid:{uuid.uuid4()}",
        issued_at=issued_at,
        score=score,
        evidence=evidence,
        status_entries=status_entries,
        include_name=include_name,
        salt=salt,
    )
    for target, signed in (endorsements or {}).items():
        if signed:
            unsigned = attach_endorsements(unsigned, signed, target=target)
    schema.check(unsigned, "achievement")
    return sign_credential(unsigned, issuer, chosen, created=xsd_datetime(issued_at))
