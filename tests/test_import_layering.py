"""The package's import graph: no cycle between modules, no edge against the layering.

The allowed layering, from the ground up (an arrow is "may import")::

    course_templates  ->  microcredential_xblock.blocks  ->  badge_issuer
           \\--------------------------------------------->  badge_issuer
    microcredential_xblock (service, platform, wallet, demo, management)  ->  badge_issuer

- ``badge_issuer`` is framework-free (docs/internal-api.md): it imports nothing of the other two.
  The ``microvet course`` command reaches course_templates through an entry point, not an import.
- ``microcredential_xblock`` never imports ``course_templates`` (the course tools are authoring
  tools built on the blocks, not part of a running platform).
- ``course_templates`` uses the blocks (their OLX readers and writers, the editor's checks) but
  nothing that needs Django's ORM or a platform: not ``service``, ``platform``, ``wallet``,
  ``demo`` or ``management``. The course tools run on an author's machine without a database.

Every ``import`` and ``from ... import`` counts, at module level or inside a function (a deferred
import is still a dependency, and an import cycle hidden in a function is still a cycle). Importing
``a.b.c`` also imports the packages ``a`` and ``a.b``: those edges count too.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("badge_issuer", "microcredential_xblock", "course_templates")
#: (importer prefix, imported prefix, why the edge is against the layering).
FORBIDDEN = (
    ("badge_issuer", "microcredential_xblock", "badge_issuer is the framework-free ground floor"),
    ("badge_issuer", "course_templates", "badge_issuer is the ground floor (course commands: entry point)"),
    ("microcredential_xblock", "course_templates", "the platform code does not need the authoring tools"),
    *(
        ("course_templates", f"microcredential_xblock.{part}", "the course tools need no database nor platform")
        for part in ("service", "platform", "wallet", "demo", "management")
    ),
)
#: Cycles known and not yet broken, each as the sorted modules of one strongly connected component
#: (none: service.lifecycle gets ``api.evaluate`` from its callers and finds the tasks by name).
KNOWN_CYCLES: set[tuple[str, ...]] = set()


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package's __init__)."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = _modules()


def _imported_names(name: str, path: Path, is_package: bool) -> Iterator[str]:
    """Every module name an import statement anywhere in the file names (absolute, maybe external)."""
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)  # from package import submodule


def _edges() -> dict[str, set[str]]:
    """Module -> the package modules it imports (with the packages that importing them imports)."""
    edges: dict[str, set[str]] = {}
    for name, (path, is_package) in MODULES.items():
        own_packages = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        targets = set()
        for imported in _imported_names(name, path, is_package):
            parts = imported.split(".")
            prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
            targets |= {p for p in prefixes if p in MODULES} - own_packages - {name}
        edges[name] = targets
    return edges


EDGES = _edges()


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the components with more than one module (the cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def _cycle_path(component: list[str]) -> str:
    """The shortest cycle through a component's first module, for the failure message: a -> b -> a."""
    members, start = set(component), component[0]
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for step in sorted(EDGES[node] & members):
            if step == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return " -> ".join([*reversed(path), start])
            if step not in previous:
                previous[step] = node
                queue.append(step)
    raise AssertionError(f"{component} is not a cycle")


def test_the_walk_sees_the_whole_package():
    """Guards the walk itself: known module-level, function-level and relative imports are found."""
    assert {"badge_issuer.cli", "course_templates.cli", "microcredential_xblock.service.api"} <= set(MODULES)
    assert "badge_issuer.jwk" in EDGES["badge_issuer.proofs.jwt"]  # relative, module level
    assert "badge_issuer.proofs" in EDGES["badge_issuer.verify"]  # from .proofs import Check
    assert "course_templates.checker" in EDGES["course_templates.cli"]  # inside a function
    assert "microcredential_xblock.platform.checks" in EDGES["microcredential_xblock.service.lifecycle"]  # deferred


def test_no_import_cycle():
    cycles = {tuple(c) for c in _strongly_connected(EDGES)}
    new = [_cycle_path(list(c)) for c in sorted(cycles - KNOWN_CYCLES)]
    assert not new, "import cycles:\n" + "\n".join(new)
    assert cycles == KNOWN_CYCLES, f"a known cycle changed or is gone: update KNOWN_CYCLES to {sorted(cycles)}"


def test_no_edge_against_the_layering():
    wrong = [
        f"{importer} -> {imported}: {why}"
        for importer, targets in sorted(EDGES.items())
        for imported in sorted(targets)
        for low, high, why in FORBIDDEN
        if (importer == low or importer.startswith(low + ".")) and (imported == high or imported.startswith(high + "."))
    ]
    assert not wrong, "\n".join(wrong)
