"""The panel in the Colab stand-in, Colab's light and dark theme, wide and narrow: every tab fits its
box and every piece of text reaches WCAG AA contrast (4.5:1) on the background it is drawn on.

What makes Colab differ from JupyterLab here: its custom widget manager puts ipywidgets' whole
stylesheet in the output frame, JupyterLab's *light* --jp-* variables included, and points only
four of them at Colab's theme (colab-cdn-widget-manager's index.css), while the frame's own
background and text follow Colab's --colab-* variables. A panel that reads --jp-layout-color0 as
its background paints white under Colab's light text in the dark theme.

Every status colour is drawn whatever the machine's state: the runtime is made 11 h 13 min old
(the header's red chip and the Monitor's alert; a CI machine up that long found Colab's dark
theme drew them at 3.6:1), and one chip of each level is added beside the header's own.

Screenshots of every tab go to test-artifacts/colab/ to look at.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.layout_checks import low_contrast, overflowing

TABS = ("Drive", "Staging", "Share", "Monitor")
# the shade of a chart's paper: the first opaque background from plotly's drawing up
CHART_SHADE = """() => {
  for (let n = document.querySelector('.cp-live-chart .main-svg'); n; n = n.parentElement) {
    const m = getComputedStyle(n).backgroundColor.match(/[\\d.]+/g).map(Number);
    if (m.length === 3 || m[3] > 0.5) return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2] < 128 ? 'dark' : 'light';
  }
  return 'none';
}"""
# a runtime 47 min from the free tier's 12 h end: every place that says so is drawn
OLD_RUNTIME = ("import colab_panel.runtime.facts as facts\n"
               "facts.colab_session_age_s = lambda: 11 * 3600 + 13 * 60.0\n")
# one header chip of each level, with the classes views/header.py gives them (again after each
# refresh of the header)
EVERY_LEVEL = """() => {
  const header = document.querySelector('.cp-panel .cp-fact-python').parentElement;
  if (header.querySelector('.cp-fact-sample')) return;
  for (const level of ['ok', 'warn', 'bad']) {
    const chip = header.querySelector('.cp-fact').cloneNode(false);
    chip.className = `cp-fact cp-fact-sample cp-${level}`;
    chip.textContent = `Sample ${level} chip`;
    header.append(chip);
  }
}"""
WIDTHS = (1280, 760)
SHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "colab"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_tab_fits_and_reads_in_colab(colab, theme):
    colab.open(theme)
    colab.restart()
    i = colab.run_cell(OLD_RUNTIME + "from colab_panel import Panel\nPanel()")
    frame = colab.output_frame(i)
    frame.locator(".cp-panel .cp-fact-session.cp-bad").wait_for(timeout=90_000)
    document = colab.frame(i)  # the same frame, to measure in
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for width in WIDTHS:
        colab.page.set_viewport_size({"width": width, "height": 1000})
        for title in TABS:
            frame.locator(".cp-tabs .cp-tabbar button", has_text=title).click()
            frame.locator(f".cp-tab-{title.lower()}:not(.cp-tab-loading)").wait_for(timeout=60_000)
            colab.page.wait_for_timeout(800)
            document.evaluate(EVERY_LEVEL)
            name = f"colab-{theme}-{width}-{title.lower()}"
            colab.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
            problems += [f"{name}: overflows {json.dumps(item)}" for item in overflowing(document)]
            problems += [f"{name}: contrast {json.dumps(item)}" for item in low_contrast(document)]
    # the Monitor's chart is a page of the kernel's in a frame of its own: it follows Colab's theme too
    chart = next(f for f in colab.page.frames if "/chart?" in f.url)
    chart.wait_for_selector(".cp-live-chart .main-svg")
    if chart.evaluate(CHART_SHADE) != theme:
        problems.append(f"the chart frame is drawn {chart.evaluate(CHART_SHADE)} in Colab's {theme} theme")
    problems += [f"chart frame: contrast {json.dumps(item)}" for item in low_contrast(chart, ".cp-live-chart")]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
