"""The Share tab: Drive sharing backend -> `ShareController` -> `ShareTab`.

Panel options read here: ``share_drive`` (a `colab_panel.drive.client.Drive` to use instead of
signing in on first use), e.g. ``Panel(share_drive=Drive.for_emulator(...))``.
"""

from __future__ import annotations

from colab_panel.controllers.share import ShareController
from colab_panel.tabs import PanelContext, TabParts
from colab_panel.views.share import ShareTab


def build_share_tab(ctx: PanelContext) -> TabParts:
    # No Drive call here: signing in waits for the first action, so building the panel stays
    # instant and never prompts for an account the user may not need.
    controller = ShareController(drive=ctx.options.get("share_drive"))
    return TabParts(title="Share", view=ShareTab(controller), closeables=(controller,), on_tick=controller.tick)
