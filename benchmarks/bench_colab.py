"""The panel in the Colab stand-in (tests/colab_standin: Colab's origins, widget managers, port
proxy and dropped background messages), its kernel on Colab's pinned stack (.venv-colab):

- first paint: from running a cell to its output showing the panel's tab bar, next to a cell
  showing a bare `ipywidgets.Label`, measured the same way in the same page (medians of REPEAT,
  alternating; each Panel replaces the one before, as re-running a cell does);
- the Monitor during a 60 s busy cell: points the chart gains (goal: at least 55 of 60).

    python -m benchmarks.run colab
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import Row

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
REPEAT = 5
BUSY_S = 60
GOAL_POINTS = 55


def _kernel_python() -> str:
    colab = REPO / ".venv-colab" / "bin" / "python"
    return str(colab) if colab.exists() else sys.executable


def _shown_after(colab, code: str, selector: str) -> float:
    start = time.perf_counter()
    index = colab.run_cell(code, wait=False)
    colab.output_frame(index).locator(selector).first.wait_for(state="visible", timeout=120_000)
    return time.perf_counter() - start


def run() -> list[Row]:
    sys.path.insert(0, str(TESTS))
    import colab_standin
    from colab_standin import Colab
    from conftest import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    colab_standin.build()
    with tempfile.TemporaryDirectory() as tmp, \
            colab_standin.serve(Path(tmp), kernel_python=_kernel_python()) as server, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        colab = Colab(page, server).open()
        colab.run_cell("import ipywidgets\nfrom IPython.display import display\nfrom colab_panel import Panel")
        panel_s, label_s = [], []
        for _ in range(REPEAT):
            label_s.append(_shown_after(colab, "display(ipywidgets.Label('ready'))", ".widget-label"))
            panel_s.append(_shown_after(colab, "panel = Panel()\ndisplay(panel)",
                                        ".cp-tabs .cp-tabbar button"))
        # The Monitor through a busy cell, in the last panel's output.
        shown = colab.standin("s.cells.length") - 1
        colab.output_frame(shown).locator(".cp-tabs .cp-tabbar button", has_text="Monitor").click()
        chart = colab.output_frame(shown).locator(".cp-monitor-chart .cp-live-chart").first
        page.wait_for_timeout(8000)  # the frame loads and draws its first rows
        busy = colab.run_cell(f"import time\ntime.sleep({BUSY_S + 5})", wait=False)
        colab.wait_until_running(busy)
        before = int(chart.get_attribute("data-points") or 0)
        page.wait_for_timeout(BUSY_S * 1000)
        gained = int(chart.get_attribute("data-points") or 0) - before
        still_busy = colab.cell_status(busy) == "running"
        browser.close()
    panel, label = statistics.median(panel_s), statistics.median(label_s)
    return [
        Row("Colab stand-in: Panel() first paint vs a bare ipywidgets.Label (median of 5)",
            panel, label, "s", "(measured)", panel / label, True),
        Row(f"Colab stand-in: chart points gained during a {BUSY_S} s busy cell, of {BUSY_S}",
            float(gained), float(BUSY_S), "points", f">= {GOAL_POINTS} of {BUSY_S}",
            gained / BUSY_S, still_busy and gained >= GOAL_POINTS),
    ]
