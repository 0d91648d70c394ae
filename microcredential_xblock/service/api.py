"""What the XBlocks (and the platform event handlers) call. Nothing else in the service is public.

As OEP-49 has it for a Django app's ``api.py``, this is the app's public Python API: the evaluation of
learners and the registry live here, the attempt and staff-action functions in ``attempts`` and
``credential_actions``, whose public names this module is the one place to import from.

Arguments are checked here: a wrong type or an unknown id raises ``InvalidInput`` (a
``DefinitionError`` and a ``ValueError`` naming the argument), an unknown credential or definition
raises ``NotFound`` (a ``LookupError``); handlers turn both into 4xx JSON.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from badge_issuer.definition import parse_definition
from badge_issuer.errors import DefinitionError
from badge_issuer.keystore import ISSUER_FILE
from badge_issuer.rules import evaluate as evaluate_rules
from badge_issuer.rules import explain, validate_rules

from . import evidence, inputs, issuance, lifecycle
from .attempts import attempts_used, claim_attempt, release_attempt, reset_attempts
from .config import config
from .credential_actions import endorsements_shown, get_credential, public_urls, reinstate, reissue, revoke, suspend
from .errors import InvalidInput, NotFound
from .evidence import OutcomeScore
from .lifecycle import COURSE_PASSING, PUBLISHED, REASONS, RETRY, SUBMISSION
from .models import IssuedCredential, IssuerProfile, MicroCredentialDefinition
from .progress import EARNED, EXPIRED, IN_PROGRESS, ISSUING, REVOKED, SUSPENDED, Learner, OutcomeProgress, Progress

__all__ = [
    "COURSE_PASSING",
    "EARNED",
    "EXPIRED",
    "IN_PROGRESS",
    "ISSUING",
    "PUBLISHED",
    "REASONS",
    "RETRY",
    "REVOKED",
    "SUBMISSION",
    "SUSPENDED",
    "InvalidInput",
    "Learner",
    "NotFound",
    "OutcomeProgress",
    "OutcomeScore",
    "Progress",
    "attempts_used",
    "card_progress",
    "claim_attempt",
    "course_outcomes",
    "endorsements_shown",
    "evaluate",
    "evaluate_learner",
    "get_credential",
    "issuer_summary",
    "learner_progress",
    "preview_rules",
    "public_urls",
    "publish",
    "record_assessment",
    "record_course_passing",
    "register_definition",
    "reinstate",
    "reissue",
    "release_attempt",
    "reset_attempts",
    "revoke",
    "suspend",
    "unknown_outcomes",
]

log = logging.getLogger(__name__)


def _definitions(course_key: str) -> list[MicroCredentialDefinition]:
    return list(MicroCredentialDefinition.objects.filter(course_key=course_key).order_by("pk"))


def _registered(course_key: Any, usage_key: Any) -> MicroCredentialDefinition:
    row = MicroCredentialDefinition.objects.filter(
        course_key=inputs.key(course_key, "course_key"), usage_key=inputs.key(usage_key, "usage_key")
    ).first()
    if row is None:
        raise NotFound(_("No micro-credential is registered for this block."))
    return row


# ------------------------------------------------------------------------------------------ registry


def register_definition(
    course_key: Any, usage_key: Any, definition: Mapping[str, Any], rules: Mapping[str, Any]
) -> MicroCredentialDefinition:
    """Store or update the published definition of one micro-credential block; a no-op if nothing changed.

    Only publishing calls this (``publish``); an existing row is what learners are evaluated against.
    """
    course_key, usage_key = inputs.key(course_key, "course_key"), inputs.key(usage_key, "usage_key")
    normalised = parse_definition(definition).to_dict()
    validate_rules(rules)
    content_hash = hashlib.sha256(json.dumps([course_key, normalised, rules], sort_keys=True).encode()).hexdigest()
    current = MicroCredentialDefinition.objects.filter(usage_key=usage_key).first()
    if current is not None and current.content_hash == content_hash:
        return current
    values = {
        "course_key": course_key,
        "microcredential_id": normalised["id"],
        "definition": normalised,
        "rules": rules,
        "content_hash": content_hash,
    }
    try:
        row, _created = MicroCredentialDefinition.objects.update_or_create(usage_key=usage_key, defaults=values)
    except IntegrityError:  # two publishes registered at once; the other one stored the same content
        row = MicroCredentialDefinition.objects.get(usage_key=usage_key)
    return row


@dataclass(frozen=True)
class Published:
    """What one publish of a course changed in the registry, and who is being re-evaluated."""

    registered: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    #: usage key -> why its published version was not registered (the previous one stays issuable)
    refused: dict[str, str]
    learners: int
    background: bool


def publish(
    course_key: Any,
    blocks: Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any]]],
    *,
    may_sign: bool,
    complete: bool = True,
) -> Published:
    """An author published the course: ``blocks`` maps each *published* micro-credential block's usage key
    to its ``(definition, rules)``. The one way a definition becomes issuable (docs/decisions/0009).

    A block whose published definition is invalid keeps its last valid registration; with ``complete``
    (``blocks`` is every published block of the course) a block no longer published stops being issuable
    (credentials already issued are snapshots and never change). Then the course's learners are
    re-evaluated against the new rules: where ``may_sign`` is false (Studio, which has no private keys)
    or the course is large, only in the background. Returns what changed.
    """
    course_key = inputs.key(course_key, "course_key")
    if not isinstance(blocks, Mapping):
        raise InvalidInput("blocks", _("must map usage keys to (definition, rules)"))
    before = {row.usage_key: row.content_hash for row in _definitions(course_key)}
    registered, unchanged, refused = [], [], {}
    for usage_key, pair in blocks.items():
        try:
            definition, rules = pair
            row = register_definition(course_key, usage_key, definition, rules)
        except (TypeError, ValueError, DefinitionError) as exc:  # InvalidInput is both
            refused[str(usage_key)] = str(exc)
            continue
        (unchanged if before.get(row.usage_key) == row.content_hash else registered).append(row.usage_key)
    removed = sorted(set(before) - set(blocks)) if complete else []
    MicroCredentialDefinition.objects.filter(course_key=course_key, usage_key__in=removed).delete()
    if refused:
        log.warning("microvet: published definitions of %s not registered: %s", course_key, refused)
    learners, background = (0, False)
    if registered:
        learners, background = lifecycle.reevaluate_course(course_key, may_sign=may_sign, evaluate=evaluate)
    return Published(tuple(registered), tuple(unchanged), tuple(removed), refused, learners, background)


# ------------------------------------------------------------------------------------------ learners


def record_assessment(  # noqa: PLR0917  (the signature docs/upper-floor.md gives the blocks)
    learner: Learner,
    course_key: Any,
    usage_key: Any,
    outcome_scores: Mapping[str, OutcomeScore],
    score: float,
    max_score: float,
) -> tuple[Progress, ...]:
    """Store a graded submission and ``evaluate`` it (which only enqueues with ISSUE_IN_BACKGROUND) in one
    transaction: a credential it earns commits with the evidence, in one commit (ADR 0021).

    A signing failure keeps the evidence: it shows as ``ISSUING`` with ``issue_failed``, and the card's next
    view or a worker's retry issues. A database failure undoes the whole submission, and raises.
    """
    learner = inputs.learner(learner)
    course_key, usage_key = inputs.key(course_key, "course_key"), inputs.key(usage_key, "usage_key")
    scores = inputs.outcome_scores(outcome_scores)
    score, max_score = inputs.number(score, "score"), inputs.number(max_score, "max_score")
    if max_score == 0 or score > max_score:
        raise InvalidInput("max_score", _("must be positive and at least the score"))
    with evidence.stored(learner.user_id, course_key, usage_key, scores, score=score, max_score=max_score):
        return evaluate(learner, course_key, SUBMISSION)


def record_course_passing(learner: Learner, course_key: Any, passed: bool) -> tuple[Progress, ...]:
    """The platform's COURSE_PASSING_STATUS_UPDATED event (issue 5); retried events are harmless.

    Its callers (platform/tasks.py) already run where signing belongs (a worker, or in process when
    background issuance is off), so the evaluation happens here and failures raise for their retry.
    """
    learner, course_key = inputs.learner(learner), inputs.key(course_key, "course_key")
    if not isinstance(passed, bool):
        raise InvalidInput("passed", _("must be true or false"))
    evidence.set_course_passed(learner.user_id, course_key, passed)
    return evaluate(learner, course_key, COURSE_PASSING, worker=True)


def evaluate(
    learner: Learner, course_key: Any, reason: str, *, background: bool | None = None, worker: bool = False
) -> tuple[Progress, ...]:
    """The one entry point of the lifecycle: evaluate every published micro-credential of the course for
    the learner from stored evidence, and issue where the rules hold (docs/decisions/0009).

    Called for submissions, the course-passing event, publishing and retries (``reason``, one of ``REASONS``).
    ``background`` (default: ``ISSUE_IN_BACKGROUND``): only enqueue the signing for a worker; nothing is
    signed in this process. ``worker``: called by that worker, so sign here and let failures raise for
    its retry. Otherwise (a web request signing in process) a failure is logged and reported as
    ``issue_failed``: the evidence is safe, and the next view of the card or a retry issues.
    """
    learner, course_key = inputs.learner(learner), inputs.key(course_key, "course_key")
    if reason not in REASONS:
        raise InvalidInput("reason", _("must be one of %(reasons)s") % {"reasons": ", ".join(REASONS)})
    rows = _definitions(course_key)
    if worker:
        return tuple(_evaluate_one(learner, row, sign=True) for row in rows)
    if config().issue_in_background if background is None else background:
        progress = tuple(_evaluate_one(learner, row, sign=False) for row in rows)
        if any(p.state == ISSUING for p in progress):
            lifecycle.enqueue(learner.user_id, course_key, reason)
        return progress
    progress = []
    for row in rows:
        try:
            progress.append(_evaluate_one(learner, row, sign=True))
        except (InvalidInput, NotFound):
            raise
        except Exception:  # the evidence is stored: never lose it to a signing fault
            log.exception("microvet: issuing %s to learner %s failed (%s)", row.usage_key, learner.user_id, reason)
            lifecycle.retry_later(learner.user_id, course_key)
            progress.append(dataclasses.replace(_evaluate_one(learner, row, sign=False), issue_failed=True))
    return tuple(progress)


def evaluate_learner(learner: Learner, course_key: Any) -> tuple[Progress, ...]:
    """Re-evaluate every micro-credential of the course for a learner, here (bulk issuance, workers)."""
    return evaluate(learner, course_key, RETRY, worker=True)


def _evaluate_one(learner: Learner, row: MicroCredentialDefinition, *, sign: bool) -> Progress:
    standing = _standing(learner.user_id, row)
    credential = issuance.claimed(learner.user_id, row.microcredential_id)
    if credential is None and sign and evaluate_rules(row.rules, standing.facts):
        credential = issuance.issue_once(row, _award(learner, row, standing), unclaimed=True)
        if credential is None:  # vetoed by the BEFORE_ISSUE hook: not being issued, may be later
            return dataclasses.replace(_progress(row, standing, None), state=IN_PROGRESS)
    return _progress(row, standing, credential)


def _standing(learner_id: str, row: MicroCredentialDefinition) -> evidence.Standing:
    outcome_ids = frozenset(lo["id"] for lo in row.definition["learning_outcomes"])
    return evidence.standing(learner_id, row.course_key, outcome_ids)


def _award(learner: Learner, row: MicroCredentialDefinition, standing: evidence.Standing) -> issuance.Award:
    return issuance.Award(
        learner_id=learner.user_id,
        email=learner.email,
        name=learner.name,
        subject_did="",
        course_key=row.course_key,
        usage_key=row.usage_key,
        snapshot={"definition": row.definition, "rules": row.rules, "content_hash": row.content_hash},
        score_percent=None if standing.facts.score_percent is None else round(standing.facts.score_percent, 2),
    )


def _progress(
    row: MicroCredentialDefinition, standing: evidence.Standing, credential: IssuedCredential | None
) -> Progress:
    outcomes = tuple(
        OutcomeProgress(
            lo["id"], lo["text"], lo["id"] in standing.validated_by, standing.validated_by.get(lo["id"], ())
        )
        for lo in row.definition["learning_outcomes"]
    )
    state = _state(credential) if credential is not None or not evaluate_rules(row.rules, standing.facts) else ISSUING
    return Progress(
        row.usage_key,
        row.microcredential_id,
        row.definition["title"],
        state,
        outcomes,
        credential,
        definition=row.definition,
    )


def _state(credential: IssuedCredential | None) -> str:
    if credential is None:
        return IN_PROGRESS
    if credential.state == IssuedCredential.REVOKED:
        return REVOKED
    if credential.state == IssuedCredential.SUSPENDED:
        return SUSPENDED
    if credential.valid_until is not None and credential.valid_until < timezone.now():
        return EXPIRED
    return EARNED


def learner_progress(learner: Learner, course_key: Any, usage_key: Any) -> Progress:
    """Outcomes, state and credential of one learner for the micro-credential block at ``usage_key``."""
    learner = inputs.learner(learner)
    row = _registered(course_key, usage_key)
    return _progress(row, _standing(learner.user_id, row), issuance.claimed(learner.user_id, row.microcredential_id))


def card_progress(learner: Learner, course_key: Any, usage_key: Any) -> Progress:
    """``learner_progress`` for the credential card. A credential that is due but missing (a signing fault
    since fixed, a lost task) gets one retry through ``evaluate``, at most every RETRY_SECONDS; the
    card never registers or changes a definition."""
    progress = learner_progress(learner, course_key, usage_key)
    if progress.state != ISSUING or not lifecycle.may_retry(learner.user_id, str(course_key)):
        return progress
    for retried in evaluate(learner, course_key, RETRY):
        if retried.usage_key == progress.usage_key:
            return retried
    return progress


def unknown_outcomes(course_key: Any, outcome_ids: Any) -> list[str]:
    """The ids among ``outcome_ids`` that no published micro-credential of the course has (sorted), for an
    assessment's Studio banner after an author renamed or removed an outcome; empty while none is published."""
    rows = _definitions(inputs.key(course_key, "course_key"))
    if not rows:
        return []
    known = {lo["id"] for row in rows for lo in row.definition["learning_outcomes"]}
    return sorted({str(i) for i in outcome_ids} - known)


