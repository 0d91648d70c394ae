"""Signing and storing credentials exactly once; status-list changes (docs/decisions/0005, 0019).

An issuance signs first and then inserts one row: the credential with its signed documents, marked
``current`` (unique per learner and micro-credential: the learner's one credential for it) and
holding its status-list index (unique per list; drawn without a query from ``status_lists.SLOTS``),
docs/decisions/0020. A rival for the same learner or index fails that insert with IntegrityError and
nothing of it remains: the loser returns the winner's credential, or draws another index and signs
again. The insert is a savepoint when the caller holds a transaction: a submission's, which commits
the credential with the evidence that earned it (docs/decisions/0021).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from badge_issuer.definition import Definition, parse_definition
from badge_issuer.issue import issue_credential
from badge_issuer.issuer_keys import IssuerKeys
from badge_issuer.model import Recipient, expiry

from .config import absolute_url, config, issuer_keys
from .embedding import embeddable
from .errors import InvalidInput, NotFound
from .models import AuditEvent, IssuedCredential, IssuerProfile, MicroCredentialDefinition
from .status_lists import SLOTS, Slot, list_purposes, set_status_bit

_ATTEMPTS = 5
#: A staff reason is shown on the public verification page: a sentence or two, not a document.
MAX_REASON = 1000
#: Control characters other than line breaks and tabs (PostgreSQL refuses NUL in text outright).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def issue_once(
    registered: MicroCredentialDefinition, award: Award, *, unclaimed: bool = False
) -> IssuedCredential | None:
    """The learner's current credential for this micro-credential, issuing it if there is none
    (None if the before-issue hook vetoed it). ``unclaimed``: the caller has just seen no current credential."""
    microcredential_id = registered.microcredential_id
    existing = None if unclaimed else claimed(award.learner_id, microcredential_id)
    if existing is not None:
        return existing
    if config().before_issue:  # the platform's MicroCredentialIssuanceRequested filter (issue 5)
        award = import_string(config().before_issue)(award, registered.definition)
        if award is None:  # vetoed: the learner stays in progress and may be issued later
            return None
    credential = _store(award, microcredential_id)
    return credential if credential is not None else claimed(award.learner_id, microcredential_id, lock=True)


def claimed(learner_id: str, microcredential_id: str, *, lock: bool = False) -> IssuedCredential | None:
    """The learner's current credential. ``lock``: a locking read, which on MariaDB (REPEATABLE
    READ) also sees rows committed after our snapshot."""
    rows = IssuedCredential.objects.filter(learner_id=learner_id, microcredential_id=microcredential_id, current=True)
    if not lock:
        return rows.first()
    with transaction.atomic():
        return rows.select_for_update().first()


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


#: Parsed definitions by the registered content hash: a snapshot is issued to many learners.
_PARSED: dict[str, Definition] = {}
_PARSED_LIMIT = 64


def _definition(snapshot: dict[str, Any]) -> Definition:
    content_hash = snapshot.get("content_hash") or ""
    parsed = _PARSED.get(content_hash) if content_hash else None
    if parsed is None:
        parsed = parse_definition(snapshot["definition"])
        if content_hash:
            if len(_PARSED) >= _PARSED_LIMIT:
                _PARSED.clear()
            _PARSED[content_hash] = parsed
    return parsed


def _signed(
    award: Award, microcredential_id: str, slot: Slot, replaces: IssuedCredential | None = None
) -> IssuedCredential:
    """The credential row for ``award`` with its signed documents, not yet saved."""
    award = replace(award, name=printable(award.name), email=printable(award.email))
    issued_at = timezone.now().replace(microsecond=0)
    definition = _definition(award.snapshot)
    keys = issuer_keys()
    credential = IssuedCredential(
        learner_id=award.learner_id,
        recipient_email=award.email,
        recipient_name=award.name,
        subject_did=award.subject_did,
        course_key=award.course_key,
        usage_key=award.usage_key,
        microcredential_id=microcredential_id,
        definition_snapshot=award.snapshot,
        score_percent=award.score_percent,
        issued_at=issued_at,
        replaces=replaces,
        valid_until=expiry(issued_at, definition.valid_for_days),
        status_list=slot.status_list,
        status_index=slot.index,
    )
    signed = issue_credential(
        definition,
        Recipient(award.email, award.subject_did or None, award.name or None),
        keys,
        formats=config().formats,
        credential_id=absolute_url("credential", credential.uuid),
        issued_at=issued_at,
        score=award.score_percent if definition.pass_mark is not None else None,
        status_entries=[slot.entry],
        include_name=config().include_name and bool(award.name),
        endorsements=embeddable(definition.id, keys.issuer_id),
    )
    credential.document, credential.jwt = signed.document, signed.jwt or ""
    return credential


def _store(
    award: Award, microcredential_id: str, *, replaces: IssuedCredential | None = None
) -> IssuedCredential | None:
    """Sign, then insert the credential as the current one with its status-list index (when it ``replaces``
    one, the caller holds that one's lock and has already made it not current). A status-index collision
    draws again; None when a rival's credential is current (the caller reads theirs)."""
    for _attempt in range(_ATTEMPTS):
        slot = SLOTS.draw(config().status_purpose)
        credential = _signed(award, microcredential_id, slot, replaces)
        try:
            with transaction.atomic():
                credential.save(force_insert=True)
                SLOTS.taken(slot)
                return credential
        except IntegrityError:
            pass  # a rival is current or holds the index: a fresh, locking read tells which
        if replaces is None and claimed(award.learner_id, microcredential_id, lock=True) is not None:
            return None
        SLOTS.collided(slot)
    raise IntegrityError(f"could not store {microcredential_id} for learner {award.learner_id}")


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
    with transaction.atomic():
        old = _locked(credential_uuid)
        if not old.current:  # already replaced (e.g. two staff re-issued at once): one successor only
            raise InvalidInput("state", _("this credential was already replaced by a re-issued one"))
        if old.retired_at is not None:
            raise InvalidInput("state", _("the learner's account was closed: their credential cannot be re-issued"))
        _check_reissue_budget(old)  # under the old row's lock: rivals for the same budget queue here
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
        old.current = None  # first: the unique key admits one current credential at every statement
        old.save(update_fields=["current"])
        new = _store(award, old.microcredential_id, replaces=old)
        if old.state != IssuedCredential.REVOKED:
            _apply(old, "revoke", reason)
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

    The rows stay, with their status-list indexes and the current mark: staff can still revoke,
    verifiers still read the bit, and the learner id cannot be issued the same credential a second time.
    """
    return IssuedCredential.objects.filter(learner_id=learner_id, retired_at__isnull=True).update(
        recipient_email="", recipient_name="", subject_did="", document={}, jwt="", retired_at=timezone.now()
    )
