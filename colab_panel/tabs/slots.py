"""`TabSlot`: one tab of the panel, built at once or on first need behind a "Loading" line.

Why not build every tab at once: the interactive tabs (Drive, Staging, Share) cost most of
the panel's first paint, yet they can only be used while the kernel is idle — a click made
while a cell runs waits for it anyway. So they are built when first selected or on the
panel's first tick, whichever comes first. The Monitor tab is built at once: it must already
draw while the very next cell (a training loop, say) keeps the kernel busy, when neither a
click nor a tick could reach the kernel.
"""

from __future__ import annotations

import html
import importlib
import logging

import ipywidgets as widgets

from colab_panel.tabs import EAGER, PanelContext, TabParts

_log = logging.getLogger(__name__)


def title_of(spec: str) -> str:
    """'colab_panel.tabs.drive:build_drive_tab' -> 'Drive'."""
    return spec.partition(":")[0].rsplit(".", 1)[-1].capitalize()


class TabSlot:
    def __init__(self, spec: str, context: PanelContext):
        self.spec = spec
        self.title = title_of(spec)
        self._context = context
        self.parts: TabParts | None = None
        # Empty until built: the panel's CSS shows "Loading this tab…" in it (one widget less
        # per tab for the page to create, which is most of the panel's first paint).
        self.container = widgets.VBox([]).add_class(f"cp-tab-{self.title.lower()}").add_class("cp-tab-loading")
        if spec in EAGER:
            self.build()

    @property
    def built(self) -> bool:
        return self.parts is not None

    def build(self) -> TabParts:
        """Build the tab now (once). A tab that fails to start shows why in words instead."""
        if self.parts is None:
            self.parts = _build(self.spec, self.title, self._context)
            self.container.children = [self.parts.view]
            self.container.remove_class("cp-tab-loading")
        return self.parts


def _build(spec: str, title: str, context: PanelContext) -> TabParts:
    module, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), name)(context)
    except Exception as exc:  # a bug or a missing dependency in one tab must not cost the panel
        _log.exception("tab builder %s failed", spec)
        message = html.escape(f"The {title} tab could not start: {exc}")
        return TabParts(title=title, view=widgets.HTML(f'<span class="cp-error">{message}</span>'))
