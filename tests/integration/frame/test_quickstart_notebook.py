"""notebooks/quickstart.ipynb runs top to bottom in a real kernel (nbclient), with no error."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

QUICKSTART = Path(__file__).resolve().parents[3] / "notebooks" / "quickstart.ipynb"


def test_quickstart_runs_headless(tmp_path, monkeypatch):
    monkeypatch.setenv("COLAB_PANEL_DATA", str(tmp_path / "data"))
    nb = nbformat.read(QUICKSTART, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": tmp_path}}).execute()
    outputs = "".join(o.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                      for o in cell.get("outputs", []))
    assert "GPU:" in outputs and "100 files extracted" in outputs and "refused:" in outputs
    errors = [o for cell in nb.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
