"""Errors raised by badge_issuer.

Every error names *what* is wrong (a field path, a term, a URL or a file) and *why*, so the
command line, the XBlocks and the Django service can show one clear message without a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class MicrovetError(Exception):
    """Base class: ``subject`` is the field, term, URL or file at fault; ``reason`` says why."""

    def __init__(self, subject: str, reason: str):
        self.subject = subject
        self.reason = reason
        super().__init__(f"{subject}: {reason}")


class DefinitionError(MicrovetError):
    """A micro-credential definition (or other structured input) is invalid; subject = field path.

    ``msgid`` is the reason as written (a constant English text with named %-params, marked for the
    catalogs), ``params`` its values (code: field names, limits, what was given); ``reason`` is English,
    ``translated(gettext)`` the reason in a reader's language.
    """

    def __init__(self, subject: str, msgid: str, **params: Any):
        self.msgid = msgid
        self.params = params
        super().__init__(subject, filled(msgid, params))

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The reason in the reader's language (``subject`` stays as written: it is a path)."""
        return filled(gettext(self.msgid), self.params)


def filled(text: str, params: Mapping[str, Any]) -> str:
    """A (translated) msgid with its %-params filled in; a text without params is taken as it is."""
    return text % params if params else text


class SafeModeError(MicrovetError):
    """A JSON-LD term is undefined or an IRI is relative; subject = the JSON path of the term."""


class DocumentLoaderError(MicrovetError):
    """A JSON-LD document was requested that is not bundled; subject = the URL. Nothing is fetched."""


class KeyMaterialError(MicrovetError):
    """A key file is missing, unreadable, of the wrong type or has unsafe permissions."""


class SigningError(MicrovetError):
    """A credential could not be signed (for example VC-JWT without a subject id)."""


class StatusListError(MicrovetError):
    """A status list operation is impossible (full list, unknown index, bad encoding)."""


class BakingError(MicrovetError):
    """An image cannot carry or does not carry a credential."""
