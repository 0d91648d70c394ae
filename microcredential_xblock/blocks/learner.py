"""The learner's side of the micro-credential block: the card's state and the re-issue to a DID.

Plain functions of the block and the service API (``service.api``, passed in: the block imports it
late, only where the Django app is installed), so the block stays a thin set of XBlock handlers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from badge_issuer.did import valid_did
from badge_issuer.errors import DefinitionError, KeyMaterialError
from microcredential_xblock import compat

Gettext = Callable[[str], str]
log = logging.getLogger(__name__)
#: ``service.api.ISSUING``: the rules hold, the credential is being issued (the card keeps polling).
ISSUING = "issuing"


def card_state(block: Any, api: Any, issuer_keys: Callable[[], Any], _: Gettext) -> dict[str, Any]:
    """What the credential card shows: progress per outcome, the state and the learner's credential.

    Read-only: learners see the last *published* definition (and their credentials, which are
    snapshots); a draft is never registered from here. The one write is the service's throttled
    retry of a credential that is due but missing (``api.card_progress``).
    """
    try:
        progress = api.card_progress(block._learner(), block.course_key, block.usage_key)
    except LookupError:  # service.api.NotFound: never published with a complete definition
        return {
            "status": "unavailable",
            "final": True,
            "message": _("This micro-credential is not ready yet: the course team has not published it."),
        }
    except Exception:  # any failure: the learner gets a message, the log keeps the traceback
        log.exception("microvet: the credential service failed for %s", block.usage_key)
        return {
            "status": "error",
            "final": True,
            "message": _("Your progress cannot be shown right now. Please reload the page later."),
        }
    state = {
        "status": "ok",
        "state": progress.state,
        "final": progress.state != ISSUING,
        "outcomes": [_outcome_view(block, o) for o in progress.outcomes],
        "credential": credential_view(progress.credential, api) if progress.credential else None,
        "definition": getattr(progress, "definition", None),
    }
    if progress.state == ISSUING:
        state["notice"] = (
            _(
                "You have met every requirement. Your credential could not be issued yet because of a "
                "technical problem; it will be issued automatically, there is no need to submit again."
            )
            if getattr(progress, "issue_failed", False)
            else _("You have met every requirement: your credential is being issued.")
        )
    if progress.credential is None:
        try:
            issuer_keys()
        except KeyMaterialError as exc:
            log.warning("microvet: issuer keys are not configured: %s", exc)
            state["final"] = True
            state["notice"] = _(
                "Credentials cannot be issued yet: the issuer keys are not configured. Please tell the course team."
            )
    return state


def credential_view(credential: Any, api: Any) -> dict[str, Any]:
    """The issued credential's public facts and URLs for the card (never the recipient's e-mail)."""
    return {
        "id": str(credential.uuid),
        "issued_on": credential.issued_at.date().isoformat(),
        "expires_on": credential.valid_until.date().isoformat() if credential.valid_until else None,
        "urls": api.public_urls(credential),
        "endorsements": api.endorsements_shown(credential),
    }


def reissue(block: Any, api: Any, data: Any, _: Gettext) -> dict[str, Any]:
    """Re-issue the learner's credential to a DID they control (did:key or did:web)."""
    did = data.get("did", "").strip() if isinstance(data, Mapping) and isinstance(data.get("did"), str) else ""
    if not valid_did(did):
        return {
            "ok": False,
            "field": "did",
            "message": _("Enter a DID such as did:key:z6Mk… or did:web:example.org."),
        }
    try:
        learner = block._learner()
        progress = api.learner_progress(learner, block.course_key, block.usage_key)
        if progress.state != api.EARNED:
            return {"ok": False, "message": _("Only an earned, valid credential can be re-issued.")}
        if getattr(progress.credential, "subject_did", "") == did:  # each re-issue uses a status-list index
            return {"ok": False, "field": "did", "message": _("Your credential already names this DID.")}
        credential = api.reissue(
            progress.credential.uuid,
            actor=f"learner:{learner.user_id}",
            reason="re-issued to the learner's DID at the learner's request",
            subject_did=did,
        )
    except DefinitionError as exc:  # the service's refusals (budget, closed account), in the learner's language
        return {"ok": False, "field": "did", "message": exc.translated(_)}
    except Exception:  # any failure: a message for the learner, the traceback in the log
        log.exception("microvet: re-issue failed for %s", block.usage_key)
        return {"ok": False, "message": _("The credential could not be re-issued. Please try again later.")}
    return {
        "ok": True,
        "message": _("Your credential was re-issued to %(did)s.") % {"did": did},
        "credential": credential_view(credential, api),
    }


def _outcome_view(block: Any, outcome: Any) -> dict[str, Any]:
    return {
        "id": outcome.id,
        "text": outcome.text,
        "validated": outcome.validated,
        "assessments": [_block_name(block, key) for key in outcome.validated_by],
    }


def _block_name(block: Any, usage_key: str) -> str:
    """An assessment's display name (its usage key where the runtime cannot load it)."""
    try:
        found = block.runtime.get_block(compat.usage_key_or_text(usage_key))
    except compat.missing_block_errors():  # a deleted or foreign block still has a key to show
        return usage_key
    return usage_key if found is None else found.display_name  # None: the runtime hides it from the learner
