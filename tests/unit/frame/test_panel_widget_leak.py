"""What 100 closed panels leave in ipywidgets' registry of open models (each one a comm in a kernel).

A closed panel still shows its notice in the page, and the page shows the panel's container by its
model ID: so the container and the notice stay open (2 models). Their layout and style are one
shared Layout and one shared style for every closed panel, not one per panel.
"""

from __future__ import annotations

import gc
from collections import Counter

import ipywidgets as widgets
from ipywidgets.widgets import widget as widget_module

from colab_panel import Panel

KEPT_PER_CLOSED_PANEL = 2  # the container the page displays, and the notice inside it
SHARED_BY_ALL_CLOSED_PANELS = 3  # one Layout for both, one style for the notice, and slack for one lazily made


def open_models() -> dict:
    """ipywidgets' registry of open widget models: `_instances` in 8, `Widget.widgets` in 7."""
    registry = getattr(widget_module, "_instances", None)
    return dict(registry if registry is not None else widgets.Widget.widgets)


def test_a_hundred_closed_panels_keep_two_models_each(tmp_path) -> None:
    Panel(staging_dir=tmp_path).close()  # lazy imports, singletons and the shared notice parts
    gc.collect()
    before = open_models()
    panels = [Panel(staging_dir=tmp_path) for _ in range(100)]  # each new one closes the one before
    panels[-1].close()
    gc.collect()
    left = {key: model for key, model in open_models().items() if key not in before}
    kinds = Counter(type(model).__name__ for model in left.values())
    assert len(left) <= 100 * KEPT_PER_CLOSED_PANEL + SHARED_BY_ALL_CLOSED_PANELS, kinds
    assert kinds["Layout"] <= 1, kinds
    for panel in panels:  # and each still shows its notice
        (notice,) = panel.widget.children
        assert "panel" in notice.value
        assert notice.comm is not None and panel.widget.comm is not None
