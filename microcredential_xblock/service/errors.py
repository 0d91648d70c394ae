"""Errors of the service API, for handlers to turn into 4xx JSON (re-exported by ``service.api``)."""

from __future__ import annotations

from badge_issuer.errors import DefinitionError


class InvalidInput(DefinitionError, ValueError):
    """An argument is of the wrong type, refers to something unknown, or asks for an impossible
    status change; ``subject`` names the argument (or ``state``)."""


class NotFound(LookupError):
    """No such credential or registered micro-credential."""


class IssuanceFailed(RuntimeError):
    """The submission's evidence is stored, but issuing the credential it earned failed (signing, keys).

    The learner's answers count; the credential is issued by a later evaluation of the stored evidence.
    """
