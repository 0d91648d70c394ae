"""Bundled JSON-LD contexts, the strict offline document loader, and the safe-mode check.

Nothing is ever fetched: a URL that is not bundled raises DocumentLoaderError naming it.
Our own terms travel *inline* in every credential (docs/decisions/0012-inline-context.md): the
w3id URL that older credentials name resolves nowhere, and verifiers that fetch unknown contexts
(verifier-core) then report a forged signature. :func:`cacheable` maps an inline context whose
content equals a bundled one to that bundled URL before pyld sees it, so inline contexts hit the
same processed-context caches as URL contexts (keyed by content, N-Quads unchanged).
pyld has no "safe mode" (it silently drops undefined terms, so signed data would differ from
shown data), so ``check_safe_mode`` implements the check jsonld.js calls ``safe: true``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from pyld import jsonld

from .errors import DocumentLoaderError, SafeModeError
from .processor import PYLD_LOCK, CachingProcessor, pyld_reason

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
MICROVET_V1 = "https://w3id.org/microvet/context/v1.jsonld"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
JWK_V1 = "https://w3id.org/security/jwk/v1"
ELM_EDC_AP = "http://data.europa.eu/snb/model/context/edc-ap"

#: URL -> bundled file; shared with the Node interop verifiers (interop/) through contexts/index.json.
BUNDLED: dict[str, str] = json.loads(
    resources.files(__package__).joinpath("contexts", "index.json").read_text(encoding="utf-8")
)


@cache
def _load_text(filename: str) -> str:
    return resources.files(__package__).joinpath("contexts", filename).read_text(encoding="utf-8")


def microvet_context() -> dict[str, Any]:
    """The project's term definitions as an inline ``@context`` object (a fresh copy)."""
    return json.loads(_load_text(BUNDLED[MICROVET_V1]))["@context"]


def credential_contexts() -> list[Any]:
    """``@context`` of an OB 3.0 micro-credential issued by this package, in the order the spec requires:
    the standard published contexts, then our terms inline."""
    return [VC_V2, OB_V3, OB_EXTENSIONS, microvet_context()]


@cache
def _inline_index() -> dict[int, list[tuple[dict[str, Any], str]]]:
    """Bundled context objects by number of terms, with their URLs: only those without @base or
    @import, the two keywords whose meaning differs between a remote and an inline context.
    Dict equality is content equality (order-free), and far cheaper than hashing a serialisation."""
    index: dict[int, list[tuple[dict[str, Any], str]]] = {}
    for url in BUNDLED:
        inner = bundled_context(url).get("@context")
        if isinstance(inner, dict) and "@base" not in inner and "@import" not in inner:
            index.setdefault(len(inner), []).append((inner, url))
    return index


def _bundled_url_of(context: dict[str, Any]) -> str | None:
    return next((url for inner, url in _inline_index().get(len(context), ()) if inner == context), None)


