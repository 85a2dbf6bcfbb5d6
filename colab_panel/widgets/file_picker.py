"""`FilePicker`: choose one small file on your computer; its bytes reach the kernel once (see `js/file_picker.js`).

The page reads the file and sends it as one custom message with a binary buffer; no trait
holds the content, so it is in neither side's widget state afterwards. For small files only
(`max_bytes`, 64 KB by default): a bigger one is not read by the page, and `on_refused` gets
the sentence to show. ipywidgets' `FileUpload` is not used: it does not render under Colab's
custom widget manager.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

from colab_panel.units import human_bytes
from colab_panel.widgets.static import static_path

__all__ = ["FilePicker"]

_log = logging.getLogger(__name__)


class FilePicker(anywidget.AnyWidget):
    _esm = static_path("file_picker.js")
    _css = static_path("file_picker.css")
    label = traitlets.Unicode("Choose file…").tag(sync=True)
    hint = traitlets.Unicode("").tag(sync=True)  # not `tooltip`: DOMWidget owns that name
    accept = traitlets.Unicode("").tag(sync=True)  # e.g. ".json,application/json"
    max_bytes = traitlets.Int(64 * 1024).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, *, on_file: Callable[[str, bytes], None], on_refused: Callable[[str], None],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_file = on_file
        self._on_refused = on_refused
        self.on_msg(self._on_page_msg)

    def _on_page_msg(self, _widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        name = str(content.get("name") or "the file")[:200]
        kind = content.get("type")
        if kind == "file":
            data = bytes(buffers[0]) if buffers else b""
            if len(data) > self.max_bytes:  # the page checks first; a page of another version may not
                self._refuse_big(name, len(data))
                return
            self._on_file(name, data)
        elif kind == "too_big":
            self._refuse_big(name, content.get("size"))
        elif kind == "read_failed":
            _log.info("the page could not read %s: %s", name, content.get("error"))
            self._on_refused(f"The browser could not read {name}: {str(content.get('error', ''))[:200]}")

    def _refuse_big(self, name: str, size: Any) -> None:
        shown = human_bytes(size) if isinstance(size, int) else "too big"
        self._on_refused(f"{name} is {shown}; only files up to {human_bytes(self.max_bytes)} can be chosen here.")
