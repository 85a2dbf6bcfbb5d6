"""The panel's tabs: a bar whose page-side script switches pages (no kernel round trip), with
the first page marked shown from the start and the kernel told the choice."""

from __future__ import annotations

import ipywidgets as widgets

from colab_panel.views.tab_pages import SHOWN, TabPages


def test_pages_are_marked_and_the_choice_reaches_the_kernel():
    pages = [widgets.VBox(), widgets.VBox(), widgets.VBox()]
    tabs = TabPages(pages, ["Drive", "Share", "Monitor"])
    try:
        assert tabs.titles == ("Drive", "Share", "Monitor")
        assert all("cp-tab-page" in p._dom_classes for p in pages)
        assert [SHOWN in p._dom_classes for p in pages] == [True, False, False]
        tabs.bar.selected_index = 2  # what the page sends when the user clicks "Monitor"
        assert tabs.selected_index == 2
        tabs.selected_index = 1  # code picks a page: the bar (and so the page) follows
        assert tabs.bar.selected_index == 1
        tabs.set_titles(["Drive", "Sharing", "Monitor"])
        assert tabs.bar.get_state()["titles"] == ["Drive", "Sharing", "Monitor"]
    finally:
        tabs.bar.close()
        tabs.close()
