"""`CopyButton`: copies `text` to the clipboard in one click (see `js/copy_button.js`).

The browser does the copying (the kernel has no access to the user's clipboard). The button
says "Copied ✓" for a moment; `copies` counts successful copies and `last_outcome` says how the
last click went ("clipboard", "execCommand" fallback, or "failed: ..."), reported by the page.
"""

from __future__ import annotations

import logging
from typing import Any

import anywidget
import traitlets

from colab_panel.widgets.static import static_path

__all__ = ["CopyButton"]

_log = logging.getLogger(__name__)


class CopyButton(anywidget.AnyWidget):
    _esm = static_path("copy_button.js")
    _css = static_path("theme.css").read_text(encoding="utf-8") + static_path("copy_button.css").read_text(encoding="utf-8")
    text = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("Copy").tag(sync=True)
    hint = traitlets.Unicode("Copy to clipboard").tag(sync=True)  # not `tooltip`: DOMWidget owns that name
    copies = traitlets.Int(0)  # successful copies reported by the page
    last_outcome = traitlets.Unicode("")

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(text=text, **kwargs)
        self.on_msg(self._on_page_msg)

    def _on_page_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "copied":
            self.last_outcome = str(content.get("how", "clipboard"))
            self.copies += 1
        elif content.get("type") == "copy_failed":
            self.last_outcome = f"failed: {content.get('error', '')}"
            _log.info("copy to clipboard failed in the page: %s", content.get("error"))
