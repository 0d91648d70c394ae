"""Staff actions on issued credentials and their public addresses (through service.api)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from badge_issuer.formats import is_email_address

from . import inputs, issuance
from .config import absolute_url
from .errors import InvalidInput, NotFound
from .models import IssuedCredential


def get_credential(credential_uuid: Any) -> IssuedCredential:
    """The stored credential, or NotFound (also for ids that are not UUIDs)."""
    credential = IssuedCredential.objects.filter(uuid=inputs.credential_uuid(credential_uuid)).first()
    if credential is None:
        raise NotFound(_("No such credential."))
    return credential


def revoke(credential_uuid: Any, *, actor: str, reason: str) -> IssuedCredential:
    """Final: the bit is set in the status list, which is re-signed."""
    inputs.staff_reason(actor, reason).raise_first(InvalidInput)
    return issuance.change_status(inputs.credential_uuid(credential_uuid), "revoke", actor=actor, reason=reason)


def suspend(credential_uuid: Any, *, actor: str, reason: str) -> IssuedCredential:
    """Reversible; only for a credential on a suspension list (a bit on a revocation list means revoked)."""
    inputs.staff_reason(actor, reason).raise_first(InvalidInput)
    return issuance.change_status(inputs.credential_uuid(credential_uuid), "suspend", actor=actor, reason=reason)


def reinstate(credential_uuid: Any, *, actor: str, reason: str) -> IssuedCredential:
    """Lift a suspension (a revocation is final)."""
    inputs.staff_reason(actor, reason).raise_first(InvalidInput)
    return issuance.change_status(inputs.credential_uuid(credential_uuid), "reinstate", actor=actor, reason=reason)


def reissue(
    credential_uuid: Any,
    *,
    actor: str,
    reason: str,
    email: str | None = None,
    name: str | None = None,
    subject_did: str | None = None,
) -> IssuedCredential:
    """A new credential (new id, new status index) linked to the old one, which is revoked."""
    problems = inputs.staff_reason(actor, reason)
    if subject_did is not None and (not isinstance(subject_did, str) or not subject_did.startswith("did:")):
        problems.add("subject_did", _("must be a DID such as did:key:z6Mk..."))
    if email is not None and not is_email_address(email):
        problems.add("email", _("must be an e-mail address"))
    if name is not None and not isinstance(name, str):
        problems.add("name", _("must be text"))
    problems.raise_first(InvalidInput)
    return issuance.reissue(
        inputs.credential_uuid(credential_uuid),
        actor=actor,
        reason=reason,
        email=email,
        name=name,
        subject_did=subject_did,
    )


def public_urls(credential: IssuedCredential) -> dict[str, str]:
    """Absolute public URLs of a credential: JSON-LD, JWT, verification page, baked badges, ELM."""
    uid = credential.uuid
    urls = {
        "json": absolute_url("credential", uid),
        "verify": absolute_url("verify", uid),
        "png": absolute_url("badge_png", uid),
        "svg": absolute_url("badge_svg", uid),
        "elm": absolute_url("elm", uid),
    }
    if credential.jwt:
        urls["jwt"] = absolute_url("credential_jwt", uid)
    return urls


def endorsements_shown(credential: IssuedCredential) -> list[dict[str, str]]:
    """The alliance endorsements embedded in an issued credential, with their state today."""
    from .alliance import shown_endorsements  # noqa: PLC0415

    return shown_endorsements(credential.document)
