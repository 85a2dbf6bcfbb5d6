"""`TransferBox`: the kernel's transfer page in an iframe (see `js/transfer_box.js`).

The page (js/transfer_frame.js) does the uploading and downloading from inside the frame, over
HTTP to the kernel's endpoint, so no file's bytes cross the widget channel. The widget only
carries the endpoint's port and a single-use ticket that opens the page; a view that finds its
ticket used asks for a new one (`on_need_ticket`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from colab_panel.widgets.static import joined_module, static_path

__all__ = ["TransferBox", "transfer_page_files"]


def transfer_page_files() -> dict[str, Path]:
    """What the transfer page loads from ``transfers/static/``."""
    return {name: static_path(name) for name in ("theme.css", "transfer_frame.js", "crc32.js", "transfer_frame.css")}


class TransferBox(anywidget.AnyWidget):
    _esm = joined_module("transfer_box.js")  # js/transfer_box.js with js/shade.js joined in
    _css = static_path("transfer_box.css")
    endpoint_port = traitlets.Int(0).tag(sync=True)
    frame_ticket = traitlets.Unicode("").tag(sync=True)

    def __init__(self, *, new_ticket: Callable[[], str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._new_ticket = new_ticket
        self.frame_ticket = new_ticket()
        self.on_msg(self._on_page_msg)

    def _on_page_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "need_ticket":
            self.frame_ticket = self._new_ticket()
