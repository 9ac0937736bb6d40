"""The import graph of ``qwc_service`` has no cycles, between packages or between modules.

The layers themselves are checked by import-linter (``make imports``); a cycle inside one
package would not break a layer, so it is looked for here.
"""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import grimp

import qwc_service.qbxml


def _cycles(graph: grimp.ImportGraph) -> list[set[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(group)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_through_others() -> None:
    """No chain of imports inside ``qwc_service`` leads back to where it started."""
    assert _cycles(grimp.build_graph("qwc_service")) == []


def test_a_cycle_would_be_found() -> None:
    """The search reports a cycle when there is one (checked on a graph built by hand)."""
    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(name)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert _cycles(graph) == [{"pkg.a", "pkg.b"}]


def test_the_simulator_may_import_only_the_object_registry_of_qbxml() -> None:
    """The simulator contract forbids every module of qbxml but ``qbxml.objects``."""
    config = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    contract = next(c for c in contracts if c["id"] == "simulator")
    modules = {
        f"qwc_service.qbxml.{info.name}"
        for info in pkgutil.iter_modules(qwc_service.qbxml.__path__)
    }
    forbidden = {m for m in contract["forbidden_modules"] if m.startswith("qwc_service.qbxml")}
    assert forbidden == modules - {"qwc_service.qbxml.objects"}
