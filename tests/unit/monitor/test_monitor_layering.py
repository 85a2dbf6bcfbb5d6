"""The monitor is a backend: no widget imports, and no pynvml/psutil at import time."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "colab_panel" / "monitor"
FORBIDDEN = ("ipywidgets", "traitlets", "anywidget", "plotly", "torch",
             "colab_panel.controllers", "colab_panel.views", "colab_panel.widgets",
             "colab_panel.panel")


def imported_names(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_monitor_imports_no_front_end_code():
    for path in PACKAGE.glob("*.py"):
        for name in imported_names(path):
            assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"


def test_importing_the_monitor_loads_neither_pynvml_nor_psutil():
    code = ("import json, sys, colab_panel.monitor\n"
            "print(json.dumps([m for m in ('pynvml', 'psutil', 'ipywidgets', 'traitlets')"
            " if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert json.loads(done.stdout) == []
