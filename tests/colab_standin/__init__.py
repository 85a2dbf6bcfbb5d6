"""A Colab stand-in for browser tests: where Colab differs from JupyterLab, it differs too.

    with colab_standin.serve(tmp_path) as server:       # page, output frames, proxy, a kernel
        colab = Colab(page, server).open()
        i = colab.run_cell("from colab_panel import Panel\\nPanel()")
        colab.output_frame(i).locator(".cp-panel").wait_for()

See README.md in this folder for what it reproduces (and what it does not).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BUILD_SCRIPT = REPO / "tools" / "build_colab_standin.sh"


def build() -> None:
    """Build the front end if its inputs changed (seconds when up to date)."""
    result = subprocess.run(["bash", str(BUILD_SCRIPT)], capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"{BUILD_SCRIPT} failed:\n{result.stdout}\n{result.stderr}")


@dataclass(frozen=True)
class Server:
    page_url: str   # the notebook page's origin, ends with "/"
    frame_url: str  # the output frames' origin, ends with "/"
    log: Path
    python: str     # the kernel's interpreter

    def proxy_log(self) -> list[dict[str, Any]]:
        """Every request the port proxy saw: port, path, Sec-Fetch-Mode/-Site, allowed."""
        with urllib.request.urlopen(f"{self.page_url}api/proxy_log", timeout=10) as response:
            return json.load(response)["requests"]

    def log_tail(self, n: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""


@contextmanager
def serve(tmp: Path, *, kernel_python: str = sys.executable, cwd: Path | None = None,
          env: dict[str, str] | None = None, timeout_s: float = 120) -> Iterator[Server]:
    """Start the stand-in's server (and its kernel) in a process of its own; always stop it."""
    import os

    from colab_panel.demo import processes

    tmp.mkdir(parents=True, exist_ok=True)
    info, log = tmp / "colab_standin.json", tmp / "colab_standin.log"
    info.unlink(missing_ok=True)
    full_env = dict(os.environ, **(env or {}))
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), full_env.get("PYTHONPATH")]))
    server = processes.start([sys.executable, "-m", "colab_standin.server", "--info", str(info),
                              "--kernel-python", kernel_python, "--cwd", str(cwd or tmp)],
                             env=full_env, cwd=tmp, log=log)
    try:
        deadline = time.monotonic() + timeout_s
        while not info.exists():
            if server.poll() is not None:
                raise RuntimeError(f"the Colab stand-in exited ({server.returncode}):\n"
                                   f"{log.read_text(errors='replace')[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the Colab stand-in did not start in {timeout_s} s")
            time.sleep(0.1)
        urls = json.loads(info.read_text())
        yield Server(page_url=urls["page"], frame_url=urls["frame"], log=log, python=urls["python"])
    finally:
        processes.stop(server)


class Colab:
    """Drives the stand-in's notebook page through Playwright (sync API)."""

    def __init__(self, page, server: Server):
        self.page, self.server = page, server

    def open(self, theme: str | None = None) -> "Colab":
        """Load the notebook page; `theme` ("light" or "dark", else the last one) is Colab's Theme
        setting, which output frames follow."""
        self.theme = theme or getattr(self, "theme", "light")
        self.page.goto(f"{self.server.page_url}?theme={self.theme}")
        self.page.wait_for_function("() => window.__colabStandin && window.__colabStandin.kernel === 'idle'")
        return self

    def run_cell(self, code: str, wait: bool = True, timeout_s: float = 60) -> int:
        """Add a cell with `code` and run it; returns its index. With `wait`, returns once the
        kernel replied (raising if the cell raised)."""
        index = self.page.evaluate("code => window.__colabStandin.run(code)", code)
        if wait:
            self.wait_for_cell(index, timeout_s)
            reply = self.page.evaluate(f"() => window.__colabStandin.cells[{index}].reply")
            if reply != "ok":
                text = self.output_text(index)
                raise AssertionError(f"cell {index} failed ({reply}):\n{code}\n---\n{text}")
        return index

    def wait_for_cell(self, index: int, timeout_s: float = 60) -> None:
        self.page.wait_for_function(f"() => window.__colabStandin.cells[{index}].status === 'done'",
                                    timeout=timeout_s * 1000)

    def wait_until_running(self, index: int, timeout_s: float = 60) -> None:
        self.page.wait_for_function(f"() => window.__colabStandin.cells[{index}].status === 'running'",
                                    timeout=timeout_s * 1000)

    def cell_status(self, index: int) -> str:
        return self.page.evaluate(f"() => window.__colabStandin.cells[{index}].status")

    def output_frame(self, index: int):
        """A Playwright FrameLocator for cell `index`'s output iframe."""
        return self.page.frame_locator(f"iframe.standin-output[data-index='{index}']")

    def frame(self, index: int):
        """The Playwright Frame of cell `index`'s outputs (for evaluate)."""
        handle = self.page.locator(f"iframe.standin-output[data-index='{index}']").element_handle()
        frame = handle.content_frame()
        frame.wait_for_function("() => window.__outputFrame !== undefined")
        return frame

    def output_text(self, index: int) -> str:
        try:
            return self.frame(index).evaluate("() => document.body.innerText")
        except Exception as error:  # the frame may not exist yet
            return f"(no output frame: {error})"

    def standin(self, expression: str) -> Any:
        """Evaluate `expression` against the page's `window.__colabStandin` (named `s`)."""
        return self.page.evaluate(f"() => {{ const s = window.__colabStandin; return {expression}; }}")

    def proxy_port_calls(self) -> list[dict[str, Any]]:
        return self.standin("s.proxyPortCalls")

    def interrupt(self) -> None:
        """Interrupt the running cell (KeyboardInterrupt in the kernel)."""
        self.page.evaluate("() => window.__colabStandin.interrupt()")

    def restart(self) -> None:
        """A fresh kernel, on a fresh page."""
        before = self.standin("s.restarts")
        self.page.evaluate("() => window.__colabStandin.restart()")
        self.page.wait_for_function(f"() => window.__colabStandin.restarts > {before}", timeout=120_000)
        self.open()
