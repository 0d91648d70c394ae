"""RDF Dataset Canonicalization (RDFC-1.0, pyld's URDNA2015) shared by proof signing and verifying.

:func:`canonize` is the only function ``sign_di`` and ``verify_di`` hash through, so a cache here
can never make the two disagree. Documents of a shape already seen take the fast path in
:mod:`rdfc` (an N-Quads template per shape, canonicalized by pyoxigraph, ADR 0014); everything
else, and the first document of each shape, goes through pyld with two caches that only reuse
the result of processing a JSON-LD *context*, never anything derived from a document:

1. pyld keeps resolved and processed contexts process-wide only when the document loader tags a
   document ``"static"`` (the jsonld.js convention); :func:`contexts.document_loader` does, since
   our contexts are files inside the package, immutable while the process lives.
2. pyld caches a processed context by the id of the active context it was applied to, but a
   *type-scoped* context (every OB 3.0 class has one, with ``@propagate: false``) is applied to a
   fresh clone with a fresh id each time, so it is reprocessed for every node of every credential.
   :class:`processor.CachingProcessor` memoizes ``_process_context`` on (identity of the active context,
   identity of the local context, flags). Context processing is a pure function of those inputs
   (base IRI and loader are fixed by :func:`jsonld_options`), and the results are the same frozen
   objects pyld's own processed-context cache already shares between calls.

tests/test_data_integrity.py and tests/test_canonical_differential.py check that both paths give
the N-Quads of plain pyld, byte for byte.
"""

from __future__ import annotations

from typing import Any

from pyld import jsonld

from . import rdfc
from .contexts import cacheable, jsonld_options
from .errors import SafeModeError
from .processor import PYLD_LOCK, CachingProcessor, pyld_reason


def canonize(document: dict[str, Any], *, cached: bool = True) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document.

    ``cached`` takes the fast path (:mod:`rdfc`: per-shape templates and pyoxigraph, checked
    against pyld on each new shape) and pyld with the context caches for what it cannot take;
    ``cached=False`` runs plain pyld, the reference (for tests).
    """
    if not cached:
        return _pyld(document, jsonld.JsonLdProcessor(), algorithm="URDNA2015", format="application/n-quads")
    return rdfc.canonize(document, to_rdf=_pyld_nquads, reference=_pyld_canonical)


def _pyld_canonical(document: dict[str, Any]) -> str:
    return _pyld(document, CachingProcessor(), algorithm="URDNA2015", format="application/n-quads")


def _pyld_nquads(document: dict[str, Any]) -> str:
    """pyld's JSON-LD to RDF, not canonicalized (the input of an rdfc template)."""
    return _pyld(document, CachingProcessor(), format="application/n-quads", to_rdf=True)


def _pyld(document: dict[str, Any], processor: jsonld.JsonLdProcessor, *, to_rdf: bool = False, **extra: Any) -> str:
    options = jsonld_options(**extra)
    try:
        with PYLD_LOCK:
            # pyld's expand deep-copies its input first, so the caller's document is never changed.
            # cacheable(): an inline context equal to a bundled one is keyed by its URL (same N-Quads;
            # plain pyld, the reference, gets the document as it is, so the byte-identity tests compare).
            if isinstance(processor, CachingProcessor):
                document = cacheable(document)
            if to_rdf:
                return processor.to_rdf(document, options)
            return processor.normalize(document, options)
    except jsonld.JsonLdError as exc:
        raise SafeModeError("@context", pyld_reason(exc)) from exc
