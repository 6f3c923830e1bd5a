"""The layout rules of ARCHITECTURE.md, read from the source with ``ast``: nothing is imported or run.

Every import counts, at module level or inside a function: a function-level import is still a
dependency, and a cycle it closes only waits for the first call to show. The direction rules are
for the code that runs in production; tests run in the assembled project (its settings, its URLs,
other apps' rows) and may use any of it, but they take part in the cycle rule.
"""

import ast
import itertools
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"var", "node_modules", "static", "templates", "fixtures", "test-output", "__pycache__"}
APPS = ("content", "media_library", "llm", "operations", "common", "testing")
# Shared helpers below every app: they import nothing of the project but each other.
BASE_PACKAGES = ("common", "testing")
MAX_LINES = 400


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source} (line {self.line}) imports {self.target}"


def _top(name: str) -> str:
    return name.partition(".")[0]


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def is_test(name: str) -> bool:
    parts = name.split(".")
    return "tests" in parts or parts[-1] == "conftest" or parts[-1].startswith("test_")


def is_migration(name: str) -> bool:
    return "migrations" in name.split(".")


@cache
def modules() -> dict[str, Path]:
    """Every project module by dotted name (``pkg`` for ``pkg/__init__.py``)."""
    found = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for file in files:
            if file.endswith(".py"):
                parts = list((Path(folder) / file).relative_to(ROOT).with_suffix("").parts)
                if parts[-1] == "__init__":
                    parts.pop()
                found[".".join(parts)] = Path(folder) / file
    return found


def _resolve(dotted: str) -> str | None:
    """The project module ``dotted`` names, or the package it is in; None outside the project."""
    parts = dotted.split(".")
    while parts:
        if ".".join(parts) in modules():
            return ".".join(parts)
        parts.pop()
    return None


@cache
def edges_of(name: str) -> tuple[Edge, ...]:
    path = modules()[name]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [_resolve(alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(part for part in [*parent, base] if part)
            # ``from pkg import name``: the submodule pkg.name when there is one, else pkg itself.
            targets = [_resolve(f"{base}.{alias.name}") for alias in node.names]
        for target in targets:
            # A package's own __init__ runs before any of its modules: not an edge of theirs.
            if target and target != name and not name.startswith(target + "."):
                found.append(Edge(name, target, node.lineno))
    return tuple(sorted(set(found), key=lambda edge: (edge.line, edge.target)))


def all_edges() -> list[Edge]:
    return [edge for name in sorted(modules()) for edge in edges_of(name)]


def _report(edges: list[Edge]) -> str:
    return "\n" + "\n".join(str(edge) for edge in edges)


def test_the_scan_sees_the_project():
    names = modules()
    assert {"blog_project.settings", "content.models", "content.site.views", "media_library.models"} <= set(names)
    assert {"llm.client", "common", "testing", "bench.pages"} <= set(names)
    assert not [name for name in names if _top(name) in {".venv", "var"}]
    # Function-level and relative imports are seen too.
    assert "content.checks" in {edge.target for edge in edges_of("content.apps")}


def _production(edge: Edge) -> bool:
    return not is_test(edge.source)


def test_no_app_imports_the_project_wiring():
    wrong = [
        edge
        for edge in all_edges()
        if _production(edge) and _top(edge.source) in APPS and _top(edge.target) == "blog_project"
    ]
    assert not wrong, "blog_project is wiring; no app imports it:" + _report(wrong)


def test_the_readers_site_never_imports_the_editorial_side():
    wrong = [
        edge
        for edge in all_edges()
        if _within(edge.source, "content.site") and _within(edge.target, "content.editorial")
    ]
    assert not wrong, "content.site runs readers' requests; it never imports content.editorial:" + _report(wrong)


def test_dependencies_between_apps_go_one_way():
    """media_library depends on nothing of ours, llm on nothing of content."""
    forbidden = {"media_library": {"content", "llm"}, "llm": {"content"}}
    wrong = [
        edge for edge in all_edges() if _production(edge) and _top(edge.target) in forbidden.get(_top(edge.source), ())
    ]
    assert not wrong, "an app imports one it must not depend on:" + _report(wrong)


def test_shared_helpers_import_no_app():
    wrong = [
        edge
        for edge in all_edges()
        if _production(edge) and _top(edge.source) in BASE_PACKAGES and _top(edge.target) not in BASE_PACKAGES
    ]
    assert not wrong, "common/ and testing/ sit below every app and import none:" + _report(wrong)


def test_benchmarks_import_no_tests():
    wrong = [edge for edge in all_edges() if _top(edge.source) == "bench" and is_test(edge.target)]
    assert not wrong, "bench/ imports nothing under a tests package (move what it needs to testing/):" + _report(wrong)


def _cycles() -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan's algorithm)."""
    graph = {name: sorted({edge.target for edge in edges_of(name)}) for name in modules()}
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_path_through(component, graph) for component in components]


def _path_through(component: set[str], graph: dict[str, list[str]]) -> list[str]:
    """A cycle inside ``component``, from its first module back to it (breadth-first: a shortest one)."""
    start = min(component)
    previous = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in graph[node]:
            if target == start:
                path = [node]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if target in component and target not in previous:
                previous[target] = node
                queue.append(target)
    raise AssertionError(f"no cycle through {start}")  # a strongly connected component always has one


def test_no_import_cycles():
    cycles = _cycles()
    lines = []
    for cycle in cycles:
        steps = []
        for source, target in itertools.pairwise(cycle):
            line = next(edge.line for edge in edges_of(source) if edge.target == target)
            steps.append(f"{source}:{line}")
        lines.append(" -> ".join([*steps, cycle[-1]]))
    assert not cycles, "import cycles (module:line of each import):\n" + "\n".join(lines)


def test_modules_stay_small():
    """Past ~400 lines a module is split by concern (migrations and tests aside)."""
    long = {
        name: count
        for name, path in sorted(modules().items())
        if not is_test(name) and not is_migration(name)
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }  # fmt: skip
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_reads_import_no_writes():
    """A selectors module (reads) imports no services module (writes): rules both need live apart."""
    wrong = [
        edge
        for edge in all_edges()
        if _production(edge)
        and edge.source.rpartition(".")[2].endswith("selectors")
        and edge.target.rpartition(".")[2].endswith("services")
    ]
    assert not wrong, "a selectors module imports a services module:" + _report(wrong)
