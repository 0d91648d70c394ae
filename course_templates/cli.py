"""The course commands: ``microvet-course new|check``, also ``microvet course new|check``.

``badge_issuer`` is the ground floor and never imports the course tools (whose checker loads XBlock
and the blocks): :func:`register` reaches the ``microvet`` command through the ``microvet.commands``
entry point group (setup.py), and :func:`main` is the console script of its own.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

ACTIONS = ("new", "check")
USAGE = "new SPEC --out COURSE.tar.gz | check COURSE.tar.gz_OR_DIR"


def _add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("action", choices=ACTIONS, help="new: build a course archive; check: check one")
    parser.add_argument("arguments", nargs=argparse.REMAINDER, help="the action's arguments (ACTION --help)")
    parser.set_defaults(func=run)
    return parser


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``course`` to the subcommands of ``microvet`` (the ``microvet.commands`` entry point)."""
    _add_arguments(
        commands.add_parser(
            "course", help="build or check a microVET Open edX course", usage=f"microvet course {USAGE}"
        )
    )


def run(args: argparse.Namespace) -> int:
    """Hand the action's arguments to the generator or the checker (each parses its own)."""
    # Imported here: the course tools load the XBlock runtime, which listing the commands never needs.
    from . import checker, generator  # noqa: PLC0415

    if args.action == "new":
        return generator.main_new(args.arguments)
    return checker.main_check(args.arguments)


def main(argv: Sequence[str] | None = None) -> int:
    """``microvet-course``: the course commands without the issuer's."""
    parser = argparse.ArgumentParser(
        prog="microvet-course",
        usage=f"microvet-course {USAGE}",
        description="Build a microVET Open edX course from a spec, or check a course archive or OLX folder.",
    )
    return run(_add_arguments(parser).parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
