"""The real panel in real Chromium: JupyterLab, Voila, and JupyterLab posing as Colab."""

from __future__ import annotations

import json
import platform

from support.browser import open_notebook, run_notebook
from support.jupyter import jupyterlab, voila, write_notebook

PANEL_CELL = "from colab_panel import Panel\npanel = Panel()\npanel"


def _assert_header_is_true(page, frontend: str) -> str:
    header = page.locator(".cp-header .cp-facts")
    header.wait_for(timeout=90_000)
    page.wait_for_selector(".cp-fact-python", timeout=30_000)
    text = header.inner_text()
    assert page.locator(".cp-fact-frontend").inner_text() == frontend
    assert f"Python {platform.python_version()}" in text
    # this machine has no NVIDIA driver: the header says so, and why in the chip's tooltip
    assert page.locator(".cp-fact-gpu").inner_text() == "No GPU"
    assert "no NVIDIA driver" in page.locator(".cp-fact-gpu").get_attribute("title")
    assert "RAM" in text and "Disk" in text and "free" in text
    return text


def test_panel_in_jupyterlab(page, tmp_path):
    write_notebook(tmp_path / "panel.ipynb", [PANEL_CELL])
    with jupyterlab(tmp_path, tmp_path) as server:
        run_notebook(page, server, "panel.ipynb")
        _assert_header_is_true(page, "JupyterLab")
        assert "Session" not in page.locator(".cp-header").inner_text()


def test_panel_in_voila(page, tmp_path):
    notebook = write_notebook(tmp_path / "panel.ipynb", [PANEL_CELL])
    with voila(notebook, tmp_path) as server:
        page.goto(server.url, timeout=90_000)
        _assert_header_is_true(page, "Voila")


def test_panel_in_colab_stand_in(colab_page, tmp_path):
    write_notebook(tmp_path / "panel.ipynb", [PANEL_CELL])
    with jupyterlab(tmp_path, tmp_path, colab=True) as server:
        run_notebook(colab_page, server, "panel.ipynb")
        text = _assert_header_is_true(colab_page, "Colab")
        assert "Runtime up" in text  # Colab runtime age (12 h is only the free tier's limit)
    calls = [json.loads(line)["call"] for line in (tmp_path / "colab_stub.jsonl").read_text().splitlines()]
    assert calls[0] == "output.enable_custom_widget_manager"


READ_AT = "() => document.querySelector('.cp-facts-row').dataset.readAt"


def test_header_refreshes_on_click_and_on_its_own(page, tmp_path):
    write_notebook(tmp_path / "panel.ipynb", ["from colab_panel import Panel\nPanel(refresh_s=60)",
                                              "from colab_panel import Panel\nPanel(refresh_s=1)"])
    with jupyterlab(tmp_path, tmp_path) as server:
        open_notebook(page, server, "panel.ipynb")
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell-and-select-next')")
        page.wait_for_selector(".cp-fact-ram")
        first = page.evaluate(READ_AT)
        page.locator(".cp-header-refresh").click()
        page.wait_for_function(f"() => ({READ_AT})() !== {first!r}", timeout=30_000)
        # the second panel (1 s timer) replaces the first, then refreshes with no click at all
        page.locator(".jp-Cell").nth(1).locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        page.wait_for_selector("text=This panel was replaced by a newer one.")
        rows = page.locator(".cp-facts-row")
        rows.first.wait_for()
        seen = rows.first.get_attribute("data-read-at")
        page.wait_for_function(
            f"() => document.querySelector('.cp-facts-row').dataset.readAt !== {seen!r}",
            timeout=30_000)
