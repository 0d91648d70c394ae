"""Small, generic OLX helpers: safe parsing, typed attributes with clear errors, stable export.

Shared by the blocks that write their own element-rich OLX (ORA2 style) instead of JSON blobs in
attributes. Every error is an ``OlxError`` whose subject is a readable path such as
``question[q2]/@tolerance`` and whose message can be translated later (``msgid`` + ``params``),
because this module is used where no i18n service exists (import/export, unit tests).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

from lxml import etree

from badge_issuer.errors import DefinitionError
from badge_issuer.i18n import gettext_noop

#: Upper bound for OLX pasted into an editor; a course export has no such limit.
MAX_SNIPPET_BYTES = 256 * 1024
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
ID_RULE = gettext_noop("must be 1-64 letters, digits or _ . : - starting with a letter or digit")
_WHITESPACE = re.compile(r"\s+")


class OlxError(DefinitionError):
    """Invalid author input. ``reason`` is English; ``translated(gettext)`` gives the learner/author text."""


def parse_snippet(text: str, subject: str) -> etree._Element:
    """Parse author-supplied XML without entities, DTDs or network access; refuse oversized input."""
    if len(text.encode("utf-8")) > MAX_SNIPPET_BYTES:
        raise OlxError(subject, gettext_noop("is too large (at most %(limit)d bytes)"), limit=MAX_SNIPPET_BYTES)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise OlxError(subject, gettext_noop("is not well-formed XML: %(detail)s"), detail=exc.msg) from None
    if root.getroottree().docinfo.doctype:
        raise OlxError(subject, gettext_noop("must not contain a DOCTYPE"))
    return root


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace: line breaks in OLX source are layout, not content."""
    return _WHITESPACE.sub(" ", text).strip()


def check_element(
    element: etree._Element, subject: str, attributes: Iterable[str], children: Iterable[str] = ()
) -> None:
    """Reject unknown attributes and child elements (they are almost always typos that would be lost)."""
    allowed_attributes = set(attributes)
    for name in element.attrib:
        if name not in allowed_attributes:
            raise OlxError(f"{subject}/@{name}", gettext_noop("unknown attribute"))
    allowed_children = set(children)
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag not in allowed_children:
            raise OlxError(f"{subject}/{child.tag}", gettext_noop("unknown element here"))


def plain_text(element: etree._Element, subject: str, *, required: bool = True) -> str:
    """Text of an element that may hold only text (no markup), whitespace normalised."""
    for child in element:
        if isinstance(child.tag, str):
            raise OlxError(f"{subject}/{child.tag}", gettext_noop("only plain text is allowed here"))
    text = normalise_space(element.text or "")
    if required and not text:
        raise OlxError(subject, gettext_noop("must not be empty"))
    return text


def leading_text(element: etree._Element) -> str:
    """Text before the first child, for mixed content like ``<choice>Text<feedback>..</feedback></choice>``."""
    return normalise_space(element.text or "")


def attr(element: etree._Element, name: str, subject: str, default: str | None = None) -> str:
    """A required (``default is None``) or optional string attribute."""
    value = element.get(name)
    if value is None:
        if default is None:
            raise OlxError(f"{subject}/@{name}", gettext_noop("is required"))
        return default
    return value.strip()


def id_attr(element: etree._Element, name: str, subject: str) -> str:
    """A required identifier: letters, digits, ``_ . : -``, at most 64 characters."""
    value = attr(element, name, subject)
    if not ID_PATTERN.fullmatch(value):
        raise OlxError(f"{subject}/@{name}", ID_RULE)
    return value


def choice_attr(element: etree._Element, name: str, subject: str, choices: Mapping[str, object], default: str):
    """An attribute restricted to the keys of ``choices``; returns the mapped value."""
    value = attr(element, name, subject, default)
    if value not in choices:
        raise OlxError(f"{subject}/@{name}", gettext_noop("must be one of: %(values)s"), values=", ".join(choices))
    return choices[value]


BOOLEANS = {"true": True, "false": False}


def bool_attr(element: etree._Element, name: str, subject: str, default: bool) -> bool:
    return choice_attr(element, name, subject, BOOLEANS, "true" if default else "false")


def number(
    value: object, subject: str, *, low: float, high: float, integer: bool = False, above: bool = False
) -> float:
    """A finite number in [low, high] (or (low, high] when ``above``) from a string or a JSON number, never a bool."""
    if isinstance(value, bool):
        value = None
    try:
        result = float(value) if not integer else int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        result = math.nan
    if not math.isfinite(result) or not low <= result <= high or (above and result == low):
        if above:
            msgid = gettext_noop("must be a number greater than %(low)s and at most %(high)s")
        elif integer:
            msgid = gettext_noop("must be a whole number from %(low)s to %(high)s")
        else:
            msgid = gettext_noop("must be a number from %(low)s to %(high)s")
        raise OlxError(subject, msgid, low=format_number(low), high=format_number(high))
    return result


def number_attr(
    element: etree._Element, name: str, subject: str, default: float, *, low: float, high: float, above=False
) -> float:
    value = element.get(name)
    if value is None:
        return default
    return number(value.strip(), f"{subject}/@{name}", low=low, high=high, above=above)


def format_number(value: float) -> str:
    """Shortest exact text for a number: ``1`` not ``1.0``, ``0.1`` not ``0.1000000001``."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def sub_element(parent: etree._Element, tag: str, text: str = "", **attributes: str) -> etree._Element:
    """Append ``<tag attr=..>text</tag>`` (attributes in the given order, for stable exports)."""
    child = etree.SubElement(parent, tag)
    for name, value in attributes.items():
        child.set(name, value)
    if text:
        child.text = text
    return child


def to_string(element: etree._Element) -> str:
    """Pretty, deterministic serialisation (no XML declaration), for editors and fixture comparison.

    The serialiser's ``pretty_print``, not ``etree.indent``: inside Open edX ``lxml.etree`` is the
    platform's ``safe_lxml`` re-export (``from lxml.etree import *``), which has no ``indent``. The
    serialiser indents elements that hold only elements; mixed content stays on one line, as written.
    Layout whitespace from a parsed source is dropped first, so that the output does not depend on it.
    """
    for node in element.iter():
        if (
            isinstance(node.tag, str)
            and not (node.text or "").strip()
            and all(not (c.tail or "").strip() for c in node)
        ):
            if len(node):
                node.text = None
            for child in node:
                child.tail = None
    return etree.tostring(element, encoding="unicode", pretty_print=True).removesuffix("\n")
