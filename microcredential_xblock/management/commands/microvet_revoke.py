"""Revoke credentials in bulk (a cancelled course run, a fraudulent cohort), with one reason.

Credentials are taken in database order; revoked ones drop out of the selection, so a second run
after an interruption simply continues. Every revocation goes through service.api (audit trail,
status list re-signed).
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microcredential_xblock.service import api
from microcredential_xblock.service.models import IssuedCredential

from ..base import MicrovetCommand

log = logging.getLogger(__name__)
CHUNK = 200


class Command(MicrovetCommand):
    help = gettext_lazy("Revoke the selected credentials with a reason (resumable).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reason", required=True, help=_("Why (stored in the audit trail)."))
        parser.add_argument("--actor", default="manage.py microvet_revoke", help=_("Who, for the audit trail."))
        parser.add_argument("--course", help=_("Every credential of this course ..."))
        parser.add_argument("--microcredential", help=_("... of this micro-credential id only."))
        parser.add_argument("--learner", action="append", default=[], help=_("... of this learner id (repeatable)."))
        parser.add_argument("--uuid", action="append", default=[], help=_("This credential (repeatable)."))
        super().add_arguments(parser)

    def selection(self, options: dict[str, Any]) -> QuerySet[IssuedCredential]:
        if not (options["course"] or options["uuid"]):
            raise CommandError(_("Select credentials with --course or --uuid."))
        if not options["reason"].strip():
            raise CommandError(_("--reason must not be empty."))
        chosen = IssuedCredential.objects.exclude(state=IssuedCredential.REVOKED).order_by("pk")
        if options["course"]:
            chosen = chosen.filter(course_key=options["course"])
        if options["microcredential"]:
            chosen = chosen.filter(microcredential_id=options["microcredential"])
        if options["learner"]:
            chosen = chosen.filter(learner_id__in=options["learner"])
        if options["uuid"]:
            try:
                chosen = chosen.filter(uuid__in=[uuid.UUID(value) for value in options["uuid"]])
            except ValueError:
                raise CommandError(_("--uuid must be a credential UUID.")) from None
        return chosen

    def handle(self, *args: Any, **options: Any) -> None:
        chosen, dry_run = self.selection(options), options["dry_run"]
        counts: Counter = Counter()
        bar = self.progress(options, chosen.count(), _("Credentials"))
        last = 0
        try:
            while chunk := list(chosen.filter(pk__gt=last).values_list("pk", "uuid")[:CHUNK]):
                for pk, uid in chunk:
                    counts[self._one(uid, options, dry_run)] += 1
                    last = pk
                    bar.advance()
        except KeyboardInterrupt:
            bar.close()
            raise self.interrupted(_("the same command")) from None
        bar.close()
        labels = {
            "revoked": _("credentials that would be revoked") if dry_run else _("credentials revoked"),
            "skipped": _("credentials revoked meanwhile by someone else"),
            "failed": _("credentials whose revocation failed"),
        }
        self.summary(counts, labels, dry_run)

    @staticmethod
    def _one(uid: Any, options: dict[str, Any], dry_run: bool) -> str:
        if dry_run:
            return "revoked"
        try:
            api.revoke(uid, actor=options["actor"], reason=options["reason"])
        except api.InvalidInput:
            return "skipped"
        except Exception:
            log.exception("microvet_revoke: %s failed", uid)
            return "failed"
        return "revoked"
