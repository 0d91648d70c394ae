"""Fast RDFC-1.0 for documents of a shape already seen: an N-Quads template per shape, pyoxigraph's RDFC.

The credentials of one definition differ only in a few leaf values (recipient, ids, dates, score),
and JSON-LD expansion depends on a leaf's *value* in only a few, known ways (below). So pyld turns a
document into N-Quads once per *shape*, with each substitutable value replaced by a unique
sentinel; later documents of the shape get their N-Quads by putting their (escaped) values where
the sentinels are, and pyoxigraph (Rust) canonicalizes them with RDFC-1.0. pyld's JSON-LD-to-RDF
step, about four fifths of plain pyld's time on a credential, is skipped on every hit.

The shape of a document is its JSON tree with: keys, ``@context`` values, numbers, booleans,
null, values of vocabulary-expanded terms (``type``, ``@type``, ``@vocab``-typed terms, keyword
aliases) and strings starting with ``@`` or ``_:`` kept verbatim; every other string reduced to
the part IRI expansion looks at (pyld ``_expand_iri``: the prefix before the first colon and
whether ``//`` follows it) plus the index of its first equal value (so node ids that are equal
stay equal and merge the same way). A template is only used where every sentinel came out as a
whole literal or as the tail of an IRI; a value is only substituted when its text is one both
pyld and pyoxigraph write the same way (no control characters; IRIs of plain ASCII without
whitespace or ``<>"{}|^`\\``), otherwise the document goes to pyld.

A shape gets its template on its second document (a one-off document costs one pyld run, as
before), checked against plain pyld on that document, byte for byte; a shape that differs (or
whose N-Quads pyoxigraph refuses, such as a control character in an IRI) is marked and always
goes to pyld. tests/test_canonical_differential.py compares the two over a corpus.
Hand-written because no library compiles JSON-LD into reusable RDF templates (ADR 0014).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cache
from typing import Any

import pyoxigraph

from .contexts import BUNDLED, bundled_context

_TOKEN = secrets.token_hex(8)
_SENTINEL = re.compile(f"zq{_TOKEN}([0-9]{{5}})z")
_MAX_VALUES = 99_999
_LITERAL_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_IRI_SAFE = re.compile(r"[!#-;=?-\[\]_a-z~]*\Z")
_LITERAL, _IRI = 0, 1
_FALLBACK = "fallback"
_SEEN = "seen once"
_CACHE_SIZE = 256

_templates: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()


def _sentinel(index: int) -> str:
    return f"zq{_TOKEN}{index:05d}z"


def _collect_verbatim(node: Any, terms: set[str]) -> None:
    """Terms whose string values select IRIs by vocabulary (or are JSON/keywords): never substituted.

    ``@base`` is recorded too: resolving a relative IRI against a base reads all of it, so a
    context with a base is never taken (see :func:`shape_of`).
    """
    if isinstance(node, dict):
        if "@base" in node:
            terms.add("@base")
        for key, value in node.items():
            if isinstance(value, str) and value.startswith("@") and value != "@id":
                terms.add(key)  # alias of a keyword (type -> @type, ...)
            elif isinstance(value, dict):
                if value.get("@type") in ("@vocab", "@json") or (
                    isinstance(value.get("@id"), str) and value["@id"].startswith("@") and value["@id"] != "@id"
                ):
                    terms.add(key)
            _collect_verbatim(value, terms)
    elif isinstance(node, list):
        for item in node:
            _collect_verbatim(item, terms)


@cache
def _bundled_verbatim() -> frozenset[str]:
    terms: set[str] = set()
    for url in BUNDLED:
        _collect_verbatim(bundled_context(url), terms)
    return frozenset(terms)


_verbatim_by_context: dict[str, frozenset[str]] = {}


def _verbatim_terms(context_key: str, context: Any) -> frozenset[str]:
    terms = _verbatim_by_context.get(context_key)
    if terms is None:
        found = set(_bundled_verbatim())
        _collect_verbatim(context, found)  # inline context objects add their own terms
        terms = frozenset(found)
        if len(_verbatim_by_context) >= _CACHE_SIZE:
            _verbatim_by_context.clear()
        _verbatim_by_context[context_key] = terms
    return terms


#: Markers in a shape key (never equal to a key string, so a key reads back one way only).
_DICT, _LIST, _END, _SUB, _VERB = (object() for _ in range(5))


class _Shape:
    """One walk over a document: the hashable shape and the distinct substitutable values in order."""

    __slots__ = ("fixed", "index", "parts", "values", "verbatim", "verbatim_strings")

    def __init__(self, verbatim: frozenset[str]):
        self.verbatim = verbatim
        self.parts: list[Any] = []
        self.values: list[str] = []
        self.fixed: list[str] = []  # per value: the prefix kept in the template (what IRI expansion reads)
        self.index: dict[str, int] = {}
        self.verbatim_strings: set[str] = set()

    def is_verbatim(self, value: str, key: str) -> bool:
        return (
            key in self.verbatim
            or value.startswith(("@", "_:"))
            or (key.startswith("@") and key not in ("@id", "@value"))
        )

    def walk(self, node: Any, key: str) -> bool:
        """Append ``node``'s shape to ``parts`` (flat: markers, keys, values); False if not taken."""
        kind = type(node)
        parts = self.parts
        if kind is str:
            if self.is_verbatim(node, key):
                parts += (_VERB, node)
                self.verbatim_strings.add(node)
                return True
            slot = self.index.get(node)
            if slot is None:
                slot = len(self.values)
                if slot >= _MAX_VALUES:
                    return False
                colon = node.find(":")
                fixed = ""
                if colon > 0:
                    fixed = node[: colon + 1] + ("//" if node.startswith("//", colon + 1) else "")
                self.index[node] = slot
                self.values.append(node)
                self.fixed.append(fixed)
            parts += (_SUB, self.fixed[slot], slot)
            return True
        if kind is dict:
            parts.append(_DICT)
            for k, v in node.items():
                parts.append(k)
                if k == "@context":
                    if key:  # an embedded context below the top: not taken
                        return False
                    continue
                if not self.walk(v, k):
                    return False
            parts.append(_END)
            return True
        if kind is list:
            parts.append(_LIST)
            for item in node:
                if not self.walk(item, key):
                    return False
            parts.append(_END)
            return True
        if node is None or kind is bool or kind is int or kind is float:
            parts += (kind, node)
            return True
        return False


