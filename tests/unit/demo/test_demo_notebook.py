"""The demo notebook is valid nbformat 4.5 (cell ids: no MissingIDFieldWarning) and says its Drive is emulated."""

import json
import warnings

import nbformat

from colab_panel.demo.server import DEMO_NOTEBOOK


def test_demo_notebook_has_cell_ids_and_validates_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        notebook = nbformat.read(DEMO_NOTEBOOK, as_version=4)
        nbformat.validate(notebook)
    assert all(cell.get("id") for cell in notebook.cells)


def test_demo_says_its_drive_is_emulated():
    cells = json.loads(DEMO_NOTEBOOK.read_text())["cells"]
    words = "".join(cells[0]["source"])
    assert cells[0]["cell_type"] == "markdown" and "emulated" in words and "Google Drive" in words
