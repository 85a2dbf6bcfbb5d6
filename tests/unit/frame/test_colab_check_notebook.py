"""notebooks/colab_check.ipynb is run by a person in real Colab: keep it valid Python, with a
PASS/FAIL verdict in every cell that checks something, and the install it tells people to use."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

NOTEBOOK = Path(__file__).resolve().parents[3] / "notebooks" / "colab_check.ipynb"


def _code_cells():
    return [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code"]


def test_every_code_cell_is_valid_python():
    for source in _code_cells():
        ast.parse(source)


def test_checks_print_pass_or_fail_and_the_install_uses_the_wheel():
    cells = _code_cells()
    verdicts = [c for c in cells if "PASS" in c and "FAIL" in c]
    assert len(verdicts) >= 10
    assert "pip install -q\", WHEEL" in cells[0].replace("'", '"') or "WHEEL]" in cells[0]
    assert not any("pip install colab-panel" in c for c in cells)  # not published
