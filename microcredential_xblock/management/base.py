"""What the three microvet commands share: --dry-run, --no-progress, the progress bar, the summary."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from .progress import Progress


class MicrovetCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = str(self.help)  # lazy on the class (translated per run); argparse needs a str
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help=_("Report what would change; change nothing."))
        parser.add_argument("--no-progress", action="store_true", help=_("No progress bar on stderr."))

    def progress(self, options: dict[str, Any], total: int, label: str) -> Progress:
        return Progress(self.stderr, total, label, enabled=not options["no_progress"])

    def summary(self, counts: Counter, labels: dict[str, str], dry_run: bool) -> None:
        """One line per outcome on stdout (stable keys first, for scripts: ``issued=3``)."""
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
        for key, label in labels.items():
            self.stdout.write(f"{key}={counts[key]}  {label}")
        if counts["failed"]:
            raise CommandError(_("%(count)d item(s) failed (see the log); run the command again to retry them.")
                               % {"count": counts["failed"]})  # fmt: skip

    def interrupted(self, how: str) -> CommandError:
        """The error for Ctrl-C / SIGINT: every item is all-or-nothing, so it says how to go on."""
        return CommandError(
            _("Interrupted. Nothing is half done; resume with %(how)s (finished items are skipped).") % {"how": how}
        )
