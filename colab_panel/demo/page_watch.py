"""End a demo kernel's work when its browser tab is gone, so that Voila can end the kernel.

Voila ends ("culls") a kernel only when it has no connection and has been quiet for a while. A
live panel is never quiet: its monitor chart is fed every second from a thread. So the demo
notebook watches the panel's ticks (the page's timer calls the kernel every few seconds): when
none has come for `after_s`, or none ever came, the page is gone, and the panel is closed, which
stops every thread it started. The kernel then falls quiet and Voila's culler ends it.

Only for the demo: in a notebook a running cell holds the page's ticks back (they wait until the
cell ends), so silence there does not mean the page is gone. Voila runs no cells after the page
is built.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

ENV_PAGE_GONE_S = "COLAB_PANEL_DEMO_PAGE_GONE_S"
DEFAULT_PAGE_GONE_S = 120.0  # a hidden tab's timers may run only once a minute (Chrome throttling)


def close_when_page_gone(panel: Any, after_s: float | None = None, *, check_every_s: float = 1.0) -> threading.Thread:
    """Close `panel` once no tick has come from its page for `after_s` seconds (in a daemon thread)."""
    if after_s is None:
        after_s = float(os.environ.get(ENV_PAGE_GONE_S) or DEFAULT_PAGE_GONE_S)

    def watch() -> None:
        seen, heard_at = panel.ticks, time.monotonic()
        while not panel.closed:
            time.sleep(check_every_s)
            if panel.ticks != seen:
                seen, heard_at = panel.ticks, time.monotonic()
            elif time.monotonic() - heard_at > after_s:
                panel.close(notice="This page went away; its kernel is ending.")

    thread = threading.Thread(target=watch, name="colab_panel-demo-page-watch", daemon=True)
    thread.start()
    return thread
