"""Which front end this kernel serves: Colab, Colab in VS Code, JupyterLab, Notebook 7, VS Code,
Voila, IPython or plain Python.

A kernel cannot see its browser, so this reads the traces each front end leaves: the
`google.colab` module, Voila's and VS Code's environment variables, the command line of
the Jupyter server that started the kernel (`JPY_PARENT_PID`), and, for a Colab runtime
driven from VS Code (the colab-vscode extension: `google.colab` imports, but there is no
port proxy and no custom widget manager), the cell ids VS Code's Jupyter client puts in the
metadata of each execute request (`vscode-notebook-cell:...`).
"""

from __future__ import annotations

import enum
import importlib.util
import os
import sys
from typing import Any


class Frontend(str, enum.Enum):
    COLAB = "Colab"
    COLAB_VSCODE = "Colab in VS Code"
    JUPYTERLAB = "JupyterLab"
    NOTEBOOK = "Notebook 7"
    JUPYTER = "Jupyter"  # a Jupyter server whose front end we could not tell
    VSCODE = "VS Code"
    VOILA = "Voila"
    IPYTHON = "IPython"
    PYTHON = "Python"


def in_colab() -> bool:
    """True inside a Colab runtime (or the test stand-in that provides `google.colab`)."""
    if "google.colab" in sys.modules:
        return True
    try:
        return importlib.util.find_spec("google.colab") is not None
    except (ImportError, ValueError):  # `google` missing, or a namespace without a spec
        return False


def detect_frontend() -> Frontend:
    if in_colab():
        return Frontend.COLAB_VSCODE if driven_by_vscode() else Frontend.COLAB
    if os.environ.get("VOILA_KERNEL_ID") or os.environ.get("VOILA_APP_PORT") or \
            os.environ.get("SERVER_SOFTWARE", "").startswith("voila"):
        return Frontend.VOILA
    if "VSCODE_PID" in os.environ or "VSCODE_CWD" in os.environ:
        return Frontend.VSCODE
    shell = _ipython_shell_name()
    if shell is None:
        return Frontend.PYTHON
    if shell != "ZMQInteractiveShell":
        return Frontend.IPYTHON
    return _jupyter_server_flavour(os.environ.get("JPY_PARENT_PID"))


def in_colab_browser() -> bool:
    """True in a Colab runtime shown by Colab's own web front end (port proxy, custom widget
    manager), False elsewhere, Colab in VS Code included."""
    return in_colab() and not driven_by_vscode()


def driven_by_vscode() -> bool:
    """True when the request this kernel is answering came from VS Code's Jupyter client."""
    if "VSCODE_PID" in os.environ or "VSCODE_CWD" in os.environ:
        return True
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    kernel: Any = getattr(shell, "kernel", None)
    try:
        parent = kernel.get_parent("shell") if hasattr(kernel, "get_parent") else \
            getattr(kernel, "_parent_header", None)
    except Exception:  # a kernel without parents (tests, an odd kernel): no evidence
        return False
    metadata = parent.get("metadata") if isinstance(parent, dict) else None
    cell_id = metadata.get("cellId") if isinstance(metadata, dict) else None
    return isinstance(cell_id, str) and cell_id.startswith("vscode-notebook-cell")


def in_running_cell() -> bool:
    """True on the kernel's main thread while it runs a cell (an execute request), the only
    time a front end answers `input()`: not in a widget's click handler, not in a thread."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return False
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return shell is not None  # a terminal IPython reads its own stdin
    try:
        parent = kernel.get_parent("shell") if hasattr(kernel, "get_parent") else \
            getattr(kernel, "_parent_header", None)
    except Exception:
        return False
    header = parent.get("header") if isinstance(parent, dict) else None
    return isinstance(header, dict) and header.get("msg_type") == "execute_request" and \
        bool(getattr(kernel, "_allow_stdin", True))


def _ipython_shell_name() -> str | None:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    shell = ipython.get_ipython()
    return None if shell is None else type(shell).__name__


def _jupyter_server_flavour(parent_pid: str | None) -> Frontend:
    """Tell JupyterLab from Notebook 7 by the command line of the server that spawned us."""
    if not parent_pid or not parent_pid.isdigit():
        return Frontend.JUPYTER
    try:
        with open(f"/proc/{parent_pid}/cmdline", "rb") as f:
            cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return Frontend.JUPYTER
    if "voila" in cmdline:
        return Frontend.VOILA
    if "jupyter-lab" in cmdline or "jupyterlab" in cmdline or "jupyter lab" in cmdline:
        return Frontend.JUPYTERLAB
    if "jupyter-notebook" in cmdline or "notebook" in cmdline:
        return Frontend.NOTEBOOK
    return Frontend.JUPYTER
