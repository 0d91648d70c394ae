"""Default badge images for definitions that bring none: an accessible SVG and a plain PNG.

The SVG is built with lxml, so every piece of text (title, subtitle) is escaped by the library
and can only ever be text. The PNG is drawn with pypng (already needed for baking): no text
rendering, which would need a font stack; its title travels in a standard ``Title`` iTXt chunk.
"""

from __future__ import annotations

import io
import textwrap
import unicodedata
import zlib
from collections.abc import Mapping
from typing import Any

import png
from lxml import etree

from .bake import set_itxt
from .errors import DefinitionError
from .vocab import EU_SNB

SVG_NS = "http://www.w3.org/2000/svg"
SIZE = 256
#: One dark background per EQF level; white text on each has a contrast ratio of at least 7:1 (WCAG AAA).
EQF_COLOURS: dict[int, str] = {
    1: "#0f5257",
    2: "#2d5a27",
    3: "#1d3f72",
    4: "#5b2a86",
    5: "#7b1e3a",
    6: "#7a3b00",
    7: "#213547",
    8: "#4a1f1f",
}
DEFAULT_COLOUR = "#1d3f72"
MAX_LINES = 3
LINE_WIDTH = 16
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"


def _clean(text: str, field: str) -> str:
    """Whitespace collapsed and control characters dropped (lxml refuses them, and they show as boxes)."""
    if not isinstance(text, str):
        raise DefinitionError(field, "must be a string")
    cleaned = "".join(c for c in " ".join(text.split()) if unicodedata.category(c) not in ("Cc", "Cs"))
    if not cleaned:
        raise DefinitionError(field, "must not be empty")
    return cleaned


def _colour(eqf_level: int | None) -> str:
    if eqf_level is None:
        return DEFAULT_COLOUR
    if isinstance(eqf_level, bool) or eqf_level not in EQF_COLOURS:
        raise DefinitionError("eqf_level", f"{eqf_level!r} must be an EQF level from 1 to 8")
    return EQF_COLOURS[eqf_level]


def title_lines(title: str) -> list[str]:
    """The title wrapped onto at most three lines, the last ending in an ellipsis if cut."""
    return textwrap.wrap(_clean(title, "title"), LINE_WIDTH, max_lines=MAX_LINES, placeholder=" …")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{SVG_NS}}}{tag}", {k.replace("_", "-"): v for k, v in attributes.items()})
    element.text = text
    return element


def default_badge_svg(title: str, eqf_level: int | None, *, subtitle: str = "Micro-credential") -> str:
    """A round badge: subtitle, the wrapped title and (if known) the EQF level on a ribbon."""
    colour = _colour(eqf_level)
    full_title = _clean(title, "title")
    subtitle = _clean(subtitle, "subtitle")
    level = f"EQF {eqf_level}" if eqf_level is not None else ""
    root = etree.Element(
        f"{{{SVG_NS}}}svg",
        {
            "viewBox": f"0 0 {SIZE} {SIZE}",
            "width": str(SIZE),
            "height": str(SIZE),
            "role": "img",
            "aria-labelledby": "badge-title badge-desc",
        },
        nsmap={None: SVG_NS},
    )
    _sub(root, "title", full_title, id="badge-title")
    _sub(root, "desc", ", ".join(filter(None, [subtitle, level and f"EQF level {eqf_level}"])), id="badge-desc")
    _sub(root, "circle", cx="128", cy="128", r="124", fill=colour)
    _sub(root, "circle", cx="128", cy="128", r="110", fill="none", stroke="#ffffff", stroke_width="4")
    text_style = {"fill": "#ffffff", "font_family": FONT, "text_anchor": "middle"}
    _sub(root, "text", subtitle.upper(), x="128", y="70", font_size="13", letter_spacing="1", **text_style)
    lines = title_lines(title)
    first_y = 128 - (len(lines) - 1) * 12
    for number, line in enumerate(lines):
        _sub(
            root,
            "text",
            line,
            x="128",
            y=str(first_y + number * 24 + 7),
            font_size="20",
            font_weight="bold",
            **text_style,
        )
    if level:
        _sub(root, "rect", x="78", y="172", width="100", height="28", rx="14", fill="#ffffff")
        _sub(
            root,
            "text",
            level,
            x="128",
            y="191",
            font_size="15",
            font_weight="bold",
            fill=colour,
            font_family=FONT,
            text_anchor="middle",
        )
    return etree.tostring(root, encoding="unicode")


def default_badge_of(credential: Mapping[str, Any] | str, kind: str) -> bytes:
    """The default badge (``kind`` "svg" or "png") for a credential: its achievement's name and EQF level.

    A VC-JWT (a string) gets the generic title and colour: its claims are not read here.
    """
    document = credential if isinstance(credential, Mapping) else {}
    achievement = (document.get("credentialSubject") or {}).get("achievement") or {}
    title = achievement.get("name") or document.get("name") or "Micro-credential"
    eqf = next(
        (
            int(a["targetCode"])
            for a in achievement.get("alignment", [])
            if str(a.get("targetUrl", "")).startswith(f"{EU_SNB}eqf/")
        ),
        None,
    )
    return default_badge_svg(title, eqf).encode("utf-8") if kind == "svg" else default_badge_png(title, eqf)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def default_badge_png(title: str, eqf_level: int | None) -> bytes:
    """A 256 x 256 RGBA disc in the level's colour with a white ring; ``title`` goes in a Title iTXt chunk."""
    red, green, blue = _rgb(_colour(eqf_level))
    centre = (SIZE - 1) / 2
    rows = []
    for y in range(SIZE):
        row = []
        for x in range(SIZE):
            distance = ((x - centre) ** 2 + (y - centre) ** 2) ** 0.5
            coverage = min(max(124.5 - distance, 0.0), 1.0)  # one pixel of anti-aliasing at the edge
            ring = 106 <= distance <= 112
            row.extend((255, 255, 255) if ring else (red, green, blue))
            row.append(round(coverage * 255))
        rows.append(row)
    out = io.BytesIO()
    png.Writer(SIZE, SIZE, alpha=True, greyscale=False, compression=zlib.Z_BEST_COMPRESSION).write(out, rows)
    return set_itxt(out.getvalue(), b"Title", _clean(title, "title"))