class _Template:
    """N-Quads split around the places the values go: pieces[0] v0 pieces[1] v1 ... pieces[-1]."""

    __slots__ = ("iri_slots", "literal_slots", "pieces", "slots")

    def __init__(self, pieces: list[str], slots: list[tuple[int, int]]):
        self.pieces = pieces
        self.slots = slots
        self.iri_slots = sorted({slot for slot, kind in slots if kind == _IRI})
        self.literal_slots = sorted({slot for slot, kind in slots if kind == _LITERAL})

    def fill(self, values: list[str], fixed: list[str]) -> str | None:
        """The N-Quads of a document of this shape, or None if one of its values is not safe to substitute."""
        texts: dict[tuple[int, int], str] = {}
        for slot in self.literal_slots:
            value = values[slot]
            if _LITERAL_UNSAFE.search(value):
                return None
            texts[slot, _LITERAL] = _escape(value)
        for slot in self.iri_slots:
            tail = values[slot][len(fixed[slot]) :]
            if not _IRI_SAFE.match(tail):
                return None
            texts[slot, _IRI] = tail
        pieces = self.pieces
        out = [pieces[0]]
        for i, slot_kind in enumerate(self.slots, 1):
            out += (texts[slot_kind], pieces[i])
        return "".join(out)


def _escape(value: str) -> str:
    """N-Quads string escaping (the characters pyld's nquads.escape escapes)."""
    if "\\" in value or '"' in value or "\n" in value or "\r" in value or "\t" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace('"', '\\"')
        )
    return value


class _Split:
    """A shape's template in two parts: quads without blank nodes, which RDFC leaves as they are
    (a blank node's canonical label depends only on the quads that mention it), and the others,
    which pyoxigraph canonicalizes; the canonical form is the sorted union of both."""

    __slots__ = ("blank", "ground")

    def __init__(self, ground: _Template, blank: _Template):
        self.ground, self.blank = ground, blank

    def canonical(self, values: list[str], fixed: list[str], *, lenient: bool = True) -> str | None:
        ground, blank = self.ground.fill(values, fixed), self.blank.fill(values, fixed)
        if ground is None or blank is None:
            return None
        lines = set(ground.splitlines(True))  # a set: RDF datasets have no duplicate quads
        lines.update(_rdfc(blank, lenient=lenient).splitlines(True))
        return "".join(sorted(lines))


def _split(nquads: str, shape: _Shape) -> _Split | None:
    """The shape's template, or None if a sentinel sits anywhere else than a whole literal or the end
    of an IRI (then the shape is never taken). Each line is parsed strictly, once, to sort it."""
    ground: list[str] = []
    blank: list[str] = []
    for line in nquads.splitlines(True):
        (quad,) = pyoxigraph.parse(line, format=pyoxigraph.RdfFormat.N_QUADS)
        terms = (quad.subject, quad.object, quad.graph_name)
        (blank if any(isinstance(t, pyoxigraph.BlankNode) for t in terms) else ground).append(line)
    ground_template, blank_template = _compile("".join(ground), shape), _compile("".join(blank), shape)
    if ground_template is None or blank_template is None:
        return None
    return _Split(ground_template, blank_template)


