"""Baking credentials into PNG and SVG badge images, extracting them again, and the default images."""

from __future__ import annotations

import io
import json
import struct
import zlib

import png
import pytest
from lxml import etree

from badge_issuer.badge_image import EQF_COLOURS, default_badge_png, default_badge_svg, title_lines
from badge_issuer.bake import bake_png, bake_svg, extract
from badge_issuer.errors import BakingError, DefinitionError

CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:uuid:8a4f3c0e-7e8c-4d7c-9f3b-0d3f4b1c2a10",
    "name": "Schweißen: Grundlagen für Einsteiger",
    "proof": [{"type": "DataIntegrityProof", "proofValue": "z3abc"}],
}
HOSTILE = {**CREDENTIAL, "description": "ends ]]> then <script>alert(1)</script> and ]]]]>>"}
JWS = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl"
SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
    '<title>Badge</title><use xlink:href="#c"/><circle id="c" r="4"/></svg>'
)
OB = "https://purl.imsglobal.org/ob/v3p0"


def _png() -> bytes:
    out = io.BytesIO()
    png.Writer(2, 2, greyscale=True).write(out, [[0, 255], [255, 0]])
    return out.getvalue()


def _walk(data: bytes) -> list[tuple[bytes, bytes, bool]]:
    """(type, body, crc_ok) for every chunk, read with struct/zlib only (independent of the code under test)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        chunks.append((kind, body, crc == zlib.crc32(kind + body)))
        pos += 12 + length
    return chunks


def _credential_chunks(data: bytes) -> list[bytes]:
    return [body for kind, body, _ in _walk(data) if kind == b"iTXt" and body.startswith(b"openbadgecredential\x00")]


@pytest.mark.parametrize("credential", [CREDENTIAL, HOSTILE, JWS])
def test_png_round_trip_with_one_uncompressed_itxt_after_ihdr(credential):
    baked = bake_png(_png(), credential)
    chunks = _walk(baked)
    assert all(ok for _, _, ok in chunks)
    assert chunks[0][0] == b"IHDR" and chunks[1][0] == b"iTXt" and chunks[-1][0] == b"IEND"
    (body,) = _credential_chunks(baked)
    header, text = body[:24], body[24:]
    assert header == b"openbadgecredential\x00\x00\x00\x00\x00"  # flag 0, method 0, empty language, empty keyword
    assert extract(baked) == credential
    if isinstance(credential, dict):
        assert text.decode() == json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    png.Reader(bytes=baked).read_flat()  # still a decodable image


def test_png_rebaking_replaces_the_credential():
    once = bake_png(_png(), CREDENTIAL)
    twice = bake_png(once, JWS)
    assert len(_credential_chunks(twice)) == 1
    assert extract(twice) == JWS


def test_png_corrupt_inputs_raise_baking_error():
    baked = bake_png(_png(), CREDENTIAL)
    flipped = bytearray(baked)
    flipped[70] ^= 0xFF  # inside the iTXt text: its CRC no longer matches
    with pytest.raises(BakingError, match="Checksum"):
        extract(bytes(flipped))
    for bad in (baked[:40], b"\x89PNG\r\n\x1a\nnonsense"):
        with pytest.raises(BakingError):
            extract(bad)
    with pytest.raises(BakingError, match="not baked"):
        extract(_png())


def test_png_compressed_itxt_is_refused():
    out = io.BytesIO()
    chunks = list(png.Reader(bytes=_png()).chunks())
    compressed = b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(json.dumps(CREDENTIAL).encode())
    png.write_chunks(out, [chunks[0], (b"iTXt", compressed), *chunks[1:]])
    with pytest.raises(BakingError, match="compress"):
        extract(out.getvalue())


def _credential_elements(svg: str) -> list[etree._Element]:
    return etree.fromstring(svg.encode()).findall(f"{{{OB}}}credential")


def test_svg_round_trip_embedded_proof_in_cdata():
    baked = bake_svg(SVG, CREDENTIAL)
    root = etree.fromstring(baked.encode())
    assert root.nsmap["openbadges"] == OB and root.nsmap["xlink"] == "http://www.w3.org/1999/xlink"
    assert root[0].tag == f"{{{OB}}}credential" and root[0].get("verify") is None
    assert "<![CDATA[" in baked
    assert extract(baked.encode()) == CREDENTIAL


def test_svg_round_trip_jwt_in_verify_attribute():
    baked = bake_svg(SVG, JWS)
    (element,) = _credential_elements(baked)
    assert element.get("verify") == JWS and not element.text and len(element) == 0
    assert extract(baked.encode()) == JWS


def test_svg_hostile_credential_text_stays_text():
    baked = bake_svg(SVG, HOSTILE)
    root = etree.fromstring(baked.encode())
    assert not list(root.iter("{http://www.w3.org/2000/svg}script", "script"))
    assert [el.tag for el in root.iter()].count(f"{{{OB}}}credential") == 1
    assert extract(baked.encode()) == HOSTILE


def test_svg_rebaking_replaces_the_credential():
    twice = bake_svg(bake_svg(SVG, CREDENTIAL), JWS)
    assert len(_credential_elements(twice)) == 1
    assert extract(twice.encode()) == JWS


@pytest.mark.parametrize(
    "svg",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>",
        b"<html><body/></html>",
        (
            b"<svg xmlns='http://www.w3.org/2000/svg' xmlns:openbadges='https://purl.imsglobal.org/ob/v3p0'>"
            b"<openbadges:credential>not json</openbadges:credential></svg>"
        ),
        b"GIF89a",
    ],
)
def test_svg_malformed_or_unbaked_inputs_raise_baking_error(svg):
    with pytest.raises(BakingError):
        extract(svg)


def test_svg_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    svg = (
        f'<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        "<openbadges:credential>&xxe;</openbadges:credential></svg>"
    ).encode()
    with pytest.raises(BakingError) as info:
        extract(svg)
    assert "TOP-SECRET" not in str(info.value)
    assert "TOP-SECRET" not in bake_svg(svg, CREDENTIAL)


def test_svg_entity_expansion_bombs_are_refused():
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {name} "{("&" + previous + ";") * 10}">' for previous, name in zip("abcdef", "bcdefg", strict=True)
    )
    bomb = f'<!DOCTYPE svg [{entities}]><svg xmlns="http://www.w3.org/2000/svg"><text>&g;</text></svg>'
    with pytest.raises(BakingError) as info:
        bake_svg(bomb, CREDENTIAL)
    assert info.value.subject == "svg"


def test_bad_credentials_are_refused_before_baking():
    with pytest.raises(BakingError) as info:
        bake_svg(SVG, 'abc" onload="alert(1)')
    assert info.value.subject == "credential"
    with pytest.raises(BakingError):
        bake_png(_png(), ["not", "a", "credential"])


# Default badge images
SVG_EL = "{http://www.w3.org/2000/svg}"
XSS_TITLES = [
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "]]><img src=x onerror=alert(1)>",
    "&lt;b&gt; &amp; ' \" \u0007bell",
]


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@pytest.mark.parametrize("title", XSS_TITLES)
def test_hostile_titles_are_text_only(title):
    root = etree.fromstring(default_badge_svg(title, 4, subtitle=title).encode())
    tags = {element.tag for element in root.iter()}
    assert tags <= {SVG_EL + t for t in ("svg", "title", "desc", "circle", "text", "rect")}
    for element in root.iter():
        assert not [name for name in element.attrib if name.lower().startswith("on")]
    assert root.find(SVG_EL + "title").text == " ".join(title.replace("\u0007", "").split())


def test_svg_is_accessible():
    root = etree.fromstring(default_badge_svg("Welding basics", 5).encode())
    assert root.get("role") == "img"
    assert root[0].tag == SVG_EL + "title" and root[0].text == "Welding basics"
    labelled_by = root.get("aria-labelledby").split()
    assert {root.find(SVG_EL + "title").get("id"), root.find(SVG_EL + "desc").get("id")} == set(labelled_by)
    assert "EQF level 5" in root.find(SVG_EL + "desc").text
    assert "EQF 5" in [t.text for t in root.iter(SVG_EL + "text")]


def test_every_level_colour_has_high_contrast_with_white_text():
    for colour in EQF_COLOURS.values():
        ratio = (1.0 + 0.05) / (_luminance(colour) + 0.05)
        assert ratio >= 7.0, colour


def test_long_titles_wrap_onto_three_lines_with_an_ellipsis():
    short = title_lines("Welding basics")
    assert short == ["Welding basics"]
    lines = title_lines("Welding fundamentals for pipeline maintenance technicians in offshore installations")
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(len(line) <= 16 for line in lines)
    root = etree.fromstring(default_badge_svg("x " * 60, None).encode())
    title_texts = [t for t in root.iter(SVG_EL + "text") if t.get("font-size") == "20"]
    assert len(title_texts) == 3


def test_no_level_means_no_ribbon_and_bad_levels_are_refused():
    root = etree.fromstring(default_badge_svg("Welding", None).encode())
    assert root.find(SVG_EL + "rect") is None
    for level in (0, 9, True, "4"):
        with pytest.raises(DefinitionError) as info:
            default_badge_svg("Welding", level)
        assert info.value.subject == "eqf_level"
    with pytest.raises(DefinitionError) as info:
        default_badge_svg(" \n ", 3)
    assert info.value.subject == "title"


def test_default_png_is_a_bakeable_image_carrying_its_title():
    image = default_badge_png("Schweißen <Grundlagen>", 6)
    width, height, pixels, info = png.Reader(bytes=image).read_flat()
    assert (width, height, info["alpha"]) == (256, 256, True)
    assert pixels[3] == 0  # transparent corner
    centre = (128 * 256 + 128) * 4
    assert tuple(pixels[centre : centre + 4]) == (0x7A, 0x3B, 0x00, 255)
    chunks = dict(png.Reader(bytes=image).chunks())
    assert chunks[b"iTXt"] == b"Title\x00\x00\x00\x00\x00" + "Schweißen <Grundlagen>".encode()
    credential = {"id": "urn:uuid:1", "name": "x"}
    assert extract(bake_png(image, credential)) == credential
