"""The panel in the Colab stand-in: what a Colab user does, where Colab differs from JupyterLab.

These failed on the product before the Colab work (as recorded in the commits that added them):
Panel() as a last expression went out as an execute_result without the custom manager's
metadata, ipywidgets 7 had no VBox._repr_mimebundle_, ipywidgets.Tab lost its view under the
custom manager (titles vs _titles), and the chart's cross-origin fetch with cache: true was
refused by the proxy.
"""

from __future__ import annotations

import time

import pytest

PANEL_OR_FAILURE = (".cp-panel, .colab-standin-unsupported, .colab-standin-widget-error, "
                    "pre.standin-error")
REPLACED = "This panel was replaced by a newer one."
CHART = ".cp-live-chart"
TAB_TITLES = ["Drive", "Staging", "Share", "Monitor"]
BUSY_S = 60
AT_LEAST_POINTS = 55  # of 60 one-second samples while the cell is busy


def _panel_renders(colab, index: int, timeout_s: float = 90) -> None:
    """Cell `index` shows a working panel; fails fast with the frame's text when it shows a
    notice, an error or nothing."""
    assert colab.standin(f"s.cells[{index}].outputs") > 0, (
        f"cell {index} displayed nothing:\n{colab.output_text(index)[:2000]}")
    frame = colab.output_frame(index)
    frame.locator(PANEL_OR_FAILURE).first.wait_for(timeout=timeout_s * 1000)
    failures = frame.locator(".colab-standin-unsupported, .colab-standin-widget-error, pre.standin-error")
    if failures.count() or not frame.locator(".cp-panel").count():
        raise AssertionError(f"the panel did not render in cell {index}:\n"
                             f"{colab.output_text(index)[:2000]}")
    # A child view that fails leaves a hole and only a console error (Box views carry on), as
    # with Colab's manager: the tabs are the part that must be there.
    tabs = frame.locator(".cp-tabs .cp-tabbar button")
    try:
        tabs.nth(len(TAB_TITLES) - 1).wait_for(timeout=15_000)
    except Exception:
        raise AssertionError(f"the panel in cell {index} has no tab bar (its Tab view failed):\n"
                             f"{colab.output_text(index)[:2000]}") from None
    assert [t.strip() for t in tabs.all_inner_texts()] == TAB_TITLES


def _find_chart(colab, index: int, timeout_s: float = 60):
    """The chart root, in cell `index`'s output frame or in any frame inside it (a chart served
    through Colab's port proxy, TensorBoard-style, lives in such a nested frame)."""
    deadline = time.monotonic() + timeout_s
    output = colab.frame(index)

    def frames(frame):
        yield frame
        for child in frame.child_frames:
            yield from frames(child)

    while time.monotonic() < deadline:
        for frame in frames(output):
            try:
                if frame.locator(CHART).count():
                    return frame.locator(CHART).first
            except Exception:  # a nested frame navigating away
                continue
        colab.page.wait_for_timeout(250)
    raise AssertionError(f"no {CHART} in cell {index}'s output or its frames after {timeout_s} s")


@pytest.fixture
def fresh(colab):
    """A fresh kernel: each test starts with no panel."""
    colab.restart()
    return colab


def test_panel_as_the_last_expression_renders(fresh):
    i = fresh.run_cell("from colab_panel import Panel\nPanel()")
    _panel_renders(fresh, i)
    assert fresh.frame(i).evaluate("() => document.querySelector('.standin-widget').dataset.manager") == "custom"


def test_display_panel_renders(fresh):
    i = fresh.run_cell("from colab_panel import Panel\nfrom IPython.display import display\n"
                       "display(Panel())")
    _panel_renders(fresh, i)


def test_redisplay_and_a_second_panel_replacing_the_first_render(fresh):
    first = fresh.run_cell("from colab_panel import Panel\nfrom IPython.display import display\n"
                           "p = Panel()\ndisplay(p)")
    _panel_renders(fresh, first)
    again = fresh.run_cell("display(p)")
    _panel_renders(fresh, again)
    second = fresh.run_cell("display(Panel())")
    _panel_renders(fresh, second)
    for old in (first, again):
        fresh.output_frame(old).get_by_text(REPLACED).wait_for(timeout=30_000)
    assert fresh.output_frame(second).get_by_text(REPLACED).count() == 0


def test_monitor_chart_draws_through_a_60_second_busy_cell(fresh):
    i = fresh.run_cell("from colab_panel import Panel\nfrom IPython.display import display\n"
                       "panel = Panel()\ndisplay(panel)")
    _panel_renders(fresh, i)
    frame = fresh.output_frame(i)
    frame.locator(".cp-tabs .cp-tabbar button", has_text="Monitor").click()
    chart = _find_chart(fresh, i)
    busy = fresh.run_cell(f"import time\ntime.sleep({BUSY_S + 5})", wait=False)
    fresh.wait_until_running(busy)
    started = time.monotonic()
    points_before = int(chart.get_attribute("data-points") or 0)
    rows_before = int(chart.get_attribute("data-rows") or 0)
    fresh.page.wait_for_timeout((BUSY_S - (time.monotonic() - started)) * 1000)
    assert fresh.cell_status(busy) == "running", "the busy cell ended before the chart was read"
    points = int(chart.get_attribute("data-points") or 0) - points_before
    rows = int(chart.get_attribute("data-rows") or 0) - rows_before
    calls = fresh.proxy_port_calls()
    assert points >= AT_LEAST_POINTS, (
        f"{points} points drawn ({rows} rows received) in {BUSY_S} s of a busy cell; "
        f"proxyPort calls: {calls}; proxy log: {fresh.server.proxy_log()[-5:]}")
    assert not [c for c in calls if (c.get("options") or {}).get("cache") is True], calls


def test_when_the_port_proxy_cannot_be_reached_the_chart_says_so_and_updates_when_idle(fresh):
    """Every request to the proxy's origins fails (as when Colab's proxy is down or blocked): the
    chart says so in words and draws what the kernel sends from its main thread on each tick."""
    server = fresh.server
    fresh.page.context.route("**/*", lambda route: route.continue_()
                             if route.request.url.startswith((server.page_url, server.frame_url))
                             else route.abort())
    i = fresh.run_cell("from colab_panel import Panel\nfrom IPython.display import display\n"
                       "panel = Panel()\ndisplay(panel)")
    _panel_renders(fresh, i)
    frame = fresh.output_frame(i)
    frame.locator(".cp-tabs .cp-tabbar button", has_text="Monitor").click()
    chart = frame.locator(".cp-monitor-chart .cp-live-chart")
    fresh.frame(i).wait_for_function(
        "() => document.querySelector('.cp-monitor-chart .cp-live-chart')?.dataset.frame === 'failed'",
        timeout=40_000)
    problem = chart.get_attribute("data-problem")
    assert "could not reach the kernel through Colab's port proxy" in problem
    assert "updates whenever the kernel is idle" in problem
    assert chart.locator(".cp-lc-problem").is_visible()
    # The kernel is idle: the panel's ticks (every 5 s) bring new rows from the main thread.
    before = int(chart.get_attribute("data-rows") or 0)
    fresh.frame(i).wait_for_function(
        f"() => Number(document.querySelector('.cp-monitor-chart .cp-live-chart').dataset.rows) > {before} + 3",
        timeout=30_000)
    chart.locator(".cp-lc-plot .main-svg").first.wait_for(timeout=30_000)
