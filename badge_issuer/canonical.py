"""RDF Dataset Canonicalization (RDFC-1.0, pyld's URDNA2015) shared by proof signing and verifying.

The single entry point :func:`canonize` is what both ``sign_di`` and ``verify_di`` hash, so an
optimisation here can never make the two disagree.
"""
from __future__ import annotations

import copy
from typing import Any

from pyld import jsonld

from .contexts import jsonld_options


def canonize(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, contexts served by the offline loader."""
    return jsonld.normalize(
        copy.deepcopy(document),
        {"algorithm": "URDNA2015", "format": "application/n-quads", **jsonld_options()},
    )


def canonize_proof_config(config: dict[str, Any]) -> str:
    return canonize(config)
