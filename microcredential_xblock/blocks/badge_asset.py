"""The author's uploaded badge image as a course asset (ADR 0017): the block keeps ``/static/<name>``.

The editor validates the upload (a PNG data: URI of at most ``editor.IMAGE_MAX_BYTES``); the block
stores its bytes through ``compat.save_course_asset`` under a name made from their hash, so saving
the same image again changes nothing, and keeps the durable ``/static/`` reference Open edX uses for
course files (course export and import carry the file along). Published definitions, and so the
credentials, still carry the image itself as a data: URI: a credential must not depend on a course file.
"""

from __future__ import annotations

import base64
import hashlib

from badge_issuer.bake import is_png

from .. import compat
from .editor import IMAGE_MAX_BYTES

STATIC_PREFIX = "/static/"
PNG_DATA_URI_PREFIX = "data:image/png;base64,"


def is_reference(value: object) -> bool:
    """Whether a definition's ``image`` names a course asset (rather than holding the image or an https URL)."""
    return isinstance(value, str) and value.startswith(STATIC_PREFIX)


def store(block: object, data_uri: str) -> str:
    """Save an editor-validated PNG data: URI as a course asset of the block's course; its reference."""
    raw = base64.b64decode(data_uri.removeprefix(PNG_DATA_URI_PREFIX), validate=True)
    name = f"microvet-badge-{hashlib.sha256(raw).hexdigest()[:24]}.png"
    compat.save_course_asset(block, name, raw, "image/png")
    return STATIC_PREFIX + name


def data_uri(block: object, reference: str) -> str | None:
    """The image a reference names, as a data: URI; None when the course has no such PNG asset (or it
    is not a PNG within the upload limit: an OLX import may name any course file)."""
    raw = compat.read_course_asset(block, reference.removeprefix(STATIC_PREFIX))
    if raw is None or len(raw) > IMAGE_MAX_BYTES or not is_png(raw):
        return None
    return PNG_DATA_URI_PREFIX + base64.b64encode(raw).decode("ascii")
