"""The Staging tab's Kaggle token upload in JupyterLab: Playwright chooses kaggle.json, the file ends up
0600 where the kaggle package looks, the page says where, and the key is nowhere in the page."""

from __future__ import annotations

import json
import stat

from support.browser import run_notebook
from support.jupyter import jupyterlab, write_notebook

KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
PANEL_CELL = "from colab_panel import Panel\nPanel()"


def test_kaggle_json_chosen_in_the_page_is_stored_0600(page, tmp_path):
    config = tmp_path / "kaggle-config"
    token = tmp_path / "kaggle.json"
    token.write_text(json.dumps({"username": "lab-user", "key": KEY}))
    write_notebook(tmp_path / "kaggle.ipynb", [PANEL_CELL])
    with jupyterlab(tmp_path, tmp_path, env_extra={"KAGGLE_CONFIG_DIR": str(config)}) as server:
        run_notebook(page, server, "kaggle.ipynb")
        page.locator(".cp-tabs .cp-tabbar button", has_text="Staging").click()
        page.locator(".cp-kaggle-picker button").wait_for(timeout=60_000)
        page.locator(".cp-kaggle-picker input[type=file]").set_input_files(str(token))
        page.locator(".cp-kaggle-outcome .cp-ok").wait_for(timeout=30_000)
        outcome = page.locator(".cp-kaggle-outcome").inner_text()
        stored = config / "kaggle.json"
        assert str(stored) in outcome and "lab-user" in outcome
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600 and stat.S_IMODE(config.stat().st_mode) == 0o700
        assert json.loads(stored.read_text())["key"] == KEY
        assert str(stored) in page.locator(".cp-kaggle-status").inner_text()
        page_side = page.evaluate("() => document.documentElement.outerHTML + JSON.stringify("
                                  "[...document.querySelectorAll('input')].map(x => x.value))")
        assert "lab-user" in page_side and KEY not in page_side

        page.locator(".cp-kaggle-picker input[type=file]").set_input_files(
            files=[{"name": "notes.json", "mimeType": "application/json", "buffer": b'{"username": "x"}'}])
        page.get_by_text('it has no "key"').wait_for(timeout=30_000)
        assert json.loads(stored.read_text())["username"] == "lab-user"
