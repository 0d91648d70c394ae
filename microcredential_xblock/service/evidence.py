"""Per-outcome evidence across the blocks of a course, and the rule facts built from it (ADR 0004).

Writes are race-free without lock upgrades: missing rows are inserted first in their own short
statement (``INSERT ... IGNORE`` / ``ON CONFLICT DO NOTHING``), then updated under
``SELECT ... FOR UPDATE`` in a fixed order, so concurrent submissions queue instead of deadlocking.
A submission's evaluation (and the credential it earns) runs in that same transaction (ADR 0021).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from badge_issuer.rules import Facts

from .models import AssessmentResult, AttemptCounter, CoursePassing, OutcomeEvidence, WalletOffer


@dataclass(frozen=True)
class OutcomeScore:
    """One outcome's share of the marks in one submission, and whether it met the block's threshold."""

    fraction: float
    validated: bool


@contextmanager
def stored(
    learner_id: str,
    course_key: str,
    usage_key: str,
    outcome_scores: Mapping[str, OutcomeScore],
    *,
    score: float,
    max_score: float,
) -> Iterator[None]:
    """Keep the best score and the best per-outcome evidence (validated never goes back to False); the body
    of the ``with`` runs in the transaction that updates it, so what it writes (the credential the new
    evidence earns) commits with the evidence, in one commit (ADR 0021)."""
    outcome_ids = sorted(outcome_scores)
    AssessmentResult.objects.bulk_create(
        [AssessmentResult(learner_id=learner_id, course_key=course_key, usage_key=usage_key)], ignore_conflicts=True
    )
    OutcomeEvidence.objects.bulk_create(
        [
            OutcomeEvidence(
                learner_id=learner_id, course_key=course_key, assessment_usage_key=usage_key, outcome_id=outcome_id
            )
            for outcome_id in outcome_ids
        ],
        ignore_conflicts=True,
    )
    with transaction.atomic():
        # Every result of the learner, in one order: their submissions to other assessments wait here for
        # this commit, then evaluate with this evidence (each sees what the other stored). By learner only,
        # so that the database locks through the learner's index, never a whole course's rows.
        locked = AssessmentResult.objects.select_for_update().filter(learner_id=learner_id).order_by("usage_key")
        result = {r.usage_key: r for r in locked}.get(usage_key)
        if result is None:  # deleted since the insert above (the learner's account was retired meanwhile)
            raise AssessmentResult.DoesNotExist(usage_key)
        if result.attempts == 0 or score / max_score > _fraction(result):
            result.best_score, result.max_score = score, max_score
        result.attempts += 1
        result.save()
        rows = (
            OutcomeEvidence.objects.select_for_update()
            .filter(learner_id=learner_id, assessment_usage_key=usage_key, outcome_id__in=outcome_ids)
            .order_by("outcome_id")
        )
        for row in rows:
            new = outcome_scores[row.outcome_id]
            row.best_fraction = max(row.best_fraction, new.fraction)
            row.validated = row.validated or new.validated
            row.attempts += 1
            row.save()
        yield


def _fraction(result: AssessmentResult) -> float:
    return result.best_score / result.max_score if result.max_score else 0.0


def forget(learner_id: str) -> None:
    """Delete everything recorded about a retired learner's work (the platform retired the user)."""
    OutcomeEvidence.objects.filter(learner_id=learner_id).delete()
    AssessmentResult.objects.filter(learner_id=learner_id).delete()
    CoursePassing.objects.filter(learner_id=learner_id).delete()
    WalletOffer.objects.filter(learner_id=learner_id).delete()
    AttemptCounter.objects.filter(learner_id=learner_id).delete()


def set_course_passed(learner_id: str, course_key: str, passed: bool) -> None:
    CoursePassing.objects.update_or_create(learner_id=learner_id, course_key=course_key, defaults={"passed": passed})


@dataclass(frozen=True)
class Standing:
    """A learner's evidence for one definition: the facts for the rules, and who validated what."""

    facts: Facts
    validated_by: dict[str, tuple[str, ...]]


def standing(learner_id: str, course_key: str, outcome_ids: frozenset[str]) -> Standing:
    """Facts for the rules of one definition.

    The overall score is total best points over total points of the assessments that carry evidence
    for one of this definition's outcomes (assessments for other micro-credentials don't count).
    """
    evidence = OutcomeEvidence.objects.filter(learner_id=learner_id, course_key=course_key, outcome_id__in=outcome_ids)
    validated_by: dict[str, list[str]] = {}
    relevant: set[str] = set()
    for row in evidence:
        relevant.add(row.assessment_usage_key)
        if row.validated:
            validated_by.setdefault(row.outcome_id, []).append(row.assessment_usage_key)
    results = list(AssessmentResult.objects.filter(learner_id=learner_id, course_key=course_key, attempts__gt=0))
    counted = [r for r in results if r.usage_key in relevant]
    total = sum(r.max_score for r in counted)
    completed = {r.usage_key for r in results} | {block_name(r.usage_key) for r in results}
    facts = Facts(
        validated_outcomes=frozenset(validated_by),
        all_outcomes=outcome_ids,
        score_percent=100.0 * sum(r.best_score for r in counted) / total if total else None,
        completed_assessments=frozenset(completed),
        now=timezone.now(),
        course_passed=CoursePassing.objects.filter(learner_id=learner_id, course_key=course_key, passed=True).exists(),
    )
    return Standing(facts, {k: tuple(sorted(v)) for k, v in validated_by.items()})


def block_name(usage_key: str) -> str:
    """The block's own name in a usage key (``...+block@quiz1`` -> ``quiz1``), for rules that name it."""
    return usage_key.rsplit("@", 1)[-1]
