"""Front-end detection reads real traces: modules, environment variables, the parent's cmdline."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from colab_panel.runtime import frontend
from colab_panel.runtime.frontend import Frontend
from support.polling import poll_until

COLAB_STUB = Path(__file__).resolve().parents[2] / "colab_stub"


def _detect_in_subprocess(env_extra: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("VOILA_", "VSCODE_", "JPY_")) and k != "PYTHONPATH"}
    env.update(env_extra)
    code = "from colab_panel.runtime.frontend import detect_frontend; print(detect_frontend().value)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.parametrize("env, expected", [
    ({}, "Python"),
    ({"PYTHONPATH": str(COLAB_STUB)}, "Colab"),
    ({"VOILA_KERNEL_ID": "abc"}, "Voila"),
    ({"VSCODE_PID": "123"}, "VS Code"),
])
def test_detect_frontend_from_a_fresh_process(env, expected):
    assert _detect_in_subprocess(env) == expected


def _fake_parent(tmp_path: Path, script_name: str) -> subprocess.Popen:
    """A real process started the way a Jupyter server is: `python /venv/bin/<script> ...`."""
    script = tmp_path / script_name
    script.write_text("import time\ntime.sleep(30)\n")
    proc = subprocess.Popen([sys.executable, str(script), "--no-browser"])
    assert poll_until(lambda: script_name.encode() in Path(f"/proc/{proc.pid}/cmdline").read_bytes()), \
        "the fake server never started"
    return proc


@pytest.mark.parametrize("argv0, expected", [
    ("jupyter-lab", Frontend.JUPYTERLAB),
    ("jupyter-notebook", Frontend.NOTEBOOK),
    ("voila", Frontend.VOILA),
    ("jupyter-server", Frontend.JUPYTER),
])
def test_jupyter_server_flavour_from_parent_cmdline(tmp_path, argv0, expected):
    parent = _fake_parent(tmp_path, argv0)
    try:
        assert frontend._jupyter_server_flavour(str(parent.pid)) is expected
    finally:
        parent.kill()
        parent.wait(5)


def test_unknown_parent_is_plain_jupyter():
    assert frontend._jupyter_server_flavour(None) is Frontend.JUPYTER
    assert frontend._jupyter_server_flavour("not-a-pid") is Frontend.JUPYTER
    assert frontend._jupyter_server_flavour("999999999") is Frontend.JUPYTER


class _Kernel:
    def __init__(self, metadata):
        self._parent = {"header": {"msg_type": "execute_request"}, "metadata": metadata}

    def get_parent(self, channel="shell"):
        return self._parent


@pytest.mark.parametrize("metadata, expected", [
    ({"cellId": "vscode-notebook-cell:/home/me/train.ipynb#W1sZmlsZQ%3D%3D"}, Frontend.COLAB_VSCODE),
    ({"colab": {"cell_id": "abc"}}, Frontend.COLAB),
    ({}, Frontend.COLAB),
])
def test_colab_runtime_driven_from_vscode_is_not_colabs_browser(monkeypatch, metadata, expected):
    """colab-vscode: `google.colab` imports, but VS Code's client sends the requests (no port
    proxy, no custom widget manager there)."""
    import IPython

    for name in ("VSCODE_PID", "VSCODE_CWD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(sys.modules, "google.colab", sys.modules.get("google.colab") or object())
    shell = type("Shell", (), {"kernel": _Kernel(metadata)})()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert frontend.detect_frontend() is expected
    assert frontend.in_colab_browser() is (expected is Frontend.COLAB)
