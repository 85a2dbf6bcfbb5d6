"""Stage from the Drive emulator in a child process, SIGKILL it part-way, stage again, count refetched bytes.

    with DriveEmulator(root=seed) as emu:
        result = kill_and_resume(emu, folder_id, dest, dataset_bytes=n, kill_at=0.7)
        result.refetched_bytes / result.dataset_bytes      # the share fetched twice

The emulator counts the body bytes it writes to each connection (`RequestLog.served_spans`), so
"refetched" is measured on the server side: bytes of a file the second run was served that the
first run had already been served. What the first run had in flight when it died counts as
served to it, so the figure errs against the stager, never for it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from colab_panel.drive.emulator import DriveEmulator
from colab_panel.drive.emulator.requestlog import overlap_bytes

_REPO = Path(__file__).resolve().parents[2]
_CHILD = Path(__file__).with_name("stage_child.py")


@dataclass(frozen=True)
class Resumed:
    dataset_bytes: int
    first_run_bytes: int  # media bytes the killed run was served
    second_run_bytes: int  # media bytes the resumed run was served
    refetched_bytes: int  # bytes served to both runs (same file, same offsets)
    killed: bool  # False: the first run finished before the kill point (the case proves nothing)
    refetched_by_path: dict[str, int]  # media URL path -> bytes refetched, only where some were

    @property
    def refetched_share(self) -> float:
        return self.refetched_bytes / self.dataset_bytes


def seed_folder(root: Path, *, small_files: int, small_bytes: int, big_files: int, big_bytes: int) -> int:
    """A folder `ds` of small files in subfolders plus a few big ones; returns the dataset's bytes."""
    folder = root / "ds"
    for i in range(small_files):
        sub = folder / f"part{i % 8}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:05d}.bin").write_bytes(os.urandom(small_bytes))
    for i in range(big_files):
        with open(folder / f"big{i}.bin", "wb") as f:
            for _ in range(0, big_bytes, 1 << 20):
                f.write(os.urandom(min(1 << 20, big_bytes)))
            f.truncate(big_bytes)
    return small_files * small_bytes + big_files * big_bytes


def stage_in_child(emu: DriveEmulator, item_id: str, dest: Path, *, workers: int = 16,
                   chunk_bytes: int = 0, parallel_min_bytes: int = 0) -> subprocess.Popen[bytes]:
    """Start `stage("drive:ID", dest)` in a new Python process talking to `emu` (0: the default)."""
    args = [sys.executable, str(_CHILD), emu.base_url, emu.token, str(emu.ca_cert_path), item_id, str(dest),
            str(workers), str(chunk_bytes), str(parallel_min_bytes)]
    child_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(_REPO), str(_REPO / "tests")])}
    return subprocess.Popen(args, cwd=_REPO, env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_quiet(emu: DriveEmulator, *, quiet_s: float = 0.5, most_s: float = 10.0) -> None:
    """Wait until the emulator has sent no media byte and logged no request for `quiet_s`: the
    answers a stopped client (cancelled, killed) had in flight are finished and logged."""
    deadline = time.monotonic() + most_s
    last, since = (emu.requests.media_bytes_sent, len(emu.requests)), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = (emu.requests.media_bytes_sent, len(emu.requests))
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return


def kill_and_resume(emu: DriveEmulator, item_id: str, dest: Path, *, dataset_bytes: int, kill_at: float,
                    workers: int = 16, chunk_bytes: int = 0, parallel_min_bytes: int = 0,
                    timeout_s: float = 300.0) -> Resumed:
    """Stage in a child, SIGKILL it once `kill_at` of `dataset_bytes` was served, stage again to the end."""
    options = dict(workers=workers, chunk_bytes=chunk_bytes, parallel_min_bytes=parallel_min_bytes)
    emu.requests.clear()
    child = stage_in_child(emu, item_id, dest, **options)
    killed = False
    deadline = time.monotonic() + timeout_s
    try:
        while child.poll() is None and time.monotonic() < deadline:
            if emu.requests.media_bytes_sent >= kill_at * dataset_bytes:
                os.kill(child.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.002)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    _close_pipes(child)
    wait_for_quiet(emu)
    first = emu.requests.served_spans()
    first_bytes = emu.requests.media_bytes_sent
    emu.requests.clear()
    second_child = stage_in_child(emu, item_id, dest, **options)
    try:
        _out, err = second_child.communicate(timeout=timeout_s)
    finally:
        if second_child.poll() is None:
            second_child.kill()
            second_child.wait()
    if second_child.returncode != 0:
        raise AssertionError(f"the resumed stage failed ({second_child.returncode}):\n{err.decode()[-4000:]}")
    wait_for_quiet(emu)
    second = emu.requests.served_spans()
    per_file = {path: overlap_bytes(spans, first.get(path, [])) for path, spans in second.items()}
    refetched = {path: n for path, n in per_file.items() if n}
    return Resumed(dataset_bytes, first_bytes, emu.requests.media_bytes_sent, sum(refetched.values()), killed,
                   refetched)


def _close_pipes(child: subprocess.Popen[bytes]) -> None:
    for pipe in (child.stdout, child.stderr):
        if pipe is not None:
            pipe.close()
