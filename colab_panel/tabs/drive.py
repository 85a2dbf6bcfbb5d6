"""The Drive tab: `connect()` (lazily, in the background) -> `DriveController` -> `DriveTab`.

Panel options read here: ``drive_folder`` (the folder listed first; default My Drive). The tab
uses the panel's one connection (`ctx.drive`): ``Panel(drive=...)``, or a sign-in with
``drive_auth`` (default "auto": the demo's emulator from the environment, Colab's sign-in, saved
credentials, a service account) that the other tabs then share.

The controller is put in ``ctx.shared["drive"]`` so later tabs (Share, Staging) can follow its
``selection`` trait. "Share…" and "Stage…" hand the whole selection over: the panel's
``ctx.shared["show_tab"]`` shows (and if need be builds) that tab, whose controller, found as
``ctx.shared["share"]`` / ``["staging"]``, takes the items (`take_items`).
"""

from __future__ import annotations

from colab_panel.controllers.drive import DriveController
from colab_panel.errors import DriveError
from colab_panel.runtime.frontend import in_colab
from colab_panel.tabs import PanelContext, TabParts
from colab_panel.views.drive import DriveTab


def build_drive_tab(ctx: PanelContext) -> TabParts:
    controller = DriveController(
        ctx.drive,
        start_folder=ctx.options.drive_folder,
        default_dest=ctx.staging_dir,
        # Colab drops widget updates from threads (colabtools#3373): there the ticker applies them.
        apply_from_thread=not in_colab(),
    )
    ctx.shared["drive"] = controller

    def hand(target: str, items: list) -> None:
        if target == "staging" and len(items) != 1:  # said here, before the tab switches away
            raise DriveError(f"Staging copies one file or folder at a time; {len(items)} are selected. "
                             "Select one, or the folder that holds them.")
        show_tab = ctx.shared.get("show_tab")
        if show_tab is not None:
            show_tab(target.capitalize())  # builds the tab on first need, so its controller exists
        receiver = ctx.shared.get(target)
        if receiver is None:
            raise DriveError(f"The {target.capitalize()} tab is not in this panel.")
        receiver.take_items(items)

    controller.on_hand(hand)
    view = DriveTab(controller)
    closeables: tuple = (controller,)
    if ctx.drive.given or not in_colab():
        controller.start()
    else:
        # Colab's sign-in is a prompt that only a running cell can show: the first Drive action
        # uses credentials Colab already has, or says which one-line call to run; that call
        # (`sign_in()`) tells this tab to connect.
        from colab_panel.drive.auth import on_sign_in

        controller.message = "Paste a Drive link or ID, or sign in to list My Drive."
        controller.show_sign_in = True
        closeables = (_Unhook(on_sign_in(controller.reconnect)), controller)
    return TabParts(title="Drive", view=view, closeables=closeables, on_tick=controller.poll)


class _Unhook:
    """Closing the tab removes its sign-in listener."""

    def __init__(self, remove) -> None:
        self._remove = remove

    def close(self) -> None:
        self._remove()
