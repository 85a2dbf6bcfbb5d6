"""`Panel`: composes the header and every available tab into one widget, and owns their lifetime.

    from colab_panel import Panel
    Panel()

Only one panel lives per kernel: creating a new one (re-running the cell) stops the old one's
background work and leaves a one-line notice where it was.
"""

from __future__ import annotations

import html
import logging
import threading
import weakref
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from colab_panel.colab import enable_custom_widget_manager
from colab_panel.controllers.header import HeaderController
from colab_panel.tabs import PanelContext, TabParts, load_builders
from colab_panel.views.header import HeaderView
from colab_panel.views.style import PANEL_CSS
from colab_panel.widgets.ticker import Ticker


_log = logging.getLogger(__name__)
_live_panels: "weakref.WeakSet[Panel]" = weakref.WeakSet()
_live_lock = threading.Lock()


class Panel:
    """The notebook panel. Display it by leaving it last in a cell, or with `display(Panel())`."""

    def __init__(self, *, staging_dir: str | Path | None = None, refresh_s: float = 5.0,
                 **options: Any):
        with _live_lock:
            previous = list(_live_panels)
            _live_panels.clear()
        for old in previous:
            old.close(notice="This panel was replaced by a newer one.")
        self._closed = False
        context = PanelContext(staging_dir=Path(staging_dir) if staging_dir else None,
                               options=options)
        self.header = HeaderController(staging_dir=context.staging_dir)
        self.header.refresh()
        self.tabs = [_build_tab(build, context) for build in load_builders()]
        self.ticker = Ticker(interval_ms=int(refresh_s * 1000))
        self.ticker.on_tick(self.header.refresh)
        for parts in self.tabs:
            if parts.on_tick is not None:
                self.ticker.on_tick(parts.on_tick)
        self.widget = widgets.VBox(self._children()).add_class("cp-panel")
        with _live_lock:  # only a fully built panel can be replaced or closed later
            _live_panels.add(self)

    def _children(self) -> list[widgets.Widget]:
        children: list[widgets.Widget] = [widgets.HTML(PANEL_CSS), HeaderView(self.header)]
        if self.tabs:
            tab = widgets.Tab(children=[p.view for p in self.tabs]).add_class("cp-tabs")
            tab.titles = tuple(p.title for p in self.tabs)
            children.append(tab)
        children.append(self.ticker)
        return children

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self, notice: str = "This panel is closed.") -> None:
        """Stop every thread, server and timer this panel started; leave `notice` in its place."""
        if self._closed:
            return
        self._closed = True
        with _live_lock:
            _live_panels.discard(self)
        old_children = list(self.widget.children)
        self.widget.children = [widgets.HTML(f'<span class="cp-muted">{notice}</span>')]
        for parts in self.tabs:
            for closeable in parts.closeables:
                closeable.close()
        for child in old_children:
            close_tree(child)

    def _repr_mimebundle_(self, **kwargs):
        enable_custom_widget_manager()
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<colab_panel.Panel {state}: tabs={[p.title for p in self.tabs]}>"


def _build_tab(build, context: PanelContext) -> TabParts:
    """Build one tab; a tab that fails to start shows why in words and the others still work."""
    try:
        return build(context)
    except Exception as exc:  # a bug or a missing dependency in one tab must not cost the panel
        _log.exception("tab builder %s failed", build.__qualname__)
        title = build.__module__.rsplit(".", 1)[-1].capitalize()
        message = html.escape(f"The {title} tab could not start: {exc}")
        return TabParts(title=title, view=widgets.HTML(f'<span class="cp-error">{message}</span>'))


def close_tree(widget: widgets.Widget) -> None:
    """Close `widget`, every widget inside it (Box children), and the layouts and styles they own.

    A Layout or style used by more than one widget (a module-level `Layout(...)` reused by every
    view, say) stays open: closing it would break the next view that uses it.
    """
    from collections import Counter

    from ipywidgets.widgets.widget import _instances

    tree: list[widgets.Widget] = []
    stack = [widget]
    while stack:
        w = stack.pop()
        tree.append(w)
        stack.extend(getattr(w, "children", ()))
    uses = Counter(id(getattr(w, name, None)) for w in list(_instances.values())
                   for name in ("layout", "style"))
    owned = [part for w in tree for name in ("layout", "style")
             if isinstance(part := getattr(w, name, None), widgets.Widget) and uses[id(part)] == 1]
    for w in tree + owned:
        w.close()
