"""The Share tab: Drive sharing backend -> `ShareController` -> `ShareTab`.

Panel options read here: ``share_drive`` (a connection of its own; default: the panel's one
connection, `ctx.drive`, shared with the Drive and Staging tabs). When the Drive tab is in the
panel (``ctx.shared["drive"]``), the Share tab offers the item selected there with one click.
"""

from __future__ import annotations

from typing import Any

from colab_panel.controllers.share import ShareController
from colab_panel.tabs import PanelContext, TabParts
from colab_panel.views.share import ShareTab


def build_share_tab(ctx: PanelContext) -> TabParts:
    drive_tab = ctx.shared.get("drive")
    # No Drive call here: signing in waits for the first action, so building the panel stays
    # instant and never prompts for an account the user may not need.
    fetcher: list[Any] = []  # made on the first check, not when the panel is built

    def visitor_fetch(url: str) -> Any:
        # "Will it work for others?" visits the Drive the panel uses: the emulator's web side
        # when the emulator's variables are set, else Google's web.
        if not fetcher:
            from colab_panel.share.web_fetch import WebFetcher

            fetcher.append(WebFetcher.from_environment())
        return fetcher[0](url)

    controller = ShareController(drive=ctx.options.share_drive, drive_factory=ctx.drive, fetch=visitor_fetch)
    ctx.shared["share"] = controller  # the Drive tab hands its selection here ("Share…")
    if drive_tab is not None and hasattr(drive_tab, "selection"):
        drive_tab.observe(lambda change: controller.suggest(change["new"]), names="selection")
        controller.suggest(drive_tab.selection)
    return TabParts(title="Share", view=ShareTab(controller), closeables=(controller,), on_tick=controller.tick)

