"""Tab builders: each composes one tab from its backend, controller and view.

A builder takes the panel's `PanelContext` and returns `TabParts`. `BUILDERS` lists them in the
order the panel shows them; a tab exists once its builder is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import ipywidgets as widgets

from colab_panel.endpoint.lazy import LazyEndpoint


@dataclass
class TabParts:
    """What a tab builder returns: its title, its view, and what to close when the panel closes."""

    title: str
    view: widgets.Widget
    closeables: tuple[Any, ...] = ()  # objects with a close() method (controllers, endpoints, ...)
    on_tick: Callable[[], None] | None = None  # called every few seconds while the panel is shown


@dataclass(frozen=True)
class PanelContext:
    """What every tab builder gets: the panel's shared settings and objects."""

    staging_dir: Path | None = None
    options: dict[str, Any] = field(default_factory=dict)  # per-tab options passed to Panel(...)
    # Objects one tab offers the others, by name (e.g. "drive": the Drive tab's controller,
    # whose `selection` the Share tab follows). Builders run in BUILDERS order.
    shared: dict[str, Any] = field(default_factory=dict)
    # The kernel's one HTTP endpoint for this panel (the Monitor chart's and the transfers'
    # routes), started by the first of them to call it; the panel stops it when it closes.
    endpoint: LazyEndpoint = field(default_factory=LazyEndpoint)


# "module:function", in display order
BUILDERS: tuple[str, ...] = ("colab_panel.tabs.drive:build_drive_tab",
                             "colab_panel.tabs.staging:build_staging_tab",
                             "colab_panel.tabs.share:build_share_tab",
                             "colab_panel.tabs.monitor:build_monitor_tab")

# Built with the panel rather than on first need (see colab_panel/tabs/slots.py for why).
EAGER: frozenset[str] = frozenset({"colab_panel.tabs.monitor:build_monitor_tab"})
