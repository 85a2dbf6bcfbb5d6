"""`Panel`: composes the header and every available tab into one widget, and owns their lifetime.

    from colab_panel import Panel
    Panel()

Only one panel lives per kernel: creating a new one (re-running the cell) stops the old one's
background work and leaves a one-line notice where it was.

In a Jupyter kernel (not Colab's: see `_TWO_STEP`) the panel paints in two steps: `Panel()`
builds the header (core widgets only) and is shown; the rest (the bell, the tabs, the timer) is
built right after its `display_data` went out, or at the end of the cell if it was not shown,
or at once when code asks for a part of it. The page draws the header without waiting for the
tabs' ~70 widget models and their anywidget front ends (issue 13: first paint).
"""

from __future__ import annotations

import sys
import threading
import weakref
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from colab_panel.errors import PanelError
from colab_panel.inputs import user_number, user_path
from colab_panel import tabs
from colab_panel.colab import enable_custom_widget_manager, widget_view_metadata
from colab_panel.controllers.header import HeaderController
from colab_panel.controllers.last_exit import LastExitController
from colab_panel.drive.interface import DriveClient
from colab_panel.runtime.frontend import Frontend
from colab_panel.tabs import PanelContext, PanelOptions, TabParts
from colab_panel.views.header import HeaderView
from colab_panel.views.style import PANEL_CSS
from colab_panel.widgets.closing import close_tree
from colab_panel.widgets.compat import mimebundle

# Built after the header is shown (`Panel._build_rest`); asking for one builds it at once.
_REST = frozenset({"notifications", "notifier", "slots", "ticker", "_tab"})
# Front ends whose widget manager takes models and updates that arrive after an output was
# shown, in any order (ipywidgets' own managers). Colab's output frame asks for each model's
# state when it first needs it and can miss an update that lands meanwhile (the stand-in's
# tests/browser/colab/test_panel_in_colab.py saw the tabs never appear): there, and in front
# ends we cannot tell, the panel is built whole before it is shown.
_TWO_STEP = frozenset({Frontend.JUPYTERLAB, Frontend.NOTEBOOK, Frontend.JUPYTER, Frontend.VOILA})


_live_panels: "weakref.WeakSet[Panel]" = weakref.WeakSet()
_live_lock = threading.Lock()