def _compile(nquads: str, shape: _Shape) -> _Template | None:
    """Template of some N-Quads of the sentinel document, or None (see :func:`_split`)."""
    pieces: list[str] = []
    slots: list[tuple[int, int]] = []
    start = 0
    for match in _SENTINEL.finditer(nquads):
        slot = int(match.group(1))
        if slot >= len(shape.values):
            return None
        begin, end = match.span()
        after = nquads[end : end + 1]
        fixed = _escape(shape.fixed[slot])
        line_start = nquads.rfind("\n", 0, begin) + 1
        token_start = max(nquads.rfind(" ", line_start, begin), nquads.rfind('"', line_start, begin))
        if after == ">" and nquads.rfind("<", line_start, begin) > token_start:
            slots.append((slot, _IRI))
        elif after == '"' and nquads[begin - len(fixed) - 2 : begin] == ' "' + fixed:
            slots.append((slot, _LITERAL))
            begin -= len(fixed)  # the whole literal is replaced by the escaped value
        else:
            return None
        pieces.append(nquads[start:begin])
        start = end
    pieces.append(nquads[start:])
    return _Template(pieces, slots)


def _rdfc(nquads: str, *, lenient: bool = True) -> str:
    """RDFC-1.0 canonical N-Quads (sorted, as the algorithm's serialization requires) with pyoxigraph."""
    # lenient: no IRI validation; the template's IRIs were checked strictly once per shape (_first_of_shape)
    # and a substituted IRI tail is plain ASCII without the characters an IRI excludes (_IRI_SAFE).
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(nquads, format=pyoxigraph.RdfFormat.N_QUADS, lenient=lenient))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    lines = pyoxigraph.serialize(dataset, format=pyoxigraph.RdfFormat.N_QUADS).decode("utf-8").splitlines(True)
    lines.sort()
    return "".join(lines)


def _sentinel_document(node: Any, shape: _Shape, key: str = "") -> Any:
    """The document with every substitutable value replaced by its slot's sentinel (same walk order)."""
    if isinstance(node, str):
        slot = shape.index.get(node)
        if slot is None or shape.is_verbatim(node, key):
            return node
        return shape.fixed[slot] + _sentinel(slot)
    if isinstance(node, dict):
        return {k: (v if k == "@context" else _sentinel_document(v, shape, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [_sentinel_document(item, shape, key) for item in node]
    return node


def canonize(
    document: dict[str, Any], to_rdf: Callable[[dict[str, Any]], str], reference: Callable[[dict[str, Any]], str]
) -> str:
    """RDFC-1.0 of ``document``: from its shape's template when there is one, else by ``reference`` (pyld).

    ``to_rdf`` is pyld's (non-canonical) N-Quads of a document, used once per shape (on its second
    document) to make the template; ``reference`` is pyld's canonical form, used for documents the
    fast path cannot take and to check each new template once.
    """
    key_and_shape = shape_of(document)
    if key_and_shape is None:
        return reference(document)
    key, shape = key_and_shape
    with _lock:
        template = _templates.get(key)
        if template is None:  # a shape seen once may be a one-off (verifying a foreign credential): pyld only
            _store(key, _SEEN)
        else:
            _templates.move_to_end(key)
    if template == _SEEN:
        return _first_of_shape(document, key, shape, to_rdf, reference)
    if template is None or template == _FALLBACK:
        return reference(document)
    try:
        result = template.canonical(shape.values, shape.fixed)
    except (ValueError, SyntaxError):  # e.g. a lone surrogate, which pyld writes and Rust strings cannot hold
        result = None
    return reference(document) if result is None else result


def shape_of(document: dict[str, Any]) -> tuple[tuple, _Shape] | None:
    """(hashable key, walk) of a document the fast path can take, else None."""
    if not isinstance(document, dict) or "@context" not in document:
        return None
    context = document["@context"]
    context_key = json.dumps(context, separators=(",", ":"), ensure_ascii=False)
    verbatim = _verbatim_terms(context_key, context)
    if "@base" in verbatim:
        return None
    shape = _Shape(verbatim)
    try:
        if not shape.walk(document, ""):
            return None
    except RecursionError:  # absurdly deep nesting: pyld decides what it makes of it
        return None
    if shape.verbatim_strings and not shape.verbatim_strings.isdisjoint(shape.index):
        return None  # a substituted value equal to a verbatim one (say, a node id and a type): not taken
    return (context_key, *shape.parts), shape


def _first_of_shape(document, key, shape, to_rdf, reference) -> str:
    expected = reference(document)
    template: Any = _FALLBACK
    try:
        compiled = _split(to_rdf(_sentinel_document(document, shape)), shape)
        if compiled is not None:
            result = compiled.canonical(shape.values, shape.fixed, lenient=False)
            if result is None:
                return expected  # this document's values cannot be checked: decide on a later one
            if result == expected:
                template = compiled
    except (ValueError, SyntaxError):  # pyoxigraph refused the N-Quads: this shape stays with pyld
        template = _FALLBACK
    with _lock:
        _store(key, template)
    return expected


def _store(key: tuple, template: Any) -> None:
    _templates[key] = template
    if len(_templates) > _CACHE_SIZE:
        _templates.popitem(last=False)
