"""`KaggleTokenSection`: the Staging tab's row for the Kaggle API token (kaggle.json from your computer)."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from colab_panel.controllers.kaggle_token import KaggleTokenController
from colab_panel.widgets.file_picker import FilePicker

__all__ = ["KaggleTokenSection"]


class KaggleTokenSection(widgets.VBox):
    def __init__(self, controller: KaggleTokenController) -> None:
        self.controller = c = controller
        self.picker = FilePicker(label="Upload kaggle.json…", accept=".json,application/json",
                                 hint="Choose the kaggle.json from kaggle.com/settings; it is stored with mode 0600 "
                                      "where the kaggle package looks, and never shown",
                                 on_file=c.receive, on_refused=c.refuse).add_class("cp-kaggle-picker")
        self.status = widgets.HTML().add_class("cp-kaggle-status")
        self.outcome = widgets.HTML().add_class("cp-kaggle-outcome")
        super().__init__([widgets.HTML('<div class="cp-section-h">Kaggle token</div>'),
                          widgets.HBox([self.picker, self.status], layout=widgets.Layout(align_items="center", flex_flow="row wrap")),
                          self.outcome])
        self.add_class("cp-kaggle")
        c.observe(self._show, names=["status", "message", "error"])
        self._show()

    def _show(self, _change: Any = None) -> None:
        c = self.controller
        self.status.value = f'<span class="cp-muted">{html.escape(c.status)}</span>'
        if c.error:
            self.outcome.value = f'<span class="cp-error">{html.escape(c.error)}</span>'
        elif c.message:
            self.outcome.value = f'<span class="cp-ok">{html.escape(c.message)}</span>'
        else:
            self.outcome.value = ""