def cacheable(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with each top-level inline context equal to a bundled one replaced by its URL.

    Expansion, and so the canonical N-Quads and every signature, is the same either way (the
    context's terms are the same terms); only pyld's caches, which key on URLs, start to hit.
    A document with no such inline context is returned as is (not copied).
    """
    contexts = document.get("@context")
    if not isinstance(contexts, list) or all(isinstance(c, str) for c in contexts):
        return document
    keyed = [(_bundled_url_of(c) or c) if isinstance(c, dict) else c for c in contexts]
    return {**document, "@context": keyed}


def bundled_context(url: str) -> dict[str, Any]:
    """The parsed document for a bundled context URL (a fresh copy: callers may mutate it)."""
    filename = BUNDLED.get(url)
    if filename is None:
        raise DocumentLoaderError(url, "not a bundled JSON-LD context; nothing is fetched from the network")
    return json.loads(_load_text(filename))


def document_loader(url: str, options: dict | None = None) -> dict[str, Any]:
    """pyld document loader that serves bundled contexts only (strict, offline).

    The ``static`` tag (the jsonld.js convention) lets pyld keep processed contexts for the life of
    the process: the files are inside the package and never change while it runs.
    """
    return {"contextUrl": None, "documentUrl": url, "document": bundled_context(url), "tag": "static"}


def jsonld_options(**extra: Any) -> dict[str, Any]:
    """Options for every pyld call in this package: strict loader, no base IRI to hide relative IRIs."""
    return {"documentLoader": document_loader, "base": None, **extra}


def check_safe_mode(document: dict[str, Any]) -> None:
    """Raise SafeModeError if any term of ``document`` is undefined or any IRI is relative.

    The outcome depends only on the document's shape (see ``_shape``), so documents of a shape
    that already passed skip the JSON-LD round trip: issuing many credentials of one definition
    costs one expansion, not one per credential.
    """
    document = cacheable(document)
    shape = _shape_key(document)
    if shape is not None and shape in _SAFE_SHAPES:
        return
    _check_safe_mode_uncached(document)
    if shape is not None:
        if len(_SAFE_SHAPES) >= _SAFE_SHAPES_MAX:
            _SAFE_SHAPES.clear()
        _SAFE_SHAPES.add(shape)


_SAFE_SHAPES: set[str] = set()
_SAFE_SHAPES_MAX = 1024


def _collect_typed_terms(node: Any, iri_terms: set[str], vocab_terms: set[str]) -> None:
    """Names of terms coerced to IRIs (``@type: @id``) or vocabulary terms (``@type: @vocab``), any scope."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict):
                if value.get("@type") == "@id":
                    iri_terms.add(key)
                elif value.get("@type") == "@vocab":
                    vocab_terms.add(key)
            _collect_typed_terms(value, iri_terms, vocab_terms)
    elif isinstance(node, list):
        for item in node:
            _collect_typed_terms(item, iri_terms, vocab_terms)


@cache
def _typed_terms() -> tuple[frozenset[str], frozenset[str]]:
    iri_terms: set[str] = {"id", "@id"}
    vocab_terms: set[str] = {"type", "@type"}
    for url in BUNDLED:
        _collect_typed_terms(bundled_context(url), iri_terms, vocab_terms)
    return frozenset(iri_terms - vocab_terms), frozenset(vocab_terms)


def _shape(node: Any, key: str, iri_terms: frozenset[str], vocab_terms: frozenset[str]) -> Any:
    """What JSON-LD expansion of ``node`` depends on: keys, vocabulary values, IRI-ness of IRI values.

    Literal values never make expansion drop a term, so they are reduced to their JSON type;
    values of vocabulary-typed terms (``type``, enumerations) select term definitions and scoped
    contexts, so they are kept verbatim; values of IRI-typed terms fail only when relative, so
    they are reduced to that one fact (a relative one is kept verbatim and so never matches).
    """
    if key == "@context":
        return node
    if isinstance(node, dict):
        return {k: _shape(v, k, iri_terms, vocab_terms) for k, v in node.items()}
    if isinstance(node, list):
        return [_shape(item, key, iri_terms, vocab_terms) for item in node]
    if isinstance(node, str):
        if key in vocab_terms:
            return node
        if key in iri_terms:
            return "<iri>" if _is_absolute_iri(node) else node
        return "<str>"
    return f"<{type(node).__name__}>"


def _shape_key(document: dict[str, Any]) -> str | None:
    """Cache key for safe mode, or None when the document has inline contexts (not cacheable)."""
    contexts = document.get("@context")
    if not isinstance(contexts, list) or not all(isinstance(c, str) and c in BUNDLED for c in contexts):
        return None
    iri_terms, vocab_terms = _typed_terms()
    return json.dumps(_shape(document, "", iri_terms, vocab_terms), sort_keys=False, separators=(",", ":"))


def _check_safe_mode_uncached(document: dict[str, Any]) -> None:
    """The full check, run once per document shape.

    Expands the document, compacts it again with its own contexts, and compares the two JSON
    trees: a key or a value that does not come back was dropped by expansion (undefined term).
    Relative IRIs show up in the expanded form as ``@id``/``@type`` values without a scheme.
    """
    contexts = document.get("@context")
    if contexts is None:
        raise SafeModeError("@context", "missing; every credential must name its JSON-LD contexts")
    processor = CachingProcessor()
    try:
        with PYLD_LOCK:
            expanded = processor.expand(document, jsonld_options())  # pyld copies its input
    except jsonld.JsonLdError as exc:
        raise SafeModeError("@context", pyld_reason(exc)) from exc
    try:
        _check_absolute_iris(expanded)
    except _RelativeIri as relative:
        reason = f"relative IRI {relative.iri!r}; use an absolute IRI"
        raise SafeModeError(_path_of(document, relative.iri), reason) from None
    with PYLD_LOCK:
        compacted = processor.compact(expanded, {"@context": contexts}, jsonld_options())
    _compare(document, compacted, "$")


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _is_absolute_iri(value: str) -> bool:
    """Has an RFC 3986 scheme (what JSON-LD needs to leave an IRI alone)."""
    return _SCHEME.match(value) is not None


class _RelativeIri(Exception):
    def __init__(self, iri: str):
        super().__init__(iri)
        self.iri = iri


def _check_absolute_iris(node: Any) -> None:
    """Raise _RelativeIri for the first node id, type or property of expanded JSON-LD that is relative."""
    if isinstance(node, list):
        for item in node:
            _check_absolute_iris(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@value":
                continue  # a literal (with @type @json, raw JSON): never IRIs
            if key in ("@id", "@type"):
                for iri in _as_list(value):
                    if isinstance(iri, str) and not iri.startswith(("_:", "@")) and not _is_absolute_iri(iri):
                        raise _RelativeIri(iri)
            elif not key.startswith("@") and not _is_absolute_iri(key):
                raise _RelativeIri(key)
            else:
                _check_absolute_iris(value)


def _path_of(node: Any, needle: str, path: str = "$") -> str:
    """JSON path of the first key or string value equal to ``needle`` in the compacted document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if needle in (key, value):
                return f"{path}.{key}"
            found = _path_of(value, needle, f"{path}.{key}")
            if found:
                return found
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if item == needle:
                return f"{path}[{index}]"
            found = _path_of(item, needle, f"{path}[{index}]")
            if found:
                return found
    return "" if path != "$" else "$"


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _compare(original: Any, roundtrip: Any, path: str) -> None:
    """Find the first key of ``original`` that the expand/compact round trip lost."""
    if not isinstance(original, list) and isinstance(roundtrip, list) and len(roundtrip) == 1:
        roundtrip = roundtrip[0]
    if isinstance(original, dict):
        if not isinstance(roundtrip, dict):
            raise SafeModeError(path, "this object is not defined by the document's contexts")
        for key, value in original.items():
            if key == "@context":
                continue
            if key not in roundtrip:
                raise SafeModeError(f"{path}.{key}", f"term {key!r} is not defined by the document's contexts")
            _compare(value, roundtrip[key], f"{path}.{key}")
    elif isinstance(original, list):
        again = _as_list(roundtrip)
        if len(original) != len(again):
            raise SafeModeError(path, "some values are not defined by the document's contexts")
        for index, (item, other) in enumerate(zip(original, again, strict=True)):
            _compare(item, other, f"{path}[{index}]")
