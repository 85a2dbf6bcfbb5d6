"""Start JupyterLab or Voila on a free loopback port for browser tests, and always stop them.

The kernel inherits the server's environment: pass `colab=True` to put the Colab stand-in
(`tests/colab_stub`) on its PYTHONPATH so it believes it runs in Colab.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from colab_panel.demo import processes

REPO = Path(__file__).resolve().parents[2]
COLAB_STUB = REPO / "tests" / "colab_stub"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Server:
    url: str  # ends with "/"
    token: str
    root_dir: Path
    log: Path

    def log_tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""


def kernel_env(tmp: Path, *, colab: bool, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), COLAB_PANEL_DATA=str(tmp / "data"),
               JUPYTER_PLATFORM_DIRS="1", PYTHONUNBUFFERED="1")
    # The kernel imports this checkout's colab_panel, not whichever one the venv was installed from
    # (the kernel's working directory is the test's folder, so the checkout is not on its path).
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    if colab:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(COLAB_STUB), env.get("PYTHONPATH")]))
        env["COLAB_STUB_LOG"] = str(tmp / "colab_stub.jsonl")
        env["COLAB_STUB_DRIVE_DIR"] = str(tmp / "stub_drive")
    env.update(extra or {})
    return env


def _quiet_lab_settings(settings_dir: Path) -> None:
    """No news or update toasts: they would cover the notebook in screenshots."""
    target = settings_dir / "@jupyterlab" / "apputils-extension"
    target.mkdir(parents=True, exist_ok=True)
    (target / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))


@contextmanager
def jupyterlab(root_dir: Path, tmp: Path, *, colab: bool = False,
               env_extra: dict[str, str] | None = None, timeout_s: float = 120) -> Iterator[Server]:
    port, token = processes.free_port(HOST), secrets.token_hex(16)
    env = kernel_env(tmp, colab=colab, extra=env_extra)
    _quiet_lab_settings(tmp / "lab-settings")
    env["JUPYTERLAB_SETTINGS_DIR"] = str(tmp / "lab-settings")
    log = tmp / "jupyterlab.log"
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.ip={HOST}",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
            "--LabApp.expose_app_in_browser=True", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
            "--ServerApp.allow_root=True"]
    yield from _serve(args, env, root_dir, log, port, token, timeout_s)


@contextmanager
def notebook7(root_dir: Path, tmp: Path, *, env_extra: dict[str, str] | None = None,
              timeout_s: float = 120) -> Iterator[Server]:
    """Jupyter Notebook 7 (the classic-looking front end built on JupyterLab's parts)."""
    port, token = processes.free_port(HOST), secrets.token_hex(16)
    env = kernel_env(tmp, colab=False, extra=env_extra)
    _quiet_lab_settings(tmp / "lab-settings")
    env["JUPYTERLAB_SETTINGS_DIR"] = str(tmp / "lab-settings")
    args = [sys.executable, "-m", "notebook", "--no-browser", f"--ServerApp.ip={HOST}",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
            "--JupyterNotebookApp.expose_app_in_browser=True", "--ServerApp.allow_root=True"]
    yield from _serve(args, env, root_dir, tmp / "notebook.log", port, token, timeout_s)


@contextmanager
def voila(notebook: Path, tmp: Path, *, colab: bool = False,
          env_extra: dict[str, str] | None = None, timeout_s: float = 120) -> Iterator[Server]:
    from colab_panel.demo.server import voila_command

    port = processes.free_port(HOST)
    env = kernel_env(tmp, colab=colab, extra=env_extra)
    yield from _serve(voila_command(notebook, port), env, notebook.parent, tmp / "voila.log",
                      port, "", timeout_s)


def _serve(args, env, root_dir, log, port, token, timeout_s):
    server = processes.start(args, env=env, cwd=root_dir, log=log)
    try:
        processes.wait_for_port(HOST, port, timeout_s, server)
        yield Server(url=f"http://{HOST}:{port}/", token=token, root_dir=root_dir, log=log)
    finally:
        processes.stop(server)


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A notebook of code cells (the Python 3 kernel), written to `path`."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path
