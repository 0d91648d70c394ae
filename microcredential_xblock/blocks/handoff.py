"""The outcome assessment's hand-off to the service app: attempts, evidence, outcome texts (ADR 0010).

Functions of the block, so the XBlock keeps to fields, views and handlers. An attempt is claimed in
the database before scoring and given back when the evidence cannot be stored. Without the service
app (no database) the block's own ``attempts`` field stands in, which parallel requests can exceed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .. import compat
from .common import SERVICE_APP, ApiError, service_api
from .scoring import ScoreResult

__all__ = [
    "claim_attempt",
    "misconfigured",
    "outcome_texts",
    "record_evidence",
    "reset_attempts",
    "service_api",
    "used_attempts",
]

log = logging.getLogger(__name__)


def misconfigured(block: Any) -> ApiError:
    return ApiError(409, block.gettext("This assessment is not set up correctly. Please tell the course team."))


def _used_up(block: Any) -> ApiError:
    return ApiError(409, block.gettext("You have used all your attempts for this assessment."))


def _unsaved(block: Any) -> ApiError:
    return ApiError(
        503,
        block.gettext("Your answers could not be saved right now. Please try again; this did not use an attempt."),
    )


def _learner(api: Any, block: Any) -> Any:
    return api.Learner(*compat.current_user(block))


def _usage_key(block: Any) -> str:
    return compat.course_and_usage_keys(block)[1]


def _from_service(block: Any, default: Any, ask: Callable[[Any], Any]) -> Any:
    """``ask(api)`` for what a view shows; ``default`` without the service app or while it fails."""
    api = service_api()
    if api is None:
        return default
    try:
        return ask(api)
    except Exception:  # a page must render while the database is away; a submission will tell
        log.exception("The microvet service failed for %s", block.scope_ids.usage_id)
        return default


def used_attempts(block: Any) -> int:
    """The service's count (the one that limits), or the block's own where the service is missing."""
    return _from_service(block, block.attempts, lambda api: api.attempts_used(_learner(api, block), _usage_key(block)))


def outcome_texts(block: Any) -> dict[str, str]:
    """Outcome id -> text from the course's micro-credentials: learners read texts, not ids."""
    return _from_service(block, {}, lambda api: api.course_outcomes(compat.course_and_usage_keys(block)[0]))


def claim_attempt(block: Any, api: Any) -> int:
    """The number of this attempt, claimed atomically in the database; 409 when none is left."""
    if api is None:
        if block.max_attempts and block.attempts >= block.max_attempts:
            raise _used_up(block)
        return block.attempts + 1
    try:
        attempt = api.claim_attempt(
            _learner(api, block), _usage_key(block), block.max_attempts, used_before=block.attempts
        )
    except api.InvalidInput as err:  # e.g. a usage key the service cannot store: nothing was claimed
        log.error("Claiming an attempt of %s refused by the service: %s", block.scope_ids.usage_id, err)
        raise misconfigured(block) from None
    except Exception:  # storage failure: nothing was claimed
        log.exception("Claiming an attempt failed for %s", block.scope_ids.usage_id)
        raise _unsaved(block) from None
    if attempt is None:
        raise _used_up(block)
    return attempt


def record_evidence(block: Any, result: ScoreResult, api: Any, *, claimed: bool = False) -> str | None:
    """Hand per-outcome evidence to the service before anything is counted (docs/upper-floor.md).

    Returns a notice for the learner when the evidence is stored but the credential could not be
    issued now; on any other failure a ``claimed`` attempt is given back before the 409/503.
    """
    if api is None:
        log.warning(
            "%s is not installed: outcome evidence of %s is not recorded", SERVICE_APP, block.scope_ids.usage_id
        )
        return None
    course_key, usage_key = compat.course_and_usage_keys(block)
    learner = _learner(api, block)
    outcome_scores = {o.id: api.OutcomeScore(o.fraction, o.validated) for o in result.outcomes}
    try:
        # The assessment's own points, not the weighted grade: a gradebook weight (possibly 0) says
        # nothing about mastery, and the rules' min_score compares performance across assessments.
        progress = api.record_assessment(learner, course_key, usage_key, outcome_scores, result.earned, result.possible)
    except api.InvalidInput as err:
        log.error("Outcome evidence of %s refused by the service: %s", block.scope_ids.usage_id, err)
        _give_back(block, api, learner, claimed)
        raise misconfigured(block) from None
    except Exception:  # storage failure: nothing was counted, the learner may retry
        log.exception("Recording outcome evidence failed for %s", block.scope_ids.usage_id)
        _give_back(block, api, learner, claimed)
        raise _unsaved(block) from None
    if any(getattr(p, "issue_failed", False) for p in progress or ()):
        # The service kept the evidence and retries issuing (service.api.evaluate): say so, not "not saved".
        log.warning("Evidence of %s is stored, but issuing the credential failed", block.scope_ids.usage_id)
        return block.gettext(
            "Your answers were saved and count towards the micro-credential. Your credential could not be "
            "issued just now; it will be issued once the problem is fixed, without another submission."
        )
    return None


def _give_back(block: Any, api: Any, learner: Any, claimed: bool) -> None:
    if not claimed:
        return
    try:
        api.release_attempt(learner, _usage_key(block))
    except Exception:  # the database is away: the attempt stays used, which never exceeds the limit
        log.exception("Releasing an attempt failed for %s", block.scope_ids.usage_id)


def reset_attempts(block: Any, anonymous_id: str) -> None:
    """Staff deleted the learner's state: their attempts start again (the platform clears the fields)."""
    api = service_api()
    learner_id = compat.user_id_for_anonymous_id(anonymous_id)
    if api is not None and learner_id is not None:
        api.reset_attempts(learner_id, _usage_key(block))
