"""The notice at the top of a new panel that says why the previous kernel died (hidden otherwise)."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from colab_panel.controllers.last_exit import LastExitController

__all__ = ["LastExitNotice"]


class LastExitNotice(widgets.VBox):
    def __init__(self, controller: LastExitController) -> None:
        self.controller = controller
        self.text = widgets.HTML().add_class("cp-last-exit-text")
        self.chart = widgets.HTML().add_class("cp-last-exit-chart")
        self.dismiss_button = widgets.Button(description="Dismiss", icon="times",
                                             layout=widgets.Layout(width="auto")).add_class("cp-last-exit-dismiss")
        super().__init__([widgets.HBox([self.text, self.dismiss_button]), self.chart],
                         layout=widgets.Layout(padding="4px 8px", margin="0 0 6px 0"))
        self.add_class("cp-last-exit")
        self.dismiss_button.on_click(lambda _: controller.dismiss())
        controller.observe(self._show, names=["words", "chart_svg", "visible"])
        self._show()

    def _show(self, _change: Any = None) -> None:
        c = self.controller
        self.text.value = (f'<div class="cp-last-exit-words"><b>Why the last kernel stopped:</b> '
                           f"{html.escape(c.words)}</div>") if c.words else ""
        self.chart.value = c.chart_svg  # our own SVG string, built from numbers only
        self.layout.display = None if c.visible else "none"