class Panel:
    """The notebook panel. Display it by leaving it last in a cell, or with `display(Panel())`."""

    def __init__(self, *, staging_dir: str | Path | None = None, refresh_s: float = 5.0,
                 drive: DriveClient | None = None, drive_auth: str = "auto", drive_folder: str = "root",
                 share_drive: DriveClient | None = None, staging_live: bool | None = None,
                 transfers: bool = True, monitor_transport: str = "auto", metrics_port: int | None = None,
                 prometheus_url: str | None = None, prometheus_token: str | None = None):
        """`staging_dir`: where datasets go without a destination (default: `$COLAB_PANEL_DATA`,
        else /content/data in Colab, else ./data); `refresh_s`: the header's and tabs' refresh.
        The others are `PanelOptions` (colab_panel/tabs/__init__.py says what each does)."""
        # checked before anything is built or the panel already showing is replaced
        if staging_dir is not None:
            staging_dir = user_path(staging_dir, "staging_dir", PanelError)
        user_number(refresh_s, "refresh_s", PanelError, minimum=0.2, maximum=3600)
        options = PanelOptions(drive=drive, drive_auth=drive_auth, drive_folder=drive_folder,
                               share_drive=share_drive, staging_live=staging_live, transfers=transfers,
                               monitor_transport=monitor_transport, metrics_port=metrics_port,
                               prometheus_url=prometheus_url, prometheus_token=prometheus_token)
        with _live_lock:
            previous = list(_live_panels)
            _live_panels.clear()
        for old in previous:
            old.close(notice="This panel was replaced by a newer one.")
        self._closed = False
        self._rest = "pending"  # -> "building" -> "built" (or "dropped": closed before it was built)
        self._refresh_s = refresh_s
        self.ticks = 0  # timer ticks heard from the page: proof that the panel rendered there
        self._context = PanelContext(staging_dir=Path(staging_dir) if staging_dir else None,
                                     options=options)
        self.header = HeaderController(staging_dir=self._context.staging_dir)
        self.header.refresh()
        # Says why the previous kernel died (once), and records this one in case it dies too:
        # from here on, so a cell that goes on after `p = Panel()` is on the trail already.
        self.last_exit = LastExitController()
        self.last_exit.start()
        header = HeaderView(self.header)
        header.layout.flex = "1 1 auto"
        self._header_row = widgets.HBox([header]).add_class("cp-header-row")
        self.widget = widgets.VBox([widgets.HTML(PANEL_CSS), self._header_row]).add_class("cp-panel")
        with _live_lock:  # only a built panel can be replaced or closed later
            _live_panels.add(self)
        facts = self.header.facts
        if not (facts is not None and facts.frontend in _TWO_STEP and _defer_until_shown(self._build_rest)):
            self._build_rest()

    def __getattr__(self, name: str) -> Any:
        """A part of the panel built after its header (`_REST`): build the rest now."""
        if name in _REST and self.__dict__.get("_rest") == "pending":
            self._build_rest()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _build_rest(self) -> None:
        """Everything after the header: the bell, the tabs, the timer."""
        if self._rest != "pending":
            return
        self._rest = "building"
        try:
            self._build_parts()
        finally:  # an error leaves a panel that close() still stops; it is raised to the caller
            self._rest = "built"

    def _build_parts(self) -> None:
        from colab_panel.controllers.notifications import NotificationController
        from colab_panel.tabs.slots import TabSlot
        from colab_panel.widgets.notifier import Notifier
        from colab_panel.widgets.ticker import Ticker

        context = self._context
        # Browser notifications: off until the user turns them on with the bell.
        self.notifications = NotificationController()
        self.notifier = Notifier.for_controller(self.notifications)
        self.notifications.register_cell_events()
        self.slots = [TabSlot(spec, context) for spec in tabs.BUILDERS]
        self.notifications.watch(context.shared)  # the Monitor tab is built already (its alerts)
        self.ticker = Ticker(interval_ms=int(self._refresh_s * 1000))
        self.ticker.on_tick(self._on_tick)
        # The bell sits at the right end of the header's row, beside its refresh button.
        self._header_row.children = [*self._header_row.children, self.notifier]
        self.widget.children = [*self.widget.children, *self._rest_children()]

    @property
    def tabs(self) -> list[TabParts]:
        """The tabs built so far (the others are built on first need)."""
        return [slot.parts for slot in self.slots if slot.parts is not None]

    def build_tabs(self, upto: int | None = None) -> None:
        """Build every tab not built yet, in order, up to index `upto` (all when None).

        In order, because a later tab may follow an earlier one (Share follows Drive's selection).
        """
        for slot in self.slots[: None if upto is None else upto + 1]:
            slot.build()
        if self._tab is not None:
            self._tab.set_titles([slot.parts.title if slot.parts else slot.title
                                  for slot in self.slots])

    def show_tab(self, title: str) -> None:
        """Show the tab titled `title` (building it first if need be); the Drive tab's "Share…" uses it."""
        titles = [slot.title for slot in self.slots]
        if title not in titles or self._tab is None:
            raise PanelError(f"This panel has no {title} tab.")
        index = titles.index(title)
        self.build_tabs(index)
        self._tab.selected_index = index

    def _on_tick(self) -> None:
        self.ticks += 1
        self.header.refresh()
        self.build_tabs()
        for parts in self.tabs:
            if parts.on_tick is not None:
                parts.on_tick()
        self.notifications.watch(self._context.shared)
        self.notifications.deliver()  # the tick runs on the main thread: send what other threads queued

    def _rest_children(self) -> list[widgets.Widget]:
        from colab_panel.views.last_exit import LastExitNotice
        from colab_panel.views.tab_pages import TabPages

        children: list[widgets.Widget] = []
        if self.last_exit.visible:  # known at start() only: no notice, no widgets for one
            children.append(LastExitNotice(self.last_exit))
        self._tab = None
        if self.slots:
            self._tab = TabPages([s.container for s in self.slots], [s.title for s in self.slots]
                                 ).add_class("cp-tabs")
            self._tab.observe(lambda change: self.build_tabs(change["new"]), names="selected_index")
            self._context.shared["show_tab"] = self.show_tab
            children.append(self._tab)
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
        own_layout = self.widget.layout
        # The page shows this container by its model ID, so it and the notice stay open; their
        # layout and style are shared by every closed panel, so that 100 closed panels keep 200
        # models, not 500.
        self.widget.children = [_closed_notice(notice)]
        self.widget.layout = _closed_parts().layout
        if self._rest == "pending":  # closed before its rest was built: nothing of it started
            self._rest = "dropped"
        else:  # built, or stopped part-way by an error: close what exists
            for slot in getattr(self, "slots", ()):
                for closeable in slot.parts.closeables if slot.parts is not None else ():
                    closeable.close()
            self._context.drive.close()  # after the tabs: their workers are stopped; a given one stays open
            self._context.endpoint.close()  # after the features that borrowed it
            if hasattr(self, "notifications"):
                self.notifications.close()
        self.last_exit.close()
        _flush_checkpoint_watchers()
        for child in old_children:
            close_tree(child)
        own_layout.close()

    def _ipython_display_(self) -> None:
        """Shown as `display_data` whether it is a cell's last expression or passed to
        `display()`: Colab adds its widget-manager metadata only to `display_data`."""
        from IPython.display import publish_display_data

        enable_custom_widget_manager()
        data, metadata = self._repr_mimebundle_()
        publish_display_data(data, metadata=metadata)
        self._build_rest()  # the header's display_data is out: the page draws it meanwhile

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """The widget view (ipywidgets 7 and 8 alike) and, in Colab, the metadata that names
        Colab's custom widget manager."""
        enable_custom_widget_manager()
        data = dict(mimebundle(self.widget, **kwargs) or {})
        data["text/plain"] = repr(self)
        return data, widget_view_metadata()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        from colab_panel.tabs.slots import title_of  # the titles without building the tabs

        return f"<colab_panel.Panel {state}: tabs={[title_of(spec) for spec in tabs.BUILDERS]}>"


