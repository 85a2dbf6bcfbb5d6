"""The Share tab's 'Will this link work for someone else?' row: check, the answer in words, the fix.

A view only: the check and the fix live in `ShareController.check_link()` / `propose_link_fix()`,
and the fix goes through the tab's usual Review -> Confirm bar.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from colab_panel.controllers.share import ShareController

__all__ = ["LinkCheckRow"]


class LinkCheckRow(widgets.VBox):
    def __init__(self, controller: ShareController) -> None:
        self.controller = controller
        self.check_button = widgets.Button(
            description="Will it work for others?", icon="user-secret",
            tooltip="Open the link as a visitor with no Google account would, and say what they get",
            layout=widgets.Layout(width="auto")).add_class("cp-share-check-link")
        self.fix_button = widgets.Button(description="Review the fix", icon="wrench",
                                         layout=widgets.Layout(width="auto", display="none")
                                         ).add_class("cp-share-check-fix")
        self.answer = widgets.HTML().add_class("cp-share-check-answer")
        super().__init__([widgets.HBox([self.check_button, self.fix_button]), self.answer])
        self.add_class("cp-share-check")
        self.check_button.on_click(lambda _: controller.check_link())
        self.fix_button.on_click(lambda _: controller.propose_link_fix())
        controller.observe(self._show, names=["link_check_text", "can_fix_link", "link_verdict"])
        self._show()

    def _show(self, _change: Any = None) -> None:
        c = self.controller
        verdict = c.link_verdict
        css = "cp-muted" if verdict is None or verdict.works else "cp-error"
        self.answer.value = (f'<pre class="{css} cp-share-check-text" style="white-space:pre-wrap">'
                             f"{html.escape(c.link_check_text)}</pre>" if c.link_check_text else "")
        self.fix_button.layout.display = None if c.can_fix_link else "none"
