"""The uploaded badge image in Open edX: a course asset in the platform's contentstore (ADR 0017).

The platform is not installed here: ``xmodule.contentstore`` is stood in for by a double that behaves
like edx-platform's where the block depends on it (the platform's code is not copied): asset keys from
``StaticContent.compute_location`` (real opaque keys, so ``asset-v1:...`` as the platform names them),
``contentstore().save`` keeping a ``StaticContent`` under its location, ``find`` returning it or raising
``xmodule.exceptions.NotFoundError``. The workbench's file store is tested in test_credential_block.py.
"""

from __future__ import annotations

import sys
import types

import pytest
from opaque_keys.edx.keys import UsageKey
from xblock.field_data import DictFieldData
from xblock.fields import ScopeIds
from xblock.test.toy_runtime import ToyRuntime

from microcredential_xblock import compat
from microcredential_xblock.blocks.credential import MicroCredentialXBlock
from tests.test_credential_block import call, editor_form, make_block
from tests.test_editor import data_uri, png_bytes

USAGE = UsageKey.from_string("block-v1:Aurora+MC101+2026+type@microcredential+block@mc1")


class NotFoundError(Exception):
    """``xmodule.exceptions.NotFoundError``."""


class StaticContent:
    """``xmodule.contentstore.content.StaticContent``: the parts the block uses."""

    def __init__(self, loc, name, content_type, data, **_kwargs):
        self.location, self.name, self.content_type, self._data = loc, name, content_type, data

    @property
    def data(self):
        return self._data

    @staticmethod
    def compute_location(course_key, path, revision=None, is_thumbnail=False):
        return course_key.make_asset_key("asset", path.replace("/", "_")).for_branch(None)

    @staticmethod
    def serialize_asset_key_with_slash(asset_key):
        return "/" + str(asset_key)


class ContentStore:
    """The contentstore: one StaticContent per asset key; ``find`` raises for a missing one."""

    def __init__(self):
        self.assets = {}

    def save(self, content):
        self.assets[content.location] = content
        return content

    def find(self, location, throw_on_not_found=True, as_stream=False):
        if location not in self.assets:
            raise NotFoundError(location)
        return self.assets[location]


@pytest.fixture
def store(monkeypatch):
    contentstore = ContentStore()
    content = types.ModuleType("xmodule.contentstore.content")
    content.StaticContent = StaticContent
    django_module = types.ModuleType("xmodule.contentstore.django")
    django_module.contentstore = lambda name="default": contentstore
    exceptions = types.ModuleType("xmodule.exceptions")
    exceptions.NotFoundError = NotFoundError
    for name, module in {
        "xmodule": types.ModuleType("xmodule"),
        "xmodule.contentstore": types.ModuleType("xmodule.contentstore"),
        "xmodule.contentstore.content": content,
        "xmodule.contentstore.django": django_module,
        "xmodule.exceptions": exceptions,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    return contentstore


def course_block(draft_branch: bool = False) -> MicroCredentialXBlock:
    """A block of a real course key (Studio hands blocks out with a branch in their keys)."""
    usage = USAGE.for_branch("draft-branch") if draft_branch else USAGE
    sample = make_block()
    block = MicroCredentialXBlock(
        ToyRuntime("author"), DictFieldData({}), ScopeIds("author", "microcredential", "d", usage)
    )
    block.display_name, block.definition, block.rules = sample.display_name, sample.definition, sample.rules
    return block


def test_an_upload_is_saved_as_the_courses_asset(store, settings):
    block = course_block(draft_branch=True)
    upload = data_uri(png_bytes())
    settings.MICROVET = {k: v for k, v in settings.MICROVET.items() if k != "ASSETS_DIR"}  # Open edX has none
    assert call(block, "studio_submit", dict(editor_form(block), image=upload))["ok"] is True
    ((location, content),) = store.assets.items()
    name = block.definition["image"].removeprefix("/static/")
    assert (
        StaticContent.serialize_asset_key_with_slash(location) == f"/asset-v1:Aurora+MC101+2026+type@asset+block@{name}"
    )
    assert (content.name, content.content_type, content.data) == (name, "image/png", png_bytes())
    assert block.definition_dict()["image"] == upload  # found again through contentstore().find


def test_a_missing_asset_is_a_problem_not_an_error(store):
    block = course_block()
    compat.save_course_asset(block, "microvet-badge-a.png", png_bytes(), "image/png")
    block.definition = {**block.definition, "image": "/static/microvet-badge-a.png"}
    assert block.problems() == {}
    store.assets.clear()  # deleted on Studio's Files page
    again = course_block()  # the next request's block (each reads the asset once)
    again.definition = block.definition
    assert "upload it again" in again.problems()["image"]


def test_compat_reads_what_it_saved_and_none_for_an_unknown_name(store):
    block = course_block()
    compat.save_course_asset(block, "x.png", b"bytes", "image/png")
    assert compat.read_course_asset(block, "x.png") == b"bytes"
    assert compat.read_course_asset(block, "y.png") is None
