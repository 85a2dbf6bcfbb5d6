"""`colab-panel demo`: a closed tab's kernel ends, at the Voila/HTTP level (no browser here).

A tab is played by what a browser does on the wire: fetch the page (Voila starts a kernel and
runs the notebook in it), open the kernel's websocket, close it. Without JavaScript no tick ever
comes from the page, exactly as after the tab is closed. The kernel is a real process: the test
waits for it to exit. A kernel whose websocket is still open (a tab still showing) must not end.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.request

import psutil
import pytest

from colab_panel.demo import processes
from colab_panel.demo.server import HOST, serve_demo

websocket = pytest.importorskip("websocket")  # websocket-client, a dependency of jupyter_server
# The demo extra (Voila) is in .venv only; without it serve_demo fails in its thread and the
# test would wait 120 s for a server that never comes (.venv-colab has websocket, not Voila).
pytest.importorskip("voila", reason="the demo needs Voila (colab-panel[demo]), not installed on this stack")

PAGE_GONE_S, KERNEL_IDLE_S, CULL_INTERVAL_S = 6, 4, 2
BOUND_S = PAGE_GONE_S + KERNEL_IDLE_S + CULL_INTERVAL_S + 30  # + slack for a loaded machine


def _kernel_process(kernel_id: str) -> psutil.Process | None:
    for process in psutil.Process().children(recursive=True):
        try:
            if any(kernel_id in part for part in process.cmdline()):
                return process
        except psutil.NoSuchProcess:
            continue
    return None


def _open_page(url: str) -> str:
    html = urllib.request.urlopen(url, timeout=120).read().decode()
    match = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', html)
    assert match, "no kernel ID in the page"
    return match.group(1)


def _wait_for_exit(kernel_id: str, bound_s: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < bound_s:
        if _kernel_process(kernel_id) is None:
            return time.monotonic() - started
        time.sleep(1)
    return None


@pytest.fixture(scope="module")
def demo_url():
    port = processes.free_port(HOST)
    stop = threading.Event()
    thread = threading.Thread(target=serve_demo, daemon=True, kwargs=dict(
        port=port, open_browser=False, stop_event=stop, print_fn=lambda *a, **k: None,
        page_gone_s=PAGE_GONE_S, kernel_idle_s=KERNEL_IDLE_S, cull_interval_s=CULL_INTERVAL_S))
    thread.start()
    processes.wait_for_port(HOST, port, 120)
    yield f"http://{HOST}:{port}/"
    stop.set()
    thread.join(60)


def test_a_closed_tabs_kernel_ends_and_an_open_tabs_kernel_stays(demo_url: str) -> None:
    gone = _open_page(demo_url)  # a tab closed before its scripts connected
    showing = _open_page(demo_url)  # a tab that stays connected
    assert _kernel_process(gone) and _kernel_process(showing)
    socket = websocket.create_connection(f"ws://{HOST}:{demo_url.split(':')[2].strip('/')}/api/kernels/{showing}/channels",
                                         timeout=10)
    try:
        took = _wait_for_exit(gone, BOUND_S)
        assert took is not None, f"the kernel of a closed tab was still running after {BOUND_S} s"
        assert _kernel_process(showing) is not None, "the kernel of a connected tab was ended"
    finally:
        socket.close()  # now that tab closes too
    took = _wait_for_exit(showing, BOUND_S)
    assert took is not None, f"the kernel of a tab closed after use was still running after {BOUND_S} s"
