"""The Staging tab: `colab_panel.staging` -> `StagingController` -> `StagingTab`.

Panel options read here: ``drive`` (a `colab_panel.drive.Drive` to use, e.g. one built for the
emulator), ``drive_auth`` (as for the Drive tab), ``staging_live`` (force live background
updates on/off). The Drive connection is the Drive tab's when it has one
(``ctx.shared["drive"].drive``); otherwise `colab_panel.drive.connect(auth)` runs the first time
a Drive source or a push needs it (never at panel start), and is kept. The Drive tab's
selection is offered as the source with one click (as in the Share tab). A periodic push runs
until stopped or the panel closes (the controller is one of the tab's closeables). Below: the
Kaggle token row and the Checkpoints section (a `keep_on_drive` watcher and Restore latest),
whose watcher is stopped, after a bounded last push, when the panel closes.

Last, "Your computer" (views/transfers.py): uploads from and downloads to the user's
computer over the panel's endpoint (shared with the Monitor chart), closed with the panel.
``transfers=False`` leaves it out.

Progress in Colab: staging runs in a worker thread so the notebook stays usable; Colab drops
widget updates sent from background threads (colabtools#3373), so the tab's progress and result
are refreshed on the panel's tick (`on_tick` -> `controller.poll`), i.e. every few seconds.
For a live bar while a cell blocks, call `colab_panel.stage(...)` in a cell: its tqdm bar is
printed by the cell itself. In JupyterLab/Notebook 7 the tab also updates live.
"""

from __future__ import annotations

import threading
from typing import Any

from colab_panel.controllers.checkpoints import CheckpointsController
from colab_panel.controllers.kaggle_token import KaggleTokenController
from colab_panel.controllers.staging import StagingController
from colab_panel.controllers.transfers import TransfersController
from colab_panel.tabs import PanelContext, TabParts
from colab_panel.views.checkpoints import CheckpointsSection
from colab_panel.views.kaggle_token import KaggleTokenSection
from colab_panel.views.staging import StagingTab
from colab_panel.views.transfers import ComputerTransfers
from colab_panel.widgets.transfer_box import transfer_page_files


class _LazyDrive:
    """The Drive tab's connection if it has one, else connect on first use and keep it."""

    def __init__(self, auth: str, drive_tab: Any = None) -> None:
        self._auth = auth
        self._drive_tab = drive_tab
        self._drive: Any = None
        self._lock = threading.Lock()

    def __call__(self) -> Any:
        shared = getattr(self._drive_tab, "drive", None)
        if shared is not None:
            return shared
        with self._lock:
            if self._drive is None:
                from colab_panel.drive import connect  # lazy: auth, PyDrive2

                self._drive = connect(self._auth)
            return self._drive


class _Following:
    """Keeps the controller's suggestion on the Drive tab's selection until closed (the panel closes it)."""

    def __init__(self, drive_tab: Any, controller: StagingController) -> None:
        self._drive_tab = drive_tab
        self._controller = controller
        drive_tab.observe(self._changed, names="selection")
        controller.suggest(drive_tab.selection)

    def _changed(self, change: dict[str, Any]) -> None:
        self._controller.suggest(change["new"])

    def close(self) -> None:
        self._drive_tab.unobserve(self._changed, names="selection")


def build_staging_tab(ctx: PanelContext) -> TabParts:
    drive_tab = ctx.shared.get("drive")
    drive = ctx.options.get("drive") or _LazyDrive(ctx.options.get("drive_auth", "auto"), drive_tab)
    controller = StagingController(drive=drive, live=ctx.options.get("staging_live"))
    closeables: tuple[Any, ...] = (controller,)
    if drive_tab is not None and hasattr(drive_tab, "selection"):  # as the Share tab does
        closeables = (_Following(drive_tab, controller), controller)
    ctx.shared["staging"] = controller  # notifications follow it (staging finished)
    checkpoints = CheckpointsController(drive=drive)  # its watcher stops when the panel closes
    sections: tuple[Any, ...] = (KaggleTokenSection(KaggleTokenController()), CheckpointsSection(checkpoints))
    closeables = (*closeables, checkpoints)
    if ctx.options.get("transfers", True):
        transfers = _transfers(ctx, drive)
        sections = (*sections, ComputerTransfers(transfers))
        closeables = (*closeables, transfers)

    def on_tick() -> None:
        controller.poll()
        checkpoints.poll()

    return TabParts(title="Staging", view=StagingTab(controller, sections=sections),
                    closeables=closeables, on_tick=on_tick)


def _transfers(ctx: PanelContext, drive: Any) -> TransfersController:
    """The "Your computer" section's controller: uploads land in the staging root by default."""
    from colab_panel.runtime.paths import default_staging_root

    factory = drive if isinstance(drive, _LazyDrive) else (lambda: drive)
    return TransfersController(default_dest=ctx.staging_dir or default_staging_root(), drive=factory,
                               files=transfer_page_files(), endpoint=ctx.endpoint)
