"""Where the Monitor's first chart spends its time: the strict run of `bench_panel` (run the
cell, click Monitor as soon as the tab bar shows), printing the chart's timing marks in ms
after "run all" for each round. Not a benchmark row (no baseline): a diagnosis tool.

    .venv/bin/python -m benchmarks.monitor_steps [rounds]

Marks (js/live_chart.js): page-wide model, bundle, inflated, evaluating, evaluated; per view
render, hello, snapshot, visible, plotted; total is when the first plot shows.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from benchmarks.bench_panel import MEASURE_MONITOR, TESTS, _shut_down_kernels

MARKS = MEASURE_MONITOR.replace("return performance.now() - t0;", """
  const out = { total: performance.now() - t0 };
  const view = document.querySelector('.cp-live-chart').dataset;
  for (const [name, t] of Object.entries(window.__colabPanelMarks || {})) out[name] = t - t0;
  for (const name of ['render', 'hello', 'snapshot', 'visible', 'plotted']) {
    const key = 't' + name[0].toUpperCase() + name.slice(1);
    if (view[key] !== undefined) out[name] = Number(view[key]) - t0;
  }
  return out;""")


def main(rounds: int) -> None:
    sys.path.insert(0, str(TESTS))
    from playwright.sync_api import sync_playwright
    from support.browser import open_notebook
    from support.jupyter import jupyterlab, write_notebook

    with tempfile.TemporaryDirectory() as tmp_name, sync_playwright() as pw:
        tmp = Path(tmp_name)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu"])
        with jupyterlab(tmp, tmp) as server:
            for i in range(rounds):
                nb = write_notebook(tmp / f"steps_{i}.ipynb", ["from colab_panel import Panel\nPanel()"])
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                open_notebook(page, server, nb.name)
                marks = page.evaluate(MARKS)
                page.close()
                _shut_down_kernels(server)
                steps = sorted(marks.items(), key=lambda kv: kv[1])
                print(f"round {i}: " + "  ".join(f"{k} {v:.0f}" for k, v in steps), flush=True)
        browser.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
