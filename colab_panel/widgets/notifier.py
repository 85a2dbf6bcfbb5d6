"""`Notifier`: the header's bell, and the page side of browser notifications (see `js/notifier.js`).

The page owns what only it can do: ask the browser's permission (once, from the user's click on
the bell, as browsers require), and show a `Notification` (optionally with a short beep). The
kernel sends each notice as a custom message, `{"type": "notify", ...}`, always from the main
thread (see controllers/notifications.py). `enabled`, `sound` and `permission` are synced both
ways; the page reports `permission` after asking and whenever it renders.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from colab_panel.widgets.static import static_path

__all__ = ["Notifier"]


class Notifier(anywidget.AnyWidget):
    _esm = static_path("notifier.js")
    enabled = traitlets.Bool(False).tag(sync=True)
    sound = traitlets.Bool(False).tag(sync=True)
    permission = traitlets.Unicode("default").tag(sync=True)  # default|granted|denied|unsupported

    def show(self, notice: dict[str, Any]) -> None:
        """Send one notice to the page (call on the kernel's main thread)."""
        self.send({"type": "notify", **notice})

    @classmethod
    def for_controller(cls, controller: Any) -> Notifier:
        """A bell bound both ways to a `NotificationController`, which sends through it."""
        widget = cls(enabled=controller.enabled, sound=controller.sound, permission=controller.permission)
        for name in ("enabled", "sound", "permission"):
            traitlets.link((controller, name), (widget, name))
        controller.attach(widget.show)
        widget.add_class("cp-notifier")
        return widget
