"""Every ``MICROVET[...]`` key the code reads is documented the Open edX way, once, and the platform's
docs tooling (code-annotations, with the setting and feature-toggle configurations it ships) reads
the annotations without a linting error; our public filters carry openedx-filters' docstring sections."""

from __future__ import annotations

import ast
import inspect
import re
from importlib import resources
from pathlib import Path

import pytest
from code_annotations.base import AnnotationConfig
from code_annotations.find_static import StaticSearch
from openedx_filters.tooling import OpenEdxPublicFilter

from microcredential_xblock.platform import filters

PACKAGE = Path(__file__).resolve().parent.parent / "microcredential_xblock"
SETTING = "MICROVET"
#: code-annotations' own configurations: non-boolean settings, and boolean ones (feature toggles, OEP-17).
CONFIGS = {"setting": "setting_annotations.yaml", "feature_toggle": "feature_toggle_annotations.yaml"}
NAME_TOKENS = {"setting": ".. setting_name:", "feature_toggle": ".. toggle_name:"}
ANNOTATED_NAME = re.compile(rf"^{SETTING}\['([A-Z0-9_]+)'\]$")


def _reads_setting(node: ast.AST) -> bool:
    """``getattr(settings, "MICROVET", ...)`` or ``settings.MICROVET`` somewhere in the expression."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr == SETTING:
            return True
        if (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Name)
            and sub.func.id == "getattr"
            and len(sub.args) >= 2
            and isinstance(sub.args[1], ast.Constant)
            and sub.args[1].value == SETTING
        ):
            return True
    return False


def _string(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


class _Reads(ast.NodeVisitor):
    """Keys read from the setting in one module: ``raw["K"]`` / ``raw.get("K")`` on a value built from it
    (``raw = {**DEFAULTS, **getattr(settings, "MICROVET", {})}``), and ``accessor("K", ...)`` where an
    accessor is a function of the package that reads the setting by its first parameter."""

    def __init__(self, accessors: set[str]) -> None:
        self.accessors = accessors
        self.keys: set[str] = set()
        self._holders: set[str] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        outer, self._holders = self._holders, set()
        for statement in ast.walk(node):
            if isinstance(statement, ast.Assign) and _reads_setting(statement.value):
                self._holders |= {t.id for t in statement.targets if isinstance(t, ast.Name)}
        self.generic_visit(node)
        self._holders = outer

    def _holds_setting(self, node: ast.AST) -> bool:
        return (isinstance(node, ast.Name) and node.id in self._holders) or _reads_setting(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if self._holds_setting(node.value) and (key := _string(node.slice)):
            self.keys.add(key)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and self._holds_setting(func.value) and node.args:
            if key := _string(node.args[0]):
                self.keys.add(key)
        if isinstance(func, ast.Name) and func.id in self.accessors and node.args and (key := _string(node.args[0])):
            self.keys.add(key)
        self.generic_visit(node)


def _accessors(trees: list[ast.Module]) -> set[str]:
    """Functions ``f(name, ...)`` whose body reads ``MICROVET`` by ``name`` (``platform_setting``, ``_setting``)."""
    found = set()
    for tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef) or not node.args.args:
                continue
            parameter = node.args.args[0].arg
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "get"
                    and _reads_setting(call.func.value)
                    and call.args
                    and isinstance(call.args[0], ast.Name)
                    and call.args[0].id == parameter
                ):
                    found.add(node.name)
    return found


def keys_read() -> set[str]:
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))]
    accessors = _accessors(trees)
    keys: set[str] = set()
    for tree in trees:
        reads = _Reads(accessors)
        reads.visit(tree)
        keys |= reads.keys
    return keys


def _search(config_name: str, tmp_path: Path) -> StaticSearch:
    config_file = resources.files("code_annotations.contrib.config") / config_name
    with resources.as_file(config_file) as path:
        config = AnnotationConfig(str(path), str(tmp_path), 0, str(PACKAGE))
    return StaticSearch(config)


@pytest.fixture(scope="module")
def annotations(tmp_path_factory) -> dict[str, list[str]]:
    """kind -> the setting keys code-annotations found annotated, after its linting checks passed."""
    found: dict[str, list[str]] = {}
    for kind, config_name in CONFIGS.items():
        searcher = _search(config_name, tmp_path_factory.mktemp("annotations"))
        results = searcher.search()
        searcher.check_results(results)
        assert searcher.errors == [], f"code-annotations ({config_name}):\n" + "\n".join(searcher.errors)
        names = [
            a["annotation_data"]
            for file_results in results.values()
            for a in file_results
            if a["annotation_token"] == NAME_TOKENS[kind]
        ]
        assert all(ANNOTATED_NAME.match(name) for name in names), names
        found[kind] = [ANNOTATED_NAME.match(name).group(1) for name in names]
    return found


def test_the_scan_finds_the_reads_of_every_kind():
    """The reader of this test: a default dict merged over the setting, ``.get`` on it, the accessors."""
    read = keys_read()
    assert {"BASE_URL", "WALLET_TX_CODE", "ALLIANCE_RESOLVE_DIR", "RETRY_SECONDS", "CELERY_QUEUE", "SIGNS"} <= read
    assert "REVOKE_WITH_CERTIFICATE" in read  # through platform_setting("REVOKE_WITH_CERTIFICATE")


def test_every_key_read_is_annotated_once_and_every_annotation_is_read(annotations):
    annotated = annotations["setting"] + annotations["feature_toggle"]
    assert sorted(k for k in set(annotated) if annotated.count(k) > 1) == [], "annotated more than once"
    read = keys_read()
    assert sorted(read - set(annotated)) == [], "read but not annotated"
    assert sorted(set(annotated) - read) == [], "annotated but never read"


def test_boolean_keys_are_feature_toggles(annotations):
    """OEP-17: a boolean setting is a feature toggle (``.. toggle_name:``), the others ``.. setting_name:``."""
    from microcredential_xblock.platform.plugin_settings import CMS_DEFAULTS, LMS_DEFAULTS  # noqa: PLC0415
    from microcredential_xblock.service.config import DEFAULTS  # noqa: PLC0415
    from microcredential_xblock.wallet.settings import DEFAULTS as WALLET_DEFAULTS  # noqa: PLC0415

    defaults = {**DEFAULTS, **WALLET_DEFAULTS, **LMS_DEFAULTS, **CMS_DEFAULTS}
    booleans = sorted(key for key, value in defaults.items() if isinstance(value, bool))
    assert sorted(annotations["feature_toggle"]) == booleans


def _public_filters() -> list[type[OpenEdxPublicFilter]]:
    return [
        value
        for value in vars(filters).values()
        if inspect.isclass(value) and issubclass(value, OpenEdxPublicFilter) and value.__module__ == filters.__name__
    ]


@pytest.mark.parametrize("public_filter", _public_filters(), ids=lambda f: f.__name__)
def test_our_public_filters_are_documented_as_openedx_filters_documents_its_own(public_filter):
    """openedx-filters' docstring sections (Purpose, Filter Type, Trigger), the type as the class says."""
    doc = inspect.getdoc(public_filter)
    sections = re.findall(r"^(Purpose|Filter Type|Trigger):$", doc, flags=re.MULTILINE)
    assert sections == ["Purpose", "Filter Type", "Trigger"], doc
    assert re.search(rf"^Filter Type:\n\s+{re.escape(public_filter.filter_type)}$", doc, flags=re.MULTILINE), doc
    assert re.search(r"^\s+- Path: microcredential_xblock/\S+\.py$", doc, flags=re.MULTILINE), doc


def test_both_of_our_filters_are_found():
    assert sorted(f.__name__ for f in _public_filters()) == [
        "MicroCredentialIssuanceRequested",
        "MicroCredentialIssued",
    ]
