"""The import direction of DESIGN.md, checked by walking every module's imports with `ast`.

Lower layers never import higher ones; backends never import widget libraries; no two modules
(and no two parts) import each other, directly or round a loop, even through an import inside a
function; `import colab_panel` loads none of the heavy libraries.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "colab_panel"

# layer of each top-level part of the package; a module may import its own layer or lower ones
LAYERS = {
    "errors": 0, "units": 0, "models": 0, "inputs": 0,
    "runtime": 1, "disk": 1, "drive": 1, "staging": 1, "share": 1, "monitor": 1, "colab": 1,
    "checkpoints": 1, "transfers": 1, "endpoint": 1,
    "controllers": 2, "widgets": 2,
    "views": 3,
    "tabs": 4, "panel": 5,
    "cli": 6, "demo": 6, "__init__": 6, "__main__": 6,
}
WIDGET_LIBRARIES = {"ipywidgets", "anywidget", "plotly", "IPython.display"}
HEAVY = ["ipywidgets", "anywidget", "plotly", "pydrive2", "googleapiclient", "pynvml", "torch",
         "psutil", "traitlets", "cryptography", "zstandard"]


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _part(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING"))


def _imports_that_run(path: Path, modules: set[str], package_dir: Path = PACKAGE) -> set[str]:
    """The package's modules that `path` imports when it runs: at the top and inside functions
    (an import moved into a function still closes a loop, it only runs later). Imports under
    `if TYPE_CHECKING:` are left out: nothing runs them, annotations are strings here."""
    name = _module_name(path, package_dir)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    pending: list[ast.AST] = [ast.parse(path.read_text(), str(path))]
    while pending:
        node = pending.pop()
        if _is_type_checking(node):
            pending.extend(node.orelse)  # type: ignore[attr-defined]
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:  # `from pkg import module` imports the module
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        pending.extend(ast.iter_child_nodes(node))
    return {m for m in found if m in modules and m != name}


def _import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    paths = {_module_name(p, package): p for p in sorted(package.rglob("*.py"))}
    return {name: _imports_that_run(path, set(paths), package) for name, path in paths.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of nodes that reach each other (Tarjan's strongly connected components, size > 1)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _describe(cycles: list[list[str]], graph: dict[str, set[str]]) -> str:
    return "\n".join(f"{member} imports {sorted(graph[member] & set(group))}"
                     for group in cycles for member in group)


def test_the_cycle_finder_finds_loops_of_any_length_and_only_those():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": {"f", "a"}}
    assert _cycles(graph) == [["a", "b", "c"], ["d", "e"]]


def test_the_import_graph_sees_imports_inside_functions_and_not_type_checking_ones(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "a.py": "def later():\n    from pkg import b\n    import pkg.sub.c\n",
        "b.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import later\n"
                 "else:\n    from .sub import c\nimport json\n"),
        "sub/__init__.py": "from . import c\n",
        "sub/c.py": "from ..b import json\n",
    }
    for name, text in files.items():
        (package / name).write_text(text)
    assert _import_graph(package) == {
        "pkg": set(), "pkg.a": {"pkg.b", "pkg.sub.c"}, "pkg.b": {"pkg.sub.c"},
        "pkg.sub": {"pkg.sub.c"}, "pkg.sub.c": {"pkg.b"}}
    assert _cycles(_import_graph(package)) == [["pkg.b", "pkg.sub.c"]]


def test_no_two_modules_import_each_other():
    graph = _import_graph()
    cycles = _cycles(graph)
    assert not cycles, f"import cycles (move the shared piece to a module of its own):\n{_describe(cycles, graph)}"


def test_no_two_parts_import_each_other():
    """drive, staging, share, ...: a part may use another only if that one never uses it back."""
    graph = _import_graph()
    parts: dict[str, set[str]] = {}
    for module, targets in graph.items():
        part = _part_of(module)
        parts.setdefault(part, set()).update(_part_of(t) for t in targets if _part_of(t) != part)
    cycles = _cycles(parts)
    edges = [f"{m} imports {t}" for m, targets in sorted(graph.items()) for t in sorted(targets)
             if any(_part_of(m) in g and _part_of(t) in g and _part_of(m) != _part_of(t) for g in cycles)]
    assert not cycles, f"parts that import each other: {cycles}\n" + "\n".join(edges)


def _part_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_part_has_a_layer():
    unknown = {_part(p) for p in _modules()} - set(LAYERS)
    assert not unknown, f"give these a layer in LAYERS: {unknown}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path):
    part = _part(path)
    layer = LAYERS[part]
    for name in _imports(path):
        if name == "colab_panel" or not name.startswith("colab_panel."):
            continue
        target = name.split(".")[1]
        assert LAYERS.get(target, 99) <= layer, f"{part} (layer {layer}) imports {name}"
    if layer <= 1:
        widget_imports = [n for n in _imports(path) if n.split(".")[0] in WIDGET_LIBRARIES
                          or n == "traitlets" or n in WIDGET_LIBRARIES]
        assert not widget_imports, f"backend {part} imports widget libraries: {widget_imports}"


def test_controllers_and_widgets_do_not_import_each_other():
    for path in _modules():
        part = _part(path)
        other = {"controllers": "widgets", "widgets": "controllers"}.get(part)
        if other:
            assert not [n for n in _imports(path) if n.startswith(f"colab_panel.{other}")], path


def test_import_colab_panel_loads_no_heavy_library():
    code = ("import json, sys; import colab_panel; "
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
