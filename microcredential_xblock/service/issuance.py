"""Signing and storing credentials exactly once; status-list changes (docs/decisions/0005).

One transaction per issuance: the unique ``IssuanceClaim`` row is inserted first (rivals for the
same learner and micro-credential wait on it and then fail with IntegrityError), then the
credential row, its status-list index (a unique ``StatusAllocation``), the signature, and the
signed document. Signing (``badge_issuer.issue``) happens before commit, so a failure anywhere
rolls everything back and the next submission or retried event simply tries again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from badge_issuer.definition import parse_definition
from badge_issuer.issue import issue_credential, sign_credential
from badge_issuer.keys import IssuerKeys
from badge_issuer.model import Recipient
from badge_issuer.rules import expiry
from badge_issuer.status import StatusList as Bits
from badge_issuer.status import status_entry, status_list_credential

from .alliance import embeddable
from .config import config, issuer_keys
from .errors import InvalidInput, NotFound
from .models import (
    AuditEvent,
    IssuanceClaim,
    IssuedCredential,
    IssuerProfile,
    MicroCredentialDefinition,
    StatusAllocation,
    StatusList,
)

#: A list is retired once half full, so every index hides among at least 65,536 unused ones.
FILL_LIMIT = 0.5
_ATTEMPTS = 5
#: A staff reason is shown on the public verification page: a sentence or two, not a document.
MAX_REASON = 1000
#: Control characters other than line breaks and tabs (PostgreSQL refuses NUL in text outright).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def absolute_url(name: str, *args: Any) -> str:
    return config().base_url + reverse(f"microvet:{name}", args=args)


def issuer_profile(keys: IssuerKeys | None = None) -> dict[str, Any]:
    """The issuer Profile published at /issuer: the key set's profile, overridden by the admin's row."""
    keys = keys or issuer_keys()
    profile = keys.issuer_profile()
    row = IssuerProfile.objects.filter(keys_name=config().issuer).first()
    if row is not None:
        profile.update({k: v for k, v in (("name", row.name), ("url", row.url), ("email", row.email)) if v})
        profile["address"] = {
            "type": ["Address"],
            "addressCountryCode": row.country,
            **({"addressRegion": row.region} if row.region else {}),
        }
    return profile


# ------------------------------------------------------------------------------------------ status lists


def current_status_list(purpose: str) -> StatusList:
    """The list new credentials draw from, created (and signed) when none has room.

    Runs in its own transaction before issuance so the issuing transaction never creates a list.
    """
    size = config().status_list_size
    latest = StatusList.objects.filter(purpose=purpose).order_by("-sequence").first()
    if latest is not None and latest.allocations.count() < latest.size * FILL_LIMIT:
        return latest
    sequence = latest.sequence + 1 if latest is not None else 1
    try:
        with transaction.atomic():
            row = StatusList.objects.create(
                list_id=f"{purpose}-{sequence}",
                purpose=purpose,
                sequence=sequence,
                size=size,
                encoded=Bits(purpose, size).encode(),
            )
            sign_list(row)
            return row
    except IntegrityError:  # a rival made the successor first: use theirs
        with transaction.atomic():
            return StatusList.objects.select_for_update().get(purpose=purpose, sequence=sequence)


def sign_list(row: StatusList) -> None:
    """Re-sign a status list credential with the active key (after a bit change or a key rotation)."""
    keys = issuer_keys()
    unsigned = status_list_credential(
        absolute_url("status", row.list_id),
        keys.issuer_id,
        row.purpose,
        row.encoded,
        timezone.now(),
        ttl_ms=config().cache_seconds * 1000,
    )
    row.signed = sign_credential(unsigned, keys, ("di",)).document
    row.save(update_fields=["signed", "encoded", "updated"])


def _allocate(row: StatusList, credential: IssuedCredential) -> int:
    """A random free index, made unique by the database (a collision just draws again)."""
    bits = Bits.from_encoded(row.purpose, row.encoded)
    taken: set[int] = set()
    for _attempt in range(_ATTEMPTS):
        index = bits.allocate(taken)
        try:
            with transaction.atomic():
                StatusAllocation.objects.create(status_list=row, index=index, credential=credential)
            return index
        except IntegrityError:
            taken.add(index)
    raise IntegrityError(f"no free index found in status list {row.list_id}")


def list_purposes(credential: IssuedCredential) -> set[str]:
    """statusPurpose of the list(s) the credential was issued on (what outside verifiers will report)."""
    return {allocation.status_list.purpose for allocation in credential.allocations.select_related("status_list")}


def set_status_bit(credential: IssuedCredential, value: bool) -> None:
    """Set or clear the credential's bit and re-sign the list (caller holds a transaction)."""
    for allocation in credential.allocations.all():
        row = StatusList.objects.select_for_update().get(pk=allocation.status_list_id)
        bits = Bits.from_encoded(row.purpose, row.encoded)
        bits.set(allocation.index, value)
        row.encoded = bits.encode()
        sign_list(row)


