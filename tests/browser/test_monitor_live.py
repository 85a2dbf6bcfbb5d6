"""The Monitor tab keeps drawing while a cell is busy: JupyterLab over the comm channel, and the
Colab stand-in over the loopback HTTP endpoint (the page polls it through proxyPort).

"Gained points" is read from the chart's `data-points` attribute (rows drawn into the plotly
charts) at two moments while the kernel reports busy. No rates are asserted.
"""

from __future__ import annotations

from support.browser import open_notebook
from support.jupyter import jupyterlab, write_notebook

PANEL_CELL = "from colab_panel import Panel\npanel = Panel()\npanel"
SLEEP_CELL = "import time\ntime.sleep(15)"
CHART = ".cp-monitor-chart .cp-live-chart"
POINTS = f"() => Number(document.querySelector('{CHART}')?.dataset.points || 0)"
# The sleep cell's prompt reads "[*]:" while it runs. (The kernel's status is no witness:
# ipykernel 7 reports "idle" between the comm messages it handles while a cell runs.)
SLEEP_RUNNING = """() => {
  const prompt = document.querySelectorAll('.jp-Notebook .jp-Cell')[1]?.querySelector('.jp-InputPrompt');
  return Boolean(prompt && prompt.textContent.includes('*'));
}"""


def start_all_cells(page) -> None:
    """Run all cells without waiting for them (`support.browser.run_all_cells` returns only
    when the command's promise, i.e. the whole run, has finished)."""
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def _open_monitor_tab(page) -> None:
    page.locator(".cp-tabs .cp-tabbar button", has_text="Monitor").click()
    page.locator(".cp-monitor").wait_for(state="visible", timeout=30_000)


def _points_grow_while_busy(page) -> tuple[int, int]:
    """While the sleep cell runs, read the points twice: the second reading must be higher."""
    assert page.evaluate(SLEEP_RUNNING), "the sleep cell is not running (any more)"
    first = page.evaluate(POINTS)
    page.wait_for_function(f"() => ({POINTS})() > {first} + 1", timeout=12_000)
    assert page.evaluate(SLEEP_RUNNING), "the sleep cell ended before the chart was checked"
    return first, page.evaluate(POINTS)


def _chart_is_drawn(page) -> None:
    page.wait_for_function(f"() => document.querySelector('{CHART}')?.dataset.plotly === 'loaded'",
                           timeout=60_000)
    page.locator(f"{CHART} .cp-lc-plot-host .main-svg").first.wait_for(timeout=30_000)
    # no GPU here: one line above says why, and the host chart is the only chart
    assert "no NVIDIA driver" in page.locator(".cp-monitor-nogpu").inner_text()
    assert page.locator(f"{CHART} .cp-lc-chart").count() == 1


def test_monitor_draws_during_a_busy_cell_in_jupyterlab(page, tmp_path):
    write_notebook(tmp_path / "monitor.ipynb", [PANEL_CELL, SLEEP_CELL])
    with jupyterlab(tmp_path, tmp_path) as server:
        open_notebook(page, server, "monitor.ipynb")
        start_all_cells(page)
        page.wait_for_function(SLEEP_RUNNING, timeout=60_000)
        # The tab is still hidden: the page loads plotly.js in its idle time (so opening the tab
        # finds it ready) but draws no chart until the tab is shown.
        page.wait_for_function(f"() => document.querySelector('{CHART}')?.dataset.plotly === 'loaded'",
                               timeout=30_000)
        assert page.locator(f"{CHART} .cp-lc-plot").count() == 0
        _open_monitor_tab(page)
        assert page.locator(CHART).get_attribute("data-transport") == "comm"
        _chart_is_drawn(page)
        _points_grow_while_busy(page)
        assert page.locator(CHART).get_attribute("data-polls") == "0"  # pushed, not polled


def test_monitor_frame_draws_during_a_busy_cell_with_the_http_transport(colab_page, tmp_path):
    """The Colab transport run in JupyterLab with the kernel-side Colab stub: the chart is a page
    served by the kernel's endpoint, in an iframe, polling its own origin. (Colab's own page,
    origins and proxy are tested in tests/browser/colab.)"""
    page = colab_page
    write_notebook(tmp_path / "monitor.ipynb", [PANEL_CELL, SLEEP_CELL])
    with jupyterlab(tmp_path, tmp_path, colab=True) as server:
        open_notebook(page, server, "monitor.ipynb")
        start_all_cells(page)
        page.wait_for_function(SLEEP_RUNNING, timeout=60_000)
        _open_monitor_tab(page)
        assert page.locator(CHART).get_attribute("data-transport") == "http"
        page.wait_for_function(f"() => document.querySelector('{CHART}')?.dataset.frame === 'live'",
                               timeout=60_000)
        inner = page.frame_locator(f"{CHART} .cp-lc-frame").locator(".cp-live-chart")
        inner.locator(".cp-lc-plot-host .main-svg").first.wait_for(timeout=30_000)
        assert inner.locator(".cp-lc-chart").count() == 1  # the host chart alone: no GPU here
        assert "Change runtime type" in page.locator(".cp-monitor-nogpu").inner_text()
        assert inner.get_attribute("data-transport") == "poll"
        polls_before = int(page.locator(CHART).get_attribute("data-polls"))
        _points_grow_while_busy(page)
        assert int(page.locator(CHART).get_attribute("data-polls")) > polls_before
        calls = page.evaluate("() => window.__colabStubCalls")
        proxied = [c for c in calls if c["call"] == "kernel.proxyPort"]
        assert proxied and all(c["options"].get("cache") is False for c in proxied)


def test_clicking_the_monitor_tab_title_shows_it(page, tmp_path):
    write_notebook(tmp_path / "tabs.ipynb", [PANEL_CELL])
    with jupyterlab(tmp_path, tmp_path) as server:
        open_notebook(page, server, "tabs.ipynb")
        start_all_cells(page)
        tab = page.locator(".cp-tabs .cp-tabbar button", has_text="Monitor")
        tab.wait_for(timeout=90_000)
        _open_monitor_tab(page)
        assert "cp-tab-current" in (tab.get_attribute("class") or "")
        assert page.locator(".cp-monitor-controls").is_visible()
        status = page.locator(".cp-monitor-status")
        status.get_by_text("no NVIDIA driver").wait_for(timeout=30_000)
