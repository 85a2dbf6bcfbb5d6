"""Time from executing `Panel()` to the panel painted in headless Chromium, next to a bare
`ipywidgets.Label` measured the same way in the same run (goal <= 1.5x).

Each measurement opens a fresh notebook (a fresh kernel) in one JupyterLab server, runs its one
cell, and times in the page from the run command to the first frame that shows the widget.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.harness import Row

TESTS = Path(__file__).resolve().parent.parent / "tests"
GOAL = 1.5
REPEAT = 3

MEASURE = """async (selector) => {
  const t0 = performance.now();
  await window.jupyterapp.commands.execute('notebook:run-all-cells');
  return await new Promise((resolve) => {
    const check = () => {
      const el = document.querySelector(selector);
      if (el && el.getBoundingClientRect().height > 0) {
        requestAnimationFrame(() => resolve(performance.now() - t0));
      } else {
        requestAnimationFrame(check);
      }
    };
    check();
  });
}"""

CASES = {
    "panel": ("from colab_panel import Panel\nPanel()", ".cp-panel .cp-fact-python"),
    "label": ("import ipywidgets\nipywidgets.Label('ready').add_class('cp-bench-label')",
              ".cp-bench-label"),
}


def _shut_down_kernels(server) -> None:
    """Each measurement gets a fresh kernel; stop the old ones so they don't load the machine."""
    import json
    import urllib.request

    headers = {"Authorization": f"token {server.token}"}
    with urllib.request.urlopen(urllib.request.Request(f"{server.url}api/sessions", headers=headers)) as r:
        sessions = json.load(r)
    for session in sessions:
        request = urllib.request.Request(f"{server.url}api/sessions/{session['id']}",
                                         headers=headers, method="DELETE")
        urllib.request.urlopen(request).close()


def run() -> list[Row]:
    sys.path.insert(0, str(TESTS))
    from playwright.sync_api import sync_playwright
    from support.browser import open_notebook
    from support.jupyter import jupyterlab, write_notebook

    times: dict[str, list[float]] = {name: [] for name in CASES}
    with tempfile.TemporaryDirectory() as tmp_name, sync_playwright() as pw:
        tmp = Path(tmp_name)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu"])
        with jupyterlab(tmp, tmp) as server:
            for i in range(REPEAT + 1):  # the first round warms caches and is dropped
                for name, (code, selector) in CASES.items():
                    nb = write_notebook(tmp / f"{name}_{i}.ipynb", [code])
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    open_notebook(page, server, nb.name)
                    elapsed_ms = page.evaluate(MEASURE, selector)
                    if i:
                        times[name].append(elapsed_ms / 1000)
                    page.close()
                    _shut_down_kernels(server)
        browser.close()
    ours, base = statistics.median(times["panel"]), statistics.median(times["label"])
    return [Row("Panel() to painted vs ipywidgets.Label (Chromium, fresh kernel)", ours, base, "s",
                f"<= {GOAL}x", ours / base, ours / base <= GOAL)]
