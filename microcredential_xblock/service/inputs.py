"""The checks of every argument the service's API takes: a wrong one raises InvalidInput naming it."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from badge_issuer.formats import is_email_address
from badge_issuer.problems import Problems
from microcredential_xblock import compat

from .errors import InvalidInput, NotFound
from .evidence import OutcomeScore
from .progress import Learner


def key(value: Any, name: str) -> str:
    value = compat.key_text(value)
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise InvalidInput(name, _("must be a course or usage key (a non-empty string of at most 255 characters)"))
    return value


def learner(learner: Any) -> Learner:
    if not isinstance(learner, Learner):
        raise InvalidInput("learner", _("must be a Learner"))
    problems = Problems()
    if not isinstance(learner.user_id, str) or not learner.user_id or len(learner.user_id) > 64:
        problems.add("learner.user_id", _("must be a non-empty string of at most 64 characters"))
    if not is_email_address(learner.email):
        problems.add("learner.email", _("must be an e-mail address"))
    if not isinstance(learner.name, str):
        problems.add("learner.name", _("must be text"))
    problems.raise_first(InvalidInput)
    return learner


def number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise InvalidInput(name, _("must be a number of at least 0"))
    return float(value)


def outcome_scores(outcome_scores: Any) -> dict[str, OutcomeScore]:
    """Checked scores. Ids no published definition has are kept, not refused: an author may have renamed
    or removed the outcome (Studio's banner tells them); the learner's answers are never lost for it."""
    if not isinstance(outcome_scores, Mapping):
        raise InvalidInput("outcome_scores", _("must map outcome ids to OutcomeScore"))
    for outcome_id, value in outcome_scores.items():
        where = f"outcome_scores[{outcome_id!r}]"
        if not isinstance(outcome_id, str) or not outcome_id or len(outcome_id) > 100:
            raise InvalidInput(where, _("outcome ids are non-empty strings of at most 100 characters"))
        if (
            not isinstance(value, OutcomeScore)
            or not isinstance(value.validated, bool)
            or not 0 <= number(value.fraction, where) <= 1
        ):
            raise InvalidInput(where, _("must be an OutcomeScore with a fraction from 0 to 1"))
    return dict(outcome_scores)


def count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(name, _("must be a whole number of at least 0"))
    return value


def credential_uuid(credential_uuid: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(credential_uuid))
    except ValueError:
        raise NotFound(_("No such credential.")) from None


def staff_reason(actor: Any, reason: Any) -> Problems:
    """The checks of every staff action's actor and reason (raise with ``raise_first``)."""
    problems = Problems()
    if not isinstance(actor, str) or not actor:
        problems.add("actor", _("must name the staff member"))
    if not isinstance(reason, str) or not reason.strip():
        problems.add("reason", _("a reason is required"))
    return problems
