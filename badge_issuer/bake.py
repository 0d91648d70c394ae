"""Baking: carry an OB 3.0 credential inside its badge image (PNG iTXt chunk or SVG element).

PNG chunks are read and written with pypng's chunk API (``Reader.chunks`` checks every CRC,
``write_chunks`` computes them): a small pure-Python library that already handles the PNG
framing, so we only build the iTXt payload. SVG is handled with lxml and a hardened parser.
OB 2.0's ``openbadges`` keyword is deliberately not read: OB 3.0 uses ``openbadgecredential``.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import png
from lxml import etree

from .errors import BakingError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
#: after the keyword: NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL
_ITXT_FLAGS = b"\x00\x00\x00\x00\x00"
OB_NS = "https://purl.imsglobal.org/ob/v3p0"
SVG_NS = "http://www.w3.org/2000/svg"
_CREDENTIAL_TAG = f"{{{OB_NS}}}credential"
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def _credential_text(credential: dict[str, Any] | str) -> str:
    """Compact JSON for an embedded-proof credential, the token itself for a VC-JWT."""
    if isinstance(credential, str):
        if not _COMPACT_JWS.fullmatch(credential):
            raise BakingError("credential", "a string credential must be a compact JWS (header.payload.signature)")
        return credential
    if not isinstance(credential, dict):
        raise BakingError("credential", f"must be a dict or a compact JWS, not {type(credential).__name__}")
    return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))


def _parse_text(text: str, where: str) -> dict[str, Any] | str:
    text = text.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise BakingError(where, f"baked credential is not valid JSON: {exc}") from exc
        if not isinstance(document, dict):
            raise BakingError(where, "baked JSON is not a credential object")
        return document
    if _COMPACT_JWS.fullmatch(text):
        return text
    raise BakingError(where, "baked text is neither a JSON credential nor a compact JWS")


def is_png(data: bytes) -> bool:
    """Whether ``data`` starts as a PNG file does (signature, then the IHDR chunk)."""
    return data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR"


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    try:
        chunks = list(png.Reader(bytes=data).chunks())
    except png.Error as exc:
        raise BakingError("png", f"malformed PNG: {exc}") from exc
    if chunks[0][0] != b"IHDR":
        raise BakingError("png", "the first chunk is not IHDR")
    return chunks


def _is_itxt(chunk_type: bytes, body: bytes, keyword: bytes) -> bool:
    return chunk_type == b"iTXt" and body.split(b"\x00", 1)[0] == keyword


def set_itxt(image: bytes, keyword: bytes, text: str) -> bytes:
    """``image`` with exactly one uncompressed iTXt chunk ``keyword`` (replacing any), right after IHDR."""
    chunks = [c for c in _png_chunks(image) if not _is_itxt(*c, keyword)]
    itxt = (b"iTXt", keyword + _ITXT_FLAGS + text.encode("utf-8"))
    out = io.BytesIO()
    png.write_chunks(out, [chunks[0], itxt, *chunks[1:]])
    return out.getvalue()


def bake_png(image: bytes, credential: dict[str, Any] | str) -> bytes:
    """``image`` with exactly one ``openbadgecredential`` iTXt chunk, right after IHDR."""
    return set_itxt(image, KEYWORD, _credential_text(credential))


def _extract_png(data: bytes) -> dict[str, Any] | str:
    for chunk_type, body in _png_chunks(data):
        if not _is_itxt(chunk_type, body, KEYWORD):
            continue
        rest = body[len(KEYWORD) + 1 :]
        if len(rest) < 2 or rest[0] != 0:
            raise BakingError("png.iTXt", "the openbadgecredential chunk is compressed; OB 3.0 forbids compression")
        parts = rest[2:].split(b"\x00", 2)  # language tag, translated keyword, text
        if len(parts) != 3:
            raise BakingError("png.iTXt", "the openbadgecredential chunk is truncated")
        try:
            return _parse_text(parts[2].decode("utf-8"), "png.iTXt")
        except UnicodeDecodeError as exc:
            raise BakingError("png.iTXt", "the credential text is not UTF-8") from exc
    raise BakingError("png", "no openbadgecredential iTXt chunk: this image is not baked")


def _svg_parser() -> etree.XMLParser:
    """No DTD loading, no entity expansion, no network, no huge trees (XXE and billion laughs)."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False
    )


def _parse_svg(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, _svg_parser())
    except etree.XMLSyntaxError as exc:
        raise BakingError("svg", f"malformed XML: {exc}") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise BakingError("svg", f"the root element is {root.tag!r}, not an SVG <svg> element")
    return root


def _json_for_cdata(text: str) -> str:
    """JSON that never contains ``]]>``, so it fits in one CDATA section.

    lxml refuses CDATA containing ``]]>``. In compact JSON that sequence can only occur inside a
    string (``>`` is no JSON token), where ``\\u003e`` is the same character: the parsed credential
    is identical, and the proof covers the parsed data, not the text.
    """
    return text.replace("]]>", "]]\\u003e")


def bake_svg(svg: str | bytes, credential: dict[str, Any] | str) -> str:
    """``svg`` with exactly one ``<openbadges:credential>`` as the first child of ``<svg>``."""
    root = _parse_svg(svg.encode("utf-8") if isinstance(svg, str) else svg)
    for old in root.findall(_CREDENTIAL_TAG):
        root.remove(old)
    text = _credential_text(credential)
    element = etree.Element(_CREDENTIAL_TAG)
    if isinstance(credential, str):
        element.set("verify", text)
    else:
        element.text = etree.CDATA(_json_for_cdata(text))
    element.tail = root.text
    root.text = "\n"
    root.insert(0, element)
    # Declare xmlns:openbadges on <svg> itself, keeping every prefix the file already declares.
    etree.cleanup_namespaces(root, top_nsmap={"openbadges": OB_NS}, keep_ns_prefixes=[p for p in root.nsmap if p])
    return etree.tostring(root.getroottree(), encoding="unicode")


def _extract_svg(data: bytes) -> dict[str, Any] | str:
    root = _parse_svg(data)
    element = next(root.iter(_CREDENTIAL_TAG), None)
    if element is None:
        raise BakingError("svg", "no <openbadges:credential> element: this image is not baked")
    token = element.get("verify")
    if token is not None:
        return _parse_text(token, "svg.credential@verify")
    return _parse_text(element.text or "", "svg.credential")


def extract(data: bytes) -> dict[str, Any] | str:
    """The credential baked into a PNG or SVG: a dict (embedded proof) or a compact JWS (str)."""
    if not isinstance(data, (bytes, bytearray)):
        raise BakingError("image", "pass the image file's bytes")
    if data.startswith(PNG_SIGNATURE):
        return _extract_png(bytes(data))
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _extract_svg(bytes(data))
    raise BakingError("image", "neither a PNG nor an SVG file")
