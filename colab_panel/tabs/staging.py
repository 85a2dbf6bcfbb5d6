"""The Staging tab: `colab_panel.staging` -> `StagingController` -> `StagingTab`.

Panel options read here: ``staging_live`` (force live background updates on/off) and
``transfers``. Datasets go under the panel's `staging_root` (``Panel(staging_dir=...)``, else
`default_staging_root()`) unless a destination is typed. Drive is the panel's one connection
(`ctx.drive`, shared with the Drive and Share tabs): given, or signed in the first time a Drive
source or a push needs it (never at panel start). The Drive tab's selection is offered as the
source with one click (as in the Share tab). A periodic push runs
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

import functools
from typing import Any

from colab_panel.controllers.checkpoints import CheckpointsController
from colab_panel.controllers.kaggle_token import KaggleTokenController
from colab_panel.controllers.staging import StagingController
from colab_panel.controllers.transfers import TransfersController
from colab_panel.staging import stage
from colab_panel.tabs import PanelContext, TabParts
from colab_panel.views.checkpoints import CheckpointsSection
from colab_panel.views.kaggle_token import KaggleTokenSection
from colab_panel.views.staging import StagingTab
from colab_panel.views.transfers import ComputerTransfers
from colab_panel.widgets.transfer_box import transfer_page_files


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
    drive = ctx.drive
    controller = StagingController(drive=drive, live=ctx.options.staging_live,
                                   stage_fn=functools.partial(stage, staging_root=ctx.staging_dir))
    closeables: tuple[Any, ...] = (controller,)
    if drive_tab is not None and hasattr(drive_tab, "selection"):  # as the Share tab does
        closeables = (_Following(drive_tab, controller), controller)
    ctx.shared["staging"] = controller  # notifications follow it (staging finished)
    checkpoints = CheckpointsController(drive=drive)  # its watcher stops when the panel closes
    sections: tuple[Any, ...] = (KaggleTokenSection(KaggleTokenController()), CheckpointsSection(checkpoints))
    closeables = (*closeables, checkpoints)
    if ctx.options.transfers:
        transfers = _transfers(ctx)
        sections = (*sections, ComputerTransfers(transfers))
        closeables = (*closeables, transfers)

    def on_tick() -> None:
        controller.poll()
        checkpoints.poll()

    view = StagingTab(controller, sections=sections, default_dest_hint=f"default: {ctx.staging_root}/<name>")
    return TabParts(title="Staging", view=view, closeables=closeables, on_tick=on_tick)


def _transfers(ctx: PanelContext) -> TransfersController:
    """The "Your computer" section's controller: uploads land in the staging root by default."""
    return TransfersController(default_dest=ctx.staging_root, drive=ctx.drive, files=transfer_page_files(),
                               endpoint=ctx.endpoint)
