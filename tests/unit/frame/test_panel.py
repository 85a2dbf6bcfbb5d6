"""Panel lifecycle: one live panel per kernel, close() stops what it started, Colab gets its widget manager."""

import json
import os
import subprocess
import sys
import types
import threading
from pathlib import Path


from colab_panel import Panel
from colab_panel.widgets.compat import open_widgets

COLAB_STUB = Path(__file__).resolve().parents[2] / "colab_stub"


def _open_comms() -> int:
    return len(open_widgets())


def test_panel_shows_header_and_closes_to_a_notice(tmp_path):
    panel = Panel(staging_dir=tmp_path)
    try:
        assert "cp-panel" in panel.widget._dom_classes
        (row,) = [c for c in panel.widget.children if "cp-header-row" in c._dom_classes]
        header = [c for c in row.children if "cp-header" in c._dom_classes]
        assert len(header) == 1 and "Python" in header[0].facts_html.value
        assert "open" in repr(panel)
    finally:
        panel.close()
    assert panel.closed and "closed" in repr(panel)
    (notice,) = panel.widget.children
    assert "This panel is closed." in notice.value
    panel.close()  # closing twice is harmless


def test_new_panel_replaces_the_old_one(tmp_path):
    first = Panel(staging_dir=tmp_path)
    second = Panel(staging_dir=tmp_path)
    try:
        assert first.closed and not second.closed
        assert "replaced by a newer one" in first.widget.children[0].value
    finally:
        second.close()


def test_fifty_panels_leave_no_thread_or_widget_behind(tmp_path):
    Panel(staging_dir=tmp_path).close()  # warm up lazy imports and singletons
    threads_before = {t.ident for t in threading.enumerate()}
    widgets_before = _open_comms()
    for _ in range(50):
        Panel(staging_dir=tmp_path).close()
    assert {t.ident for t in threading.enumerate()} <= threads_before
    # each closed panel keeps only its container and one-line notice (with their layouts/style)
    assert _open_comms() - widgets_before <= 5 * 50


def test_colab_gets_the_custom_widget_manager_before_display(tmp_path):
    log = tmp_path / "stub.jsonl"
    env = dict(os.environ, PYTHONPATH=str(COLAB_STUB), COLAB_STUB_LOG=str(log),
               COLAB_PANEL_DATA=str(tmp_path / "data"))
    code = ("import json; from colab_panel import Panel; p = Panel(); "
            "data, meta = p._repr_mimebundle_(); print(json.dumps(sorted(data)))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, timeout=60)
    assert "application/vnd.jupyter.widget-view+json" in json.loads(out.stdout)
    calls = [json.loads(line)["call"] for line in log.read_text().splitlines()]
    assert calls[0] == "output.enable_custom_widget_manager"


def _fake_colab(monkeypatch, url):
    """Colab's modules as far as the panel reads them: `google.colab.output._widgets`."""
    google, colab = types.ModuleType("google"), types.ModuleType("google.colab")
    output, state = types.ModuleType("google.colab.output"), types.ModuleType("google.colab.output._widgets")
    state._installed_url = None
    output._widgets = state
    output.enable_custom_widget_manager = lambda: setattr(state, "_installed_url", url)
    google.colab, colab.output = colab, output
    for name, module in (("google", google), ("google.colab", colab),
                         ("google.colab.output", output), ("google.colab.output._widgets", state)):
        monkeypatch.setitem(sys.modules, name, module)


def _published(panel, monkeypatch, show):
    sent = []
    monkeypatch.setattr("IPython.display.publish_display_data",
                        lambda data, metadata=None, **_: sent.append((data, metadata)))
    show(panel)
    return sent


def test_in_colab_every_way_of_showing_carries_the_widget_manager(tmp_path, monkeypatch):
    """Last expression (IPython calls _ipython_display_, which publishes display_data) and
    display() alike: one display_data whose metadata names Colab's widget manager."""
    from IPython.core.formatters import DisplayFormatter

    url = "https://colab.example/widgets/manager.min.js"
    _fake_colab(monkeypatch, url)
    panel = Panel(staging_dir=tmp_path)
    try:
        def as_last_expression(p):
            assert DisplayFormatter().format(p) == ({}, {})  # no execute_result of its own

        for show in (as_last_expression, lambda p: p._ipython_display_()):
            (data, metadata), = _published(panel, monkeypatch, show)
            assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.widget.model_id
            manager = metadata["application/vnd.jupyter.widget-view+json"]["colab"]
            assert manager == {"custom_widget_manager": {"url": url}}
    finally:
        panel.close()


def test_outside_colab_the_output_has_no_colab_metadata(tmp_path, monkeypatch):
    panel = Panel(staging_dir=tmp_path)
    try:
        (data, metadata), = _published(panel, monkeypatch, lambda p: p._ipython_display_())
        assert metadata == {} and "application/vnd.jupyter.widget-view+json" in data
    finally:
        panel.close()


def test_a_tab_that_fails_to_start_says_why_and_the_rest_work(tmp_path, monkeypatch):
    def broken_builder(_context):
        raise RuntimeError("no credentials file")

    fake = types.ModuleType("cp_fake_tabs.share")
    fake.build = broken_builder
    monkeypatch.setitem(sys.modules, "cp_fake_tabs.share", fake)
    monkeypatch.setattr("colab_panel.tabs.BUILDERS",
                        ("cp_fake_tabs.share:build", "colab_panel.tabs.monitor:build_monitor_tab"))
    panel = Panel(staging_dir=tmp_path)
    try:
        assert [p.title for p in panel.tabs] == ["Monitor"]  # built with the panel
        loading = panel.slots[0].container
        assert loading.children == () and "cp-tab-loading" in loading._dom_classes  # style.py
        panel.build_tabs()
        share, monitor = panel.tabs
        assert share.title == "Share" and monitor.title == "Monitor"
        assert "The Share tab could not start: no credentials file" in share.view.value
        assert panel.slots[0].container.children == (share.view,)
        assert "cp-tab-loading" not in loading._dom_classes
    finally:
        panel.close()


def test_interactive_tabs_build_on_selection_or_first_tick(tmp_path):
    panel = Panel(staging_dir=tmp_path)
    try:
        titles = [s.title for s in panel.slots]
        assert titles == ["Drive", "Staging", "Share", "Monitor"]
        assert [p.title for p in panel.tabs] == ["Monitor"]
        panel._tab.selected_index = 1  # the user clicks "Staging": Drive and Staging get built
        assert [p.title for p in panel.tabs] == ["Drive", "Staging", "Monitor"]
        panel._on_tick()  # the page's first tick builds the rest
        assert [p.title for p in panel.tabs] == titles
    finally:
        panel.close()


# Every widget model is one comm message and one model the page creates before the panel shows:
# most of its first paint (benchmarks/bench_panel.py). 113 before the fleet section and the
# last-exit notice were built only when needed.
FIRST_PAINT_MODELS = 75


def test_panel_first_paint_creates_few_widget_models(tmp_path):
    before = set(open_widgets())
    panel = Panel(staging_dir=tmp_path)
    try:
        created = len(set(open_widgets()) - before)
        assert created <= FIRST_PAINT_MODELS, f"Panel() created {created} widget models"
    finally:
        panel.close()
