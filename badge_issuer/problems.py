"""One collector of input problems for every validator: where (the field's path) and why, in the order found.

Definitions, course specs, assessment content and the service API's arguments all validate input that a
person wrote or a caller passed; each fills a ``Problems`` and turns it into its own error type with
``raise_first``, so every error names the field and the reason the same way. Framework-free: a reason is
plain text or a msgid with %-params (translated later by the user interface: ``messages``), a path whatever
the input addresses fields with (``awarding_body.email``, ``question[q1]/@points``, ``("outcomes", 0, "id")``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .errors import DefinitionError, MicrovetError, filled


@dataclass(frozen=True)
class Problem:
    path: Hashable
    reason: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The reason with its params filled in (English; ``reason`` stays the msgid)."""
        return filled(self.reason, self.params)

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The reason in the reader's language, then its params filled in (they are code: never translated)."""
        return filled(gettext(self.reason), self.params)


class Problems:
    """Every problem found so far; validators go on after one to report the others in the same pass."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, path: Hashable, reason: str, **params: Any) -> None:
        self.found.append(Problem(path, reason, params))

    @contextmanager
    def collecting(self, *errors: type[MicrovetError]) -> Iterator[None]:
        """Record one of ``errors`` raised inside as a problem and go on: for checks written to stop at
        their first problem (one question, one outcome) run one after another."""
        try:
            yield
        except errors as exc:
            self.add(exc.subject, getattr(exc, "msgid", exc.reason), **getattr(exc, "params", {}))

    def __bool__(self) -> bool:
        return bool(self.found)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.found)

    def by_path(self) -> dict[Hashable, str]:
        """The first problem of each path (what a form shows beside each field), in English."""
        return _first_by_path(self.found, _english)

    def raise_first(self, error: Callable[..., Exception]) -> None:
        """Raise ``error(path, reason, **params)`` for the first problem, if any, carrying them all as
        ``.problems`` (and ``.errors``, the first message per path); otherwise return."""
        if not self.found:
            return
        first = self.found[0]
        exc = error(first.path, first.reason, **first.params)
        exc.problems = tuple(self.found)  # type: ignore[attr-defined]
        exc.errors = self.by_path()  # type: ignore[attr-defined]
        raise exc


def messages(error: DefinitionError, gettext: Callable[[str], str]) -> dict[Hashable, str]:
    """What a form shows beside each field for ``error``, in the reader's language (``gettext`` of the
    user interface): the first problem of each path ``raise_first`` collected, or the error's own reason."""
    found = getattr(error, "problems", None) or (Problem(error.subject, error.msgid, error.params),)
    return _first_by_path(found, gettext)


def _first_by_path(found: Iterable[Problem], gettext: Callable[[str], str]) -> dict[Hashable, str]:
    errors: dict[Hashable, str] = {}
    for problem in found:
        if problem.path not in errors:
            errors[problem.path] = problem.translated(gettext)
    return errors


def _english(msgid: str) -> str:
    return msgid


def dotted(path: tuple) -> str:
    """``("learning_outcomes", 1, "id")`` -> ``learning_outcomes[1].id``, as definition errors name fields."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
