"""Both blocks' linked resources are where XBlock serves them and where Open edX's collectstatic finds them.

Open edX serves XBlock resources in production from collected static files: its finder
(``openedx/core/lib/xblock_pipeline/finder.py``, with ``xblock_resource_pkg`` from
``openedx/core/lib/xblock_utils``; not on PyPI) lists, for each block class, the files under
``resources.files(<package above the block module's package>) / cls.get_resources_dir()`` and stores them as
``xblock/resources/<block module's package>/<path>``, while the page links
``xblock/resources/<block module's package>/<uri>``. The two functions below restate those two lines of
the platform (Teak); the real platform ran the same check in this project's platform runs.
"""

from __future__ import annotations

from importlib import resources

import pytest

from microcredential_xblock.blocks.assessment import OutcomeAssessmentXBlock
from microcredential_xblock.blocks.credential import MicroCredentialXBlock
from tests.test_assessment_block import Course
from tests.test_credential_block import api, fresh_toy_runtime, make_block  # noqa: F401 - fixtures

BLOCKS = (MicroCredentialXBlock, OutcomeAssessmentXBlock)


def xblock_resource_pkg(block_class: type) -> str:
    """The platform's ``xblock_resource_pkg``: the block module's package."""
    return block_class.__module__.rsplit(".", 1)[0]


def collected(block_class: type) -> set[str]:
    """The platform finder's paths (relative to ``xblock/resources/<pkg>/``) for one block class."""
    root = resources.files(xblock_resource_pkg(block_class).rsplit(".", 1)[0]) / block_class.get_resources_dir()
    found: set[str] = set()

    def walk(node, prefix: str) -> None:
        for item in node.iterdir():
            if item.is_dir():
                walk(item, f"{prefix}{item.name}/")
            elif item.name.rsplit(".", 1)[-1] not in ("py", "pyc", "scss"):
                found.add(prefix + item.name)

    walk(root, "")
    return found


def _linked(fragment) -> list[str]:
    """The package resources a fragment links (the test runtimes write /resource/<block type>/<uri>)."""
    return [r.data.split("/", 3)[3] for r in fragment.resources if r.kind == "url" and r.data.startswith("/resource/")]


@pytest.mark.parametrize("block_class", BLOCKS)
def test_the_finder_collects_our_public_files_and_nothing_outside_the_blocks(block_class):
    paths = collected(block_class)
    assert {"public/common/common.js", "public/credential/credential.js", "public/assessment/assessment.js"} <= paths
    assert all(p.startswith(("public/", "__pycache__/")) for p in paths), sorted(
        p for p in paths if "public/" not in p
    )[:5]


@pytest.mark.usefixtures("api")
def test_every_linked_resource_is_collected_and_served_by_xblock():
    fragments = {
        MicroCredentialXBlock: [make_block().author_view({}), make_block().studio_view({})],
        OutcomeAssessmentXBlock: [Course().learner().student_view({}), Course().learner().studio_view({})],
    }
    for block_class, views in fragments.items():
        linked = [uri for fragment in views for uri in _linked(fragment)]
        assert linked and set(linked) <= collected(block_class), set(linked) - collected(block_class)
        for uri in linked:
            with block_class.open_local_resource(uri) as resource:  # how XBlock (workbench, LMS in debug) serves it
                assert resource.read(1)