def issuer_summary() -> dict[str, str] | None:
    """The public issuer profile for Studio (name, url), or None if none is set up. Reads only public
    data (the admin's IssuerProfile row, else the key set's public ``issuer.json``): Studio has no keys."""
    row = IssuerProfile.objects.filter(keys_name=config().issuer).first()
    if row is not None and row.name:
        return {"name": row.name, "url": row.url}
    directory = config().issuer_dir
    if directory is None:  # no keys in this process (Studio)
        return None
    try:
        profile = json.loads((directory / ISSUER_FILE).read_text(encoding="utf-8"))["profile"]
        return {"name": str(profile["name"]), "url": str(profile.get("url", ""))}
    except (TypeError, OSError, ValueError, KeyError):  # no readable issuer.json
        return None


def preview_rules(course_key: Any, usage_key: Any, learner_id: str) -> dict[str, Any]:
    """For staff: which parts of the rule set hold for this learner and which do not (translated)."""
    if not isinstance(learner_id, str) or not learner_id:
        raise InvalidInput("learner_id", _("must be a non-empty string"))
    row = _registered(course_key, usage_key)
    standing = _standing(learner_id, row)
    tree = _translate(explain(row.rules, standing.facts))
    return {
        "holds": tree["holds"],
        "tree": tree,
        "validated_outcomes": sorted(standing.facts.validated_outcomes),
        "score_percent": standing.facts.score_percent,
    }


def _translate(node: dict[str, Any]) -> dict[str, Any]:
    node = dict(node, detail=_(node["msgid"]) % node["params"])
    if "children" in node:
        node["children"] = [_translate(child) for child in node["children"]]
    return node


def course_outcomes(course_key: Any) -> dict[str, str]:
    """Learning outcome id -> text, over the course's registered micro-credentials (the first one wins)."""
    texts: dict[str, str] = {}
    for row in _definitions(inputs.key(course_key, "course_key")):
        for outcome in row.definition["learning_outcomes"]:
            texts.setdefault(outcome["id"], outcome["text"])
    return texts