class _SharedParts:
    """The one Layout and the one notice style every closed panel uses."""

    def __init__(self) -> None:
        self.layout = widgets.Layout()
        self.style: widgets.Widget | None = None  # taken from the first notice: its class differs in ipywidgets 7 and 8


_shared: _SharedParts | None = None


def _closed_parts() -> _SharedParts:
    global _shared
    if _shared is None or _shared.layout.comm is None:  # first use, or closed by someone (Widget.close_all)
        _shared = _SharedParts()
    return _shared


def _closed_notice(text: str) -> widgets.HTML:
    parts = _closed_parts()
    value = f'<span class="cp-muted">{text}</span>'
    if parts.style is not None and parts.style.comm is not None:
        return widgets.HTML(value, layout=parts.layout, style=parts.style)
    notice = widgets.HTML(value, layout=parts.layout)
    parts.style = notice.style
    return notice


def _defer_until_shown(build: Any) -> bool:
    """In a kernel: call `build` at the end of the running cell (sooner if the panel is shown or
    a part of it is asked for) and say True; elsewhere False (build at once)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    events = getattr(shell, "events", None)
    if events is None or getattr(shell, "kernel", None) is None:
        return False

    def at_cell_end(*_result: Any) -> None:
        events.unregister("post_run_cell", at_cell_end)
        build()

    events.register("post_run_cell", at_cell_end)
    return True


def _flush_checkpoint_watchers() -> None:
    """Push what keep_on_drive watchers have pending, within their bound. Only when the watcher
    module is loaded: if it is not, no watcher exists and closing must not import it."""
    watcher = sys.modules.get("colab_panel.checkpoints.watcher")
    if watcher is not None:
        watcher.flush_all()
