"""`TabPages`: pages under the panel's tab bar (`TabBar`), shown one at a time by the page.

The bar and the pages are siblings in one box; the page marks the page shown with the class
`cp-tab-shown` (the panel's CSS hides the others), so switching needs no kernel round trip.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import traitlets

from colab_panel.widgets.tab_bar import TabBar

SHOWN = "cp-tab-shown"


class TabPages(widgets.VBox):
    """`pages` under buttons titled `titles`; `selected_index` is the page shown."""

    selected_index = traitlets.Int(0)

    def __init__(self, pages: Sequence[widgets.Widget], titles: Sequence[str]) -> None:
        self.pages = list(pages)
        self.bar = TabBar(titles=[str(t) for t in titles])
        for index, page in enumerate(self.pages):
            page.add_class("cp-tab-page")
            if index == 0:
                page.add_class(SHOWN)  # right at first paint, before the bar's script runs
        super().__init__([self.bar, *self.pages])
        traitlets.link((self.bar, "selected_index"), (self, "selected_index"))

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(self.bar.titles)

    def set_titles(self, titles: Sequence[str]) -> None:
        titles = [str(t) for t in titles]
        if list(self.bar.titles) != titles:
            self.bar.titles = titles
