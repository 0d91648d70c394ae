"""Reach of a provider and of the alliance, counted from stored data in a fixed number of queries.

Per course and micro-credential: learners enrolled, outcomes validated (per outcome, with the share
of learners with evidence who validated it), credentials issued, revoked and shared (opened on the
public verification page), endorsements. No loop runs per learner: every figure is one aggregate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from microcredential_xblock.compat import enrolled_learners

from .alliance_models import AllianceMember, Endorsement
from .models import AssessmentResult, CoursePassing, IssuedCredential, MicroCredentialDefinition, OutcomeEvidence

#: "Active" learners submitted an assessment within this window.
ACTIVE_WINDOW = timedelta(days=30)


@dataclass
class OutcomeFigures:
    outcome_id: str
    text: str
    learners: int = 0
    validated: int = 0

    @property
    def pass_rate(self) -> float | None:
        """Validated / learners with evidence for this outcome, in percent (None without evidence)."""
        return round(100 * self.validated / self.learners, 1) if self.learners else None


@dataclass
class MicroCredentialFigures:
    course_key: str
    microcredential_id: str
    title: str
    outcomes: list[OutcomeFigures] = field(default_factory=list)
    issued: int = 0
    revoked: int = 0
    shared: int = 0
    page_views: int = 0
    endorsements: int = 0


@dataclass
class CourseFigures:
    course_key: str
    #: From the platform's enrollments; None where there are none (workbench): then see learners_with_evidence.
    enrolled: int | None
    learners_with_evidence: int
    microcredentials: list[MicroCredentialFigures]


def course_figures(course_keys: Iterable[str]) -> list[CourseFigures]:
    """Figures for each course (seven aggregate queries, whatever the number of learners)."""
    keys = list(dict.fromkeys(course_keys))
    rows = list(MicroCredentialDefinition.objects.filter(course_key__in=keys).order_by("course_key", "pk"))
    ids = [row.microcredential_id for row in rows]
    credentials = {
        r["microcredential_id"]: r
        for r in IssuedCredential.objects.filter(course_key__in=keys, microcredential_id__in=ids)
        .values("microcredential_id")
        .annotate(
            issued=Count("pk", filter=Q(current=True)),
            revoked=Count("pk", filter=Q(state=IssuedCredential.REVOKED)),
            shared=Count("pk", filter=Q(views__count__gt=0)),
            page_views=Sum("views__count"),
        )
    }
    endorsed = dict(
        Endorsement.objects.filter(subject_id__in=ids, state=Endorsement.ACCEPTED)
        .values_list("subject_id")
        .annotate(n=Count("pk"))
    )
    per_outcome: dict[tuple[str, str], dict[str, int]] = {
        (r["course_key"], r["outcome_id"]): r
        for r in OutcomeEvidence.objects.filter(course_key__in=keys)
        .values("course_key", "outcome_id")
        .annotate(
            learners=Count("learner_id", distinct=True),
            validated=Count("learner_id", filter=Q(validated=True), distinct=True),
        )
    }
    with_evidence = _learners_with_evidence(keys)
    enrolled = enrolled_learners(keys)
    by_course: dict[str, list[MicroCredentialFigures]] = defaultdict(list)
    for row in rows:
        figures = credentials.get(row.microcredential_id, {})
        outcomes = []
        for outcome in row.definition.get("learning_outcomes", []):
            counts = per_outcome.get((row.course_key, outcome["id"]), {})
            outcomes.append(
                OutcomeFigures(outcome["id"], outcome["text"], counts.get("learners", 0), counts.get("validated", 0))
            )
        by_course[row.course_key].append(
            MicroCredentialFigures(
                course_key=row.course_key,
                microcredential_id=row.microcredential_id,
                title=row.definition["title"],
                outcomes=outcomes,
                issued=figures.get("issued", 0),
                revoked=figures.get("revoked", 0),
                shared=figures.get("shared", 0),
                page_views=figures.get("page_views") or 0,
                endorsements=endorsed.get(row.microcredential_id, 0),
            )
        )
    return [CourseFigures(key, enrolled.get(key), with_evidence.get(key, 0), by_course.get(key, [])) for key in keys]


def _learners_with_evidence(keys: list[str]) -> dict[str, int]:
    """Distinct learners per course with an assessment result or a passing verdict (one query).

    Raw SQL because the ORM cannot group a UNION; the statement is plain SQL all three engines run.
    """
    if not keys:
        return {}
    results, passing = AssessmentResult._meta.db_table, CoursePassing._meta.db_table
    marks = ", ".join(["%s"] * len(keys))
    # Table names come from _meta and the values are parameters: nothing here is user text.
    sql = (
        "SELECT course_key, COUNT(*) FROM (SELECT course_key, learner_id FROM "  # noqa: S608
        f"{results} WHERE course_key IN ({marks})"
        f" UNION SELECT course_key, learner_id FROM {passing} WHERE course_key IN ({marks})) evidence"
        " GROUP BY course_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*keys, *keys])
        return dict(cursor.fetchall())


def alliance_figures() -> dict[str, int]:
    """The alliance's reach: members, endorsements, active learners, credentials (four queries)."""
    since = timezone.now() - ACTIVE_WINDOW
    credentials = IssuedCredential.objects.aggregate(
        issued=Count("pk", filter=Q(current=True)),
        revoked=Count("pk", filter=Q(state=IssuedCredential.REVOKED)),
        shared=Count("pk", filter=Q(views__count__gt=0)),
    )
    return {
        "members": AllianceMember.objects.filter(listed=True).count(),
        "endorsements": Endorsement.objects.filter(state=Endorsement.ACCEPTED).count(),
        "active_learners": AssessmentResult.objects.filter(updated__gte=since).values("learner_id").distinct().count(),
        **credentials,
    }


CSV_COLUMNS = (
    "course_key",
    "microcredential_id",
    "title",
    "outcome_id",
    "outcome",
    "learners_with_evidence",
    "validated",
    "pass_rate_percent",
    "credentials_issued",
    "credentials_revoked",
    "credentials_shared",
    "verification_page_views",
    "endorsements",
)


def csv_rows(courses: list[CourseFigures]) -> Iterator[list[str]]:
    """One row per outcome of every micro-credential (its credential figures repeated on each)."""
    yield list(CSV_COLUMNS)
    for course in courses:
        for mc in course.microcredentials:
            for outcome in mc.outcomes or [OutcomeFigures("", "")]:
                rate = outcome.pass_rate
                yield [
                    course.course_key,
                    mc.microcredential_id,
                    mc.title,
                    outcome.outcome_id,
                    outcome.text,
                    str(outcome.learners),
                    str(outcome.validated),
                    "" if rate is None else str(rate),
                    str(mc.issued),
                    str(mc.revoked),
                    str(mc.shared),
                    str(mc.page_views),
                    str(mc.endorsements),
                ]
