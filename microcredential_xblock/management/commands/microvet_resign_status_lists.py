"""Re-sign every status list: after a key rotation (lists must be signed by a current key) or to
refresh ``validFrom`` / ``ttl`` for verifiers that reject old lists.

Resumable: lists signed after ``--signed-before`` (default: when the run started, printed in the
summary) are skipped, so re-running with the printed time continues where an interrupted run stopped.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microcredential_xblock.service import status_lists
from microcredential_xblock.service.models import StatusList

from ..base import MicrovetCommand

log = logging.getLogger(__name__)


class Command(MicrovetCommand):
    help = gettext_lazy("Re-sign the published status lists with the current issuer key (resumable).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--purpose", choices=["revocation", "suspension"], help=_("Only lists of this purpose."))
        parser.add_argument(
            "--signed-before", help=_("Only lists last signed before this ISO 8601 time (default: now).")
        )
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = self._cutoff(options["signed_before"])
        chosen = StatusList.objects.filter(updated__lt=cutoff).order_by("pk")
        if options["purpose"]:
            chosen = chosen.filter(purpose=options["purpose"])
        counts: Counter = Counter()
        bar = self.progress(options, chosen.count(), _("Status lists"))
        try:
            for pk in chosen.values_list("pk", flat=True).iterator():
                counts[self._one(pk, options["dry_run"])] += 1
                bar.advance()
        except KeyboardInterrupt:
            bar.close()
            raise self.interrupted(f"--signed-before={cutoff.isoformat()}") from None
        bar.close()
        self.stdout.write(_("Lists signed before %(cutoff)s were selected.") % {"cutoff": cutoff.isoformat()})
        labels = {
            "signed": _("status lists that would be re-signed") if options["dry_run"] else _("status lists re-signed"),
            "failed": _("status lists that could not be signed"),
        }
        self.summary(counts, labels, options["dry_run"])

    @staticmethod
    def _cutoff(value: str | None) -> datetime:
        if not value:
            return timezone.now()
        parsed = parse_datetime(value)
        if parsed is None:
            raise CommandError(_("--signed-before must be an ISO 8601 date and time, e.g. 2026-11-28T10:00:00Z."))
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.UTC)

    @staticmethod
    def _one(pk: int, dry_run: bool) -> str:
        if dry_run:
            return "signed"
        try:
            with transaction.atomic():  # the same lock issuance and status changes take
                row = StatusList.objects.select_for_update().get(pk=pk)
                status_lists.sign_list(row)
        except Exception:
            log.exception("microvet_resign_status_lists: list %s failed", pk)
            return "failed"
        return "signed"
