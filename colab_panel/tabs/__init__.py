"""Tab builders: each composes one tab from its backend, controller and view.

A builder takes the panel's `PanelContext` and returns `TabParts`. `BUILDERS` lists them in the
order the panel shows them; a tab exists once its builder is listed here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import ipywidgets as widgets

from colab_panel.drive.interface import DriveClient
from colab_panel.drive.lazy import LazyDrive
from colab_panel.runtime.paths import default_staging_root
from colab_panel.endpoint.lazy import LazyEndpoint


@dataclass
class TabParts:
    """What a tab builder returns: its title, its view, and what to close when the panel closes."""

    title: str
    view: widgets.Widget
    closeables: tuple[Any, ...] = ()  # objects with a close() method (controllers, endpoints, ...)
    on_tick: Callable[[], None] | None = None  # called every few seconds while the panel is shown


@dataclass(frozen=True)
class PanelOptions:
    """What `Panel(...)` was asked for besides `staging_dir` and `refresh_s`: each tab reads its own.

    Values are checked where they are used (a bad `monitor_transport` is said in the Monitor tab).
    """

    drive: DriveClient | None = None  # a ready connection instead of signing in (scripts, tests, the emulator)
    drive_auth: str = "auto"  # how to sign in otherwise: colab_panel.drive.connect(auth=...)
    drive_folder: str = "root"  # the folder the Drive tab lists first (ID or link)
    share_drive: DriveClient | None = None  # the Share tab's own connection (default: the panel's)
    staging_live: bool | None = None  # the Staging tab's live updates on/off (None: off in Colab only)
    transfers: bool = True  # the Staging tab's "Your computer" section
    monitor_transport: str = "auto"  # "auto", "comm" or "http" (colab_panel.controllers.monitor)
    metrics_port: int | None = None  # serve /metrics on 127.0.0.1 while the panel lives (monitor.exporter)
    prometheus_url: str | None = None  # show this Prometheus's fleet in the Monitor tab (monitor.fleet)
    prometheus_token: str | None = None  # its bearer token, if it needs one


@dataclass(frozen=True)
class PanelContext:
    """What every tab builder gets: the panel's options, its one Drive connection and shared objects."""

    staging_dir: Path | None = None  # Panel(staging_dir=...), checked; None: the default (`staging_root`)
    options: PanelOptions = field(default_factory=PanelOptions)
    # Objects one tab offers the others, by name (e.g. "drive": the Drive tab's controller,
    # whose `selection` the Share tab follows). Builders run in BUILDERS order.
    shared: dict[str, Any] = field(default_factory=dict)
    # The kernel's one HTTP endpoint for this panel (the Monitor chart's and the transfers'
    # routes), started by the first of them to call it; the panel stops it when it closes.
    endpoint: LazyEndpoint = field(default_factory=LazyEndpoint)

    @functools.cached_property
    def drive(self) -> LazyDrive:
        """The panel's one Drive connection, shared by its tabs: `options.drive` if given, else
        signed in (`options.drive_auth`) the first time any tab needs Drive. The panel closes it."""
        given = self.options.drive
        return LazyDrive(given) if given is not None else LazyDrive.signing_in(self.options.drive_auth)

    @property
    def staging_root(self) -> Path:
        """Where datasets go without a destination: `staging_dir`, else `default_staging_root()`."""
        return self.staging_dir if self.staging_dir is not None else default_staging_root()


# "module:function", in display order
BUILDERS: tuple[str, ...] = ("colab_panel.tabs.drive:build_drive_tab",
                             "colab_panel.tabs.staging:build_staging_tab",
                             "colab_panel.tabs.share:build_share_tab",
                             "colab_panel.tabs.monitor:build_monitor_tab")

# Built with the panel rather than on first need (see colab_panel/tabs/slots.py for why).
EAGER: frozenset[str] = frozenset({"colab_panel.tabs.monitor:build_monitor_tab"})