# ------------------------------------------------------------------------------------------ issuance


@dataclass(frozen=True)
class Award:
    """Everything needed to issue, taken from the learner and the definition at evaluation time."""

    learner_id: str
    email: str
    name: str
    subject_did: str
    course_key: str
    usage_key: str
    snapshot: dict[str, Any]
    score_percent: float | None


def issue_once(registered: MicroCredentialDefinition, award: Award) -> IssuedCredential | None:
    """The learner's current credential for this micro-credential, issuing it if there is none
    (None if the before-issue hook vetoed it)."""
    microcredential_id = registered.microcredential_id
    existing = claimed(award.learner_id, microcredential_id)
    if existing is not None:
        return existing
    if config().before_issue:  # the platform's MicroCredentialIssuanceRequested filter (issue 5)
        award = import_string(config().before_issue)(award, registered.definition)
        if award is None:  # vetoed: the learner stays in progress and may be issued later
            return None
    status_list = current_status_list(config().status_purpose)
    for _attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                claim = IssuanceClaim.objects.create(learner_id=award.learner_id, microcredential_id=microcredential_id)
                credential = _create(award, microcredential_id, status_list)
                claim.credential = credential
                claim.save(update_fields=["credential"])
                return credential
        except IntegrityError:
            pass  # a rival holds the claim: read it with a fresh, locking read below
        existing = claimed(award.learner_id, microcredential_id, lock=True)
        if existing is not None:
            return existing
    raise IntegrityError(f"could not claim {microcredential_id} for learner {award.learner_id}")


def claimed(learner_id: str, microcredential_id: str, *, lock: bool = False) -> IssuedCredential | None:
    """The learner's current credential. ``lock``: a locking read, which on MariaDB (REPEATABLE
    READ) also sees rows committed after our snapshot. No select_related: PostgreSQL refuses
    FOR UPDATE on the nullable side of an outer join."""
    claims = IssuanceClaim.objects.filter(learner_id=learner_id, microcredential_id=microcredential_id)
    if not lock:
        claim = claims.first()
        return claim.credential if claim is not None else None
    with transaction.atomic():
        claim = claims.select_for_update().first()
        return IssuedCredential.objects.get(pk=claim.credential_id) if claim is not None else None


def printable(text: str) -> str:
    """``text`` without control characters: a platform name or e-mail holding NUL must not make a
    learner impossible to issue (PostgreSQL refuses NUL; a signed credential should not carry it)."""
    return " ".join(_CONTROL.sub("", text).split()) if _CONTROL.search(text) else text


def check_reason(reason: str) -> str:
    """A staff reason fit to store and show publicly, or InvalidInput naming ``reason``."""
    if len(reason) > MAX_REASON:
        raise InvalidInput("reason", _("must be at most %(limit)d characters") % {"limit": MAX_REASON})
    if _CONTROL.search(reason):
        raise InvalidInput("reason", _("must not contain control characters"))
    return reason


def _create(
    award: Award, microcredential_id: str, status_list: StatusList, replaces: IssuedCredential | None = None
) -> IssuedCredential:
    """Insert, allocate, sign, store: inside the caller's transaction, so all or nothing."""
    award = replace(award, name=printable(award.name), email=printable(award.email))
    issued_at = timezone.now().replace(microsecond=0)
    definition = parse_definition(award.snapshot["definition"])
    credential = IssuedCredential.objects.create(
        learner_id=award.learner_id,
        recipient_email=award.email,
        recipient_name=award.name,
        subject_did=award.subject_did,
        course_key=award.course_key,
        usage_key=award.usage_key,
        microcredential_id=microcredential_id,
        definition_snapshot=award.snapshot,
        document={},
        score_percent=award.score_percent,
        issued_at=issued_at,
        replaces=replaces,
        valid_until=expiry(issued_at, definition.valid_for_days),
    )
    index = _allocate(status_list, credential)
    entry = status_entry(absolute_url("status", status_list.list_id), index, status_list.purpose)
    signed = issue_credential(
        definition,
        Recipient(award.email, award.subject_did or None, award.name or None),
        issuer_keys(),
        formats=config().formats,
        credential_id=absolute_url("credential", credential.uuid),
        issued_at=issued_at,
        score=award.score_percent if definition.pass_mark is not None else None,
        status_entries=[entry],
        include_name=config().include_name and bool(award.name),
        endorsements=embeddable(definition.id, issuer_keys().issuer_id),
    )
    credential.document, credential.jwt = signed.document, signed.jwt or ""
    credential.save(update_fields=["document", "jwt"])
    return credential


