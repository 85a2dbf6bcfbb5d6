"""The Share tab: Drive sharing backend -> `ShareController` -> `ShareTab`.

Panel options read here: ``share_drive`` or ``drive`` (a `colab_panel.drive.client.Drive` to
use instead of signing in), ``drive_auth`` (as for the Drive tab). When the Drive tab is in
the panel (``ctx.shared["drive"]``), the Share tab uses its connection once it has one and
offers the item selected there with one click.
"""

from __future__ import annotations

from typing import Any

from colab_panel.controllers.share import ShareController
from colab_panel.tabs import PanelContext, TabParts
from colab_panel.views.share import ShareTab


def build_share_tab(ctx: PanelContext) -> TabParts:
    drive_tab = ctx.shared.get("drive")
    auth = ctx.options.get("drive_auth", "auto")

    def drive_factory() -> Any:
        # One connection for the panel: the Drive tab's, if it signed in already.
        if drive_tab is not None and getattr(drive_tab, "drive", None) is not None:
            return drive_tab.drive
        from colab_panel.drive.auth import connect

        return connect(auth)

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

    controller = ShareController(drive=ctx.options.get("share_drive") or ctx.options.get("drive"),
                                 drive_factory=drive_factory, fetch=visitor_fetch)
    ctx.shared["share"] = controller  # the Drive tab hands its selection here ("Share…")
    if drive_tab is not None and hasattr(drive_tab, "selection"):
        drive_tab.observe(lambda change: controller.suggest(change["new"]), names="selection")
        controller.suggest(drive_tab.selection)
    return TabParts(title="Share", view=ShareTab(controller), closeables=(controller,), on_tick=controller.tick)

