"""Child processes that always die with us: own process group, bounded waits, killed on exit."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Mapping, Sequence


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def wait_for_port(host: str, port: int, timeout_s: float, process: subprocess.Popen | None = None) -> None:
    """Return once `host:port` accepts connections; raise TimeoutError (or if `process` dies) first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            program = process.args[0] if isinstance(process.args, (list, tuple)) else process.args
            raise RuntimeError(f"{program!s} exited with code {process.returncode} before serving")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing answered on {host}:{port} within {timeout_s:.0f} s")


def start(args: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None,
          log: Path | None = None) -> subprocess.Popen:
    """Start `args` in a new process group so `stop()` can take its whole tree down."""
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed by the child's exit
    try:
        return subprocess.Popen(list(args), env=dict(env) if env else None, cwd=cwd,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    finally:
        if not isinstance(out, int):  # our log file, not DEVNULL
            out.close()


def stop(process: subprocess.Popen, timeout_s: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after `timeout_s`."""
    if process.poll() is not None:
        return
    descendants = _descendants(process.pid)
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait_s)
            break
        except subprocess.TimeoutExpired:
            continue
    # Jupyter starts kernels in sessions of their own: the group signal misses them if the
    # server could not shut them down itself, so kill any descendant still alive by PID.
    for child in descendants:
        try:
            child.kill()
        except Exception:  # already gone (psutil.NoSuchProcess) or not ours any more
            pass


def _descendants(pid: int) -> list:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []
