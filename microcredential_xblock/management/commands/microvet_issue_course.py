"""Issue the micro-credentials of a course to every learner who satisfies the rules now.

Typical use: after a rule change, or after the platform was down while grades changed. Learners
with evidence in the course are taken in id order, in chunks; issuing is exactly-once per learner
and micro-credential, so a second run (or a run after an interruption) issues nothing twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microcredential_xblock.platform import staff, tasks
from microcredential_xblock.service import api
from microcredential_xblock.service.models import IssuedCredential, MicroCredentialDefinition

from ..base import MicrovetCommand

log = logging.getLogger(__name__)
CHUNK = 200


class Command(MicrovetCommand):
    help = gettext_lazy("Issue the course's micro-credentials to every learner who satisfies their rules (resumable).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("course_key")
        parser.add_argument("--after", default="", help=_("Start after this learner id (printed on interruption)."))
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        course_key, dry_run = options["course_key"], options["dry_run"]
        rows = list(MicroCredentialDefinition.objects.filter(course_key=course_key).order_by("pk"))
        if not rows:
            raise CommandError(_("No micro-credential is registered for %(course)s.") % {"course": course_key})
        ids = [row.microcredential_id for row in rows]
        counts: Counter = Counter()
        bar = self.progress(options, staff.learner_ids(course_key, options["after"]).count(), _("Learners"))
        cursor = options["after"]
        try:  # keyset pagination by learner id: constant memory, and the cursor is the resume point
            while chunk := [learner_id for (learner_id,) in staff.learner_ids(course_key, cursor)[:CHUNK]]:
                before = _claims(chunk, ids)
                for learner_id in chunk:
                    outcome, due = self._one(learner_id, course_key, rows, before, dry_run)
                    counts.update({"learners": 1, outcome: 1, "issued": due})
                    cursor = learner_id
                    bar.advance()
                if not dry_run:
                    counts["issued"] += len(_claims(chunk, ids) - before)
        except KeyboardInterrupt:
            bar.close()
            raise self.interrupted(f"--after={cursor}") from None
        bar.close()
        labels = {
            "learners": _("learners examined"),
            "issued": _("credentials that would be issued") if dry_run else _("credentials issued"),
            "complete": _("learners who already held every micro-credential of the course"),
            "failed": _("learners whose evaluation failed"),
        }
        self.summary(counts, labels, dry_run)

    @staticmethod
    def _one(learner_id: str, course_key: str, rows: list, before: set, dry_run: bool) -> tuple[str, int]:
        """("complete" | "evaluated" | "failed", credentials due in a dry run) for one learner."""
        missing = [row for row in rows if (learner_id, row.microcredential_id) not in before]
        if not missing:
            return "complete", 0
        try:
            if dry_run:
                return "evaluated", sum(
                    api.preview_rules(course_key, row.usage_key, learner_id)["holds"] for row in missing
                )
            tasks.evaluate_now(learner_id, course_key)
        except Exception:
            log.exception("microvet_issue_course: learner %s in %s failed", learner_id, course_key)
            return "failed", 0
        return "evaluated", 0


def _claims(learner_ids: list[str], microcredential_ids: list[str]) -> set[tuple[str, str]]:
    return set(
        IssuedCredential.objects.filter(
            learner_id__in=learner_ids, microcredential_id__in=microcredential_ids, current=True
        ).values_list("learner_id", "microcredential_id")
    )
