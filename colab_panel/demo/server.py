"""Serve the demo notebook with Voila on 127.0.0.1 and stop everything on Ctrl-C.

The Drive tab talks to the built-in Drive emulator (`drive_sample.demo_drive`: a loopback HTTPS
Drive API with a small sample tree), so the demo needs no Google account; its address, token
and certificate reach the Voila kernel through the environment.

Voila rather than JupyterLab: a newcomer sees the panel as an app (no code cells, no IDE), each
browser tab gets its own kernel, and the kernel ends when the tab closes.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import sys
import tempfile
import threading
import webbrowser
from contextlib import ExitStack
from pathlib import Path

from colab_panel.demo import processes
from colab_panel.demo.drive_sample import demo_drive, emulator_env
from colab_panel.demo.page_watch import ENV_PAGE_GONE_S
from colab_panel.errors import PanelError

DEMO_NOTEBOOK = Path(__file__).with_name("demo.ipynb")
HOST = "127.0.0.1"


class DemoError(PanelError):
    """The demo could not start; the message says why in words."""


# A closed tab's kernel ends within PAGE_GONE_S + KERNEL_IDLE_S + CULL_INTERVAL_S (about 3 min):
# the notebook closes its panel when the page's ticks stop (`page_watch`), the kernel falls
# quiet, and Voila ends a kernel that has no connection and has been quiet for KERNEL_IDLE_S.
PAGE_GONE_S = 120
KERNEL_IDLE_S = 60
CULL_INTERVAL_S = 15


def voila_command(notebook: Path, port: int, *, kernel_idle_s: int = KERNEL_IDLE_S,
                  cull_interval_s: int = CULL_INTERVAL_S) -> list[str]:
    return [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--no-browser",
            f"--Voila.ip={HOST}", "--show_tracebacks=True", "--theme=light",
            f"--MappingKernelManager.cull_idle_timeout={int(kernel_idle_s)}",
            f"--MappingKernelManager.cull_interval={int(cull_interval_s)}"]


def serve_demo(port: int | None = None, open_browser: bool = True, ready_timeout_s: float = 120.0,
               stop_event: threading.Event | None = None, print_fn=print, *, page_gone_s: float = PAGE_GONE_S,
               kernel_idle_s: int = KERNEL_IDLE_S, cull_interval_s: int = CULL_INTERVAL_S) -> None:
    """Run the demo until Ctrl-C (or `stop_event`), then stop every process it started.

    `page_gone_s`, `kernel_idle_s`, `cull_interval_s`: how soon a closed tab's kernel ends (see
    PAGE_GONE_S); tests make them short."""
    if importlib.util.find_spec("voila") is None:
        raise DemoError("The demo needs Voila: pip install 'colab-panel[demo]'")
    if port is None:
        port = processes.free_port(HOST)
    elif not processes.port_is_free(HOST, port):
        raise DemoError(f"port {port} on {HOST} is already in use: pick another with --port, "
                        "or leave --port out to use a free one")
    stop_event = stop_event or threading.Event()
    with ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="colab-panel-demo-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        notebook = workdir / "colab_panel_demo.ipynb"
        shutil.copyfile(DEMO_NOTEBOOK, notebook)
        emulator = stack.enter_context(demo_drive(workdir))  # stopped after Voila (ExitStack order)
        env = dict(os.environ, COLAB_PANEL_DATA=str(workdir / "data"), **emulator_env(emulator))
        env[ENV_PAGE_GONE_S] = str(page_gone_s)
        command = voila_command(notebook, port, kernel_idle_s=kernel_idle_s, cull_interval_s=cull_interval_s)
        server = processes.start(command, env=env, cwd=workdir,
                                 log=workdir / "voila.log")
        stack.callback(processes.stop, server)
        try:
            processes.wait_for_port(HOST, port, ready_timeout_s, server)
        except (TimeoutError, RuntimeError) as exc:
            # its last lines say why; the rest of the log goes when the demo's folder is removed
            log = " ".join((workdir / "voila.log").read_text(errors="replace")[-400:].split())
            raise DemoError(f"Voila did not start: {exc}. The end of its log: {log}") from exc
        url = f"http://{HOST}:{port}/"
        print_fn(f"colab_panel demo: {url}  (Ctrl-C stops it)", flush=True)
        if open_browser:
            webbrowser.open(url)
        _wait_for_stop(server, stop_event)
        print_fn("colab_panel demo: stopping…", flush=True)


def _wait_for_stop(server, stop_event: threading.Event) -> None:
    """Block until Ctrl-C, SIGTERM, `stop_event`, or the server dying on its own."""
    def request_stop(_signum, _frame):
        stop_event.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
    while not stop_event.wait(0.5):
        if server.poll() is not None:
            raise DemoError(f"Voila exited unexpectedly with code {server.returncode}")