#: action -> the states it may start from (checked under the row lock, so two staff clicks can't both apply).
TRANSITIONS = {
    "revoke": (IssuedCredential.ACTIVE, IssuedCredential.SUSPENDED),
    "suspend": (IssuedCredential.ACTIVE,),
    "reinstate": (IssuedCredential.SUSPENDED,),
}
REFUSALS = {
    "revoke": gettext_lazy("the credential is already revoked"),
    "suspend": gettext_lazy("only an active credential can be suspended"),
    "reinstate": gettext_lazy("only a suspended credential can be reinstated"),
}


def change_status(credential_uuid: Any, action: str, *, actor: str, reason: str) -> IssuedCredential:
    """Revoke, suspend or reinstate; the status list is updated and re-signed in the same transaction."""
    check_reason(reason)
    with transaction.atomic():
        credential = _locked(credential_uuid)
        if credential.state not in TRANSITIONS[action]:
            raise InvalidInput("state", str(REFUSALS[action]))
        if action == "suspend" and list_purposes(credential) != {"suspension"}:
            # The purpose is the credential's own list's, not today's STATUS_PURPOSE (docs/decisions/0013).
            raise InvalidInput("action", _("suspension is not enabled: this service publishes revocation lists"))
        _apply(credential, action, reason)
        AuditEvent.objects.create(credential=credential, action=action, actor=actor, reason=reason)
    return credential


def _locked(credential_uuid: Any) -> IssuedCredential:
    credential = IssuedCredential.objects.select_for_update().filter(uuid=credential_uuid).first()
    if credential is None:
        raise NotFound(_("No such credential."))
    return credential


def _apply(credential: IssuedCredential, action: str, reason: str) -> None:
    now = timezone.now()
    if action == "revoke":
        credential.state, credential.revoked_at = IssuedCredential.REVOKED, now
        set_status_bit(credential, True)
    elif action == "suspend":
        credential.state, credential.suspended_at = IssuedCredential.SUSPENDED, now
        set_status_bit(credential, True)
    else:
        credential.state, credential.suspended_at = IssuedCredential.ACTIVE, None
        set_status_bit(credential, False)
    credential.reason = reason
    credential.save(update_fields=["state", "revoked_at", "suspended_at", "reason"])


def reissue(
    credential_uuid: Any,
    *,
    actor: str,
    reason: str,
    email: str | None = None,
    name: str | None = None,
    subject_did: str | None = None,
) -> IssuedCredential:
    """A new credential from the old one's frozen snapshot; the old one is revoked and linked."""
    check_reason(reason)
    status_list = current_status_list(config().status_purpose)
    with transaction.atomic():
        old = _locked(credential_uuid)
        claim = IssuanceClaim.objects.select_for_update().filter(credential=old).first()
        if claim is None:  # already replaced (e.g. two staff re-issued at once): one successor only
            raise InvalidInput("state", _("this credential was already replaced by a re-issued one"))
        if old.retired_at is not None:
            raise InvalidInput("state", _("the learner's account was closed: their credential cannot be re-issued"))
        _check_reissue_budget(old)  # under the claim's lock: rivals for the same budget queue here
        award = Award(
            learner_id=old.learner_id,
            email=email or old.recipient_email,
            name=old.recipient_name if name is None else name,
            subject_did=old.subject_did if subject_did is None else subject_did,
            course_key=old.course_key,
            usage_key=old.usage_key,
            snapshot=old.definition_snapshot,
            score_percent=old.score_percent,
        )
        new = _create(award, old.microcredential_id, status_list, replaces=old)
        if old.state != IssuedCredential.REVOKED:
            _apply(old, "revoke", reason)
        claim.credential = new
        claim.save(update_fields=["credential"])
        AuditEvent.objects.create(credential=old, action="reissue", actor=actor, reason=reason)
        AuditEvent.objects.create(credential=new, action="issue", actor=actor, reason=reason)
    return new


def _check_reissue_budget(old: IssuedCredential) -> None:
    """At most REISSUE_LIMIT re-issues per learner and micro-credential within the window."""
    since = timezone.now() - timedelta(seconds=config().reissue_window_seconds)
    done = AuditEvent.objects.filter(
        action="reissue",
        credential__learner_id=old.learner_id,
        credential__microcredential_id=old.microcredential_id,
        at__gt=since,
    ).count()
    if done >= config().reissue_limit:
        raise InvalidInput(
            "reissue",
            _("this credential was re-issued %(count)d times recently; please try again later") % {"count": done},
        )


def forget_recipient(learner_id: str) -> int:
    """Erase a retired learner's e-mail, name, DID and the stored signed copies (which carry the
    hashed e-mail, and the name with INCLUDE_NAME) from their credentials; returns how many.

    The rows, their status-list allocations and the claim stay: staff can still revoke, verifiers
    still read the bit, and the learner id cannot be issued the same credential a second time.
    """
    return IssuedCredential.objects.filter(learner_id=learner_id, retired_at__isnull=True).update(
        recipient_email="", recipient_name="", subject_did="", document={}, jwt="", retired_at=timezone.now()
    )
