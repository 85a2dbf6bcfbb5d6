"""Which front end this kernel serves: Colab, JupyterLab, Notebook 7, VS Code, Voila, IPython or plain Python.

A kernel cannot see its browser, so this reads the traces each front end leaves: the
`google.colab` module, Voila's and VS Code's environment variables, and the command line of
the Jupyter server that started the kernel (`JPY_PARENT_PID`).
"""

from __future__ import annotations

import enum
import importlib.util
import os
import sys


class Frontend(str, enum.Enum):
    COLAB = "Colab"
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
        return Frontend.COLAB
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
