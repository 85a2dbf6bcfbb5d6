"""The import direction of DESIGN.md, checked by walking every module's imports with `ast`.

Lower layers never import higher ones; backends never import widget libraries; `import
colab_panel` loads none of the heavy libraries.
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
    "runtime": 1, "drive": 1, "staging": 1, "share": 1, "monitor": 1, "colab": 1,
    "checkpoints": 1, "transfers": 1,
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
