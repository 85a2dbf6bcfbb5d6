"""`colab-panel demo` serves the panel on 127.0.0.1 and Ctrl-C stops every process it started."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from colab_panel.demo.processes import free_port
from support.colab_stack import on_colab_stack

# `colab-panel demo` serves with Voila, from the demo extra, which is never installed in Colab
pytestmark = pytest.mark.skipif(on_colab_stack(), reason="the demo needs Voila (the demo extra), "
                                "which Colab's stack does not have")


def _read_url(proc: subprocess.Popen, timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                pytest.fail(f"demo exited early with {proc.returncode}: {proc.stderr.read()}")
            continue
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if match:
            return match.group(1)
    pytest.fail("the demo never printed its URL")


def _drive_rows(browser, url: str) -> list[str]:
    """The Drive tab's table rows as Chromium shows them: "<icon kind> <name>" (the table replaced
    a list box of fixed-width "type  name/  size  modified" labels)."""
    page = browser.new_page()
    try:
        page.set_default_timeout(90_000)
        page.goto(url)
        page.locator(".cp-drive-table .cp-ft-row .cp-ft-name", has_text="datasets").first.wait_for()
        rows = page.evaluate("""() => [...document.querySelectorAll('.cp-drive-table .cp-ft-row')].map(row =>
            [...row.querySelector('.cp-ft-icon').classList].find(c => c.startsWith('cp-ft-k-')).slice(8)
            + ' ' + row.querySelector('.cp-ft-name').textContent)""")
    finally:
        page.close()
    return rows


def test_demo_serves_the_panel_and_ctrl_c_stops_everything(tmp_path, browser):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "colab_panel.cli", "demo", "--no-browser",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=tmp_path, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        url = _read_url(proc, 120)
        assert url == f"http://127.0.0.1:{port}/"
        # Voila runs the notebook before answering: the page carries the panel's widget state
        with urllib.request.urlopen(url, timeout=120) as response:
            page = response.read().decode()
        assert response.status == 200 and "colab_panel" in page
        # the Drive tab lists the sample tree of the built-in emulator (no Google account)
        rows = _drive_rows(browser, url)
        for name in ("folder datasets", "folder images", "folder tables", "doc Project notes",
                     "sheet Training log", "link Shortcut to datasets"):
            assert name in rows, (name, rows)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert any("voila" in " ".join(c.cmdline()) for c in children)
        assert any("ipykernel" in " ".join(c.cmdline()) for c in children)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0
        assert "stopping" in proc.stdout.read()
        gone, alive = psutil.wait_procs(children, timeout=15)
        assert not alive, f"left running: {[p.cmdline() for p in alive]}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_demo_refuses_a_port_in_use_in_words(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "colab_panel.cli", "demo", "--no-browser",
                              "--port", str(port)], capture_output=True, text=True, timeout=120,
                             cwd=tmp_path)
    assert out.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in out.stderr
