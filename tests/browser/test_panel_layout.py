"""Every tab of the panel in JupyterLab, Notebook 7 and Voila, light and dark, 1400, 900 and 600 px
wide: nothing overflows its box and every piece of text reaches WCAG AA contrast (4.5:1) on the
background it is drawn on.

The Drive tab talks to the demo's emulated Drive, so it shows a real listing, and the Share tab
shows a folder's links, each row with its copy button; the Staging tab shows a finished run. Screenshots of every
tab, theme and width are kept in test-artifacts/layout/ to look at.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from colab_panel.demo.drive_sample import DATASETS_ID, demo_drive, emulator_env
from support.browser import KERNEL_IDLE, open_notebook, run_all_cells
from support.jupyter import jupyterlab, notebook7, voila, write_notebook
from support.layout_checks import low_contrast, overflowing

PANEL_CELL = "from colab_panel import Panel\nPanel()"
WIDTHS = (1400, 900, 600)
LAB_THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
TABS = ("Drive", "Staging", "Share", "Monitor")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "layout"


@pytest.fixture(scope="module")
def drive_env(tmp_path_factory):
    with demo_drive(tmp_path_factory.mktemp("drive")) as emulator:
        yield emulator_env(emulator)


@pytest.fixture(scope="module")
def lab(tmp_path_factory, drive_env):
    tmp = tmp_path_factory.mktemp("lab")
    write_notebook(tmp / "panel.ipynb", [PANEL_CELL])
    _sample_folder(tmp)
    with jupyterlab(tmp, tmp, env_extra=drive_env) as server:
        yield server


def _open_tab(page, title: str) -> None:
    page.locator(".cp-tabbar button", has_text=title).click()
    page.wait_for_selector(f".cp-tab-{title.lower()}:not(.cp-tab-loading)", timeout=60_000)
    if title == "Drive":  # its first listing comes from the (emulated) Drive a moment later
        page.wait_for_function("() => !document.querySelector('.cp-tab-drive').innerText"
                               ".includes('Connecting')", timeout=60_000)
    page.wait_for_timeout(800)  # the tab's first render and any fonts settle


def _show_share_links(page) -> None:
    """The Share tab with its link rows (each a label, the link and a copy button) shown."""
    _open_tab(page, "Share")
    page.locator(".cp-share-target input").fill(DATASETS_ID)
    page.locator("button.cp-share-show").click()
    page.locator(".cp-share-link-row .cp-copy-button").first.wait_for(timeout=60_000)


def _sample_folder(root: Path) -> None:
    """A small folder beside the notebook for the Staging tab to stage (the kernel's cwd)."""
    folder = root / "sample_data" / "images"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(3):
        (folder / f"picture_{i}.txt").write_text("pixels " * 100)


def _show_staging_result(page) -> None:
    """The Staging tab after a run: its result box (path, files, size, the snippet to use it)."""
    _open_tab(page, "Staging")
    page.locator(".cp-staging-source input").fill("sample_data")
    page.locator("button.cp-staging-stage").click()
    page.locator(".cp-staging-result-box").wait_for(timeout=60_000)


def _check_every_tab(page, where: str) -> list[str]:
    problems: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    _show_share_links(page)
    _show_staging_result(page)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1600})
        for title in TABS:
            _open_tab(page, title)
            name = f"{where}-{width}-{title.lower()}"
            page.locator(".cp-panel").first.screenshot(path=str(SHOTS / f"{name}.png"))
            for item in overflowing(page):
                problems.append(f"{name}: overflows {json.dumps(item)}")
            for item in low_contrast(page):
                problems.append(f"{name}: contrast {json.dumps(item)}")
    return problems


@pytest.mark.parametrize("theme", sorted(LAB_THEMES))
def test_every_tab_fits_and_reads_in_jupyterlab(page, lab, theme):
    open_notebook(page, lab, "panel.ipynb")
    page.evaluate("(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})",
                  LAB_THEMES[theme])
    page.wait_for_selector(f"body[data-jp-theme-name='{LAB_THEMES[theme]}']", state="attached",
                           timeout=30_000)
    # the notebook gets the whole width, as a Colab output does (no file browser beside it)
    page.evaluate("() => window.jupyterapp.shell.leftCollapsed"
                  " || window.jupyterapp.commands.execute('application:toggle-left-area')")
    run_all_cells(page)
    page.wait_for_selector(".cp-panel .cp-fact-python", timeout=90_000)
    problems = _check_every_tab(page, f"lab-{theme}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


@pytest.mark.parametrize("theme", sorted(LAB_THEMES))
def test_every_tab_fits_and_reads_in_notebook7(page, tmp_path, drive_env, theme):
    write_notebook(tmp_path / "panel.ipynb", [PANEL_CELL])
    _sample_folder(tmp_path)
    with notebook7(tmp_path, tmp_path, env_extra=drive_env) as server:
        page.goto(f"{server.url}notebooks/panel.ipynb?token={server.token}", timeout=90_000)
        page.wait_for_selector(".jp-Notebook", timeout=90_000)
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands"
                               ".hasCommand('apputils:change-theme')", timeout=90_000)
        page.evaluate("(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})",
                      LAB_THEMES[theme])
        page.wait_for_selector(f"body[data-jp-theme-name='{LAB_THEMES[theme]}']", state="attached",
                               timeout=30_000)
        page.wait_for_function(KERNEL_IDLE, timeout=90_000)
        run_all_cells(page)
        page.wait_for_selector(".cp-panel .cp-fact-python", timeout=90_000)
        problems = _check_every_tab(page, f"nb7-{theme}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_tab_fits_and_reads_in_voila(page, tmp_path, drive_env, theme):
    notebook = write_notebook(tmp_path / "panel.ipynb", [PANEL_CELL])
    _sample_folder(tmp_path)
    with voila(notebook, tmp_path, env_extra=drive_env) as server:
        page.goto(f"{server.url}?theme={theme}", timeout=90_000)
        page.wait_for_selector(".cp-panel .cp-fact-python", timeout=90_000)
        problems = _check_every_tab(page, f"voila-{theme}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


TICK_LIGHTNESS = """() => {
  const tick = document.querySelector('.cp-lc-plot-host .ytick text');
  if (!tick) return null;
  const [r, g, b] = getComputedStyle(tick).fill.match(/[\\d.]+/g).map(Number);
  return (r + g + b) / 3;
}"""


def test_chart_colours_follow_a_theme_switch(page, lab):
    """Plotly draws with colours resolved from the theme: switching JupyterLab to dark while the
    chart is shown redraws its axis labels light."""
    open_notebook(page, lab, "panel.ipynb")
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', "
                  "{theme: 'JupyterLab Light'})")
    page.wait_for_selector("body[data-jp-theme-name='JupyterLab Light']", state="attached")
    run_all_cells(page)
    page.wait_for_selector(".cp-panel .cp-fact-python", timeout=90_000)
    _open_tab(page, "Monitor")
    page.wait_for_function(f"() => ({TICK_LIGHTNESS})() !== null", timeout=60_000)
    assert page.evaluate(TICK_LIGHTNESS) < 128  # dark labels on the light theme
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', "
                  "{theme: 'JupyterLab Dark'})")
    page.wait_for_function(f"() => ({TICK_LIGHTNESS})() > 128", timeout=30_000)
