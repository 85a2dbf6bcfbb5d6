"""page_watch: a demo panel closes when its page stops ticking, never while it ticks."""

from __future__ import annotations

import time

from colab_panel.demo.page_watch import close_when_page_gone


class FakePanel:
    def __init__(self) -> None:
        self.ticks = 0
        self.closed = False
        self.notice = ""

    def close(self, notice: str = "") -> None:
        self.closed, self.notice = True, notice


def test_a_ticking_page_keeps_its_panel_and_a_silent_one_closes_it() -> None:
    panel = FakePanel()
    watcher = close_when_page_gone(panel, after_s=0.5, check_every_s=0.05)
    for _ in range(12):  # 1.2 s of ticks every 0.1 s: longer than after_s, but never silent that long
        panel.ticks += 1
        time.sleep(0.1)
    assert not panel.closed
    watcher.join(timeout=5)  # then silence
    assert panel.closed and "kernel is ending" in panel.notice


def test_a_page_that_never_ticked_counts_as_gone() -> None:
    panel = FakePanel()
    close_when_page_gone(panel, after_s=0.2, check_every_s=0.05).join(timeout=5)
    assert panel.closed
