"""Two stage() runs into one destination, or two push() runs into one Drive folder, never interleave:
threads and processes, against the Drive emulator. Whoever comes second waits briefly and is then
refused in words (JobBusy), and both end with everything right."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from colab_panel import errors
from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.staging import stage
from colab_panel.staging.sync import push
from support.drive import FAST_RETRY, child_id, drive_fixtures

REPO = Path(__file__).resolve().parents[3]
BUSY = getattr(errors, "JobBusy", errors.StagingError)


def _dataset(seed: Path) -> None:
    for sub in ("ds", "ds/a", "ds/b"):
        (seed / sub).mkdir(exist_ok=True)
    for i in range(12):
        (seed / "ds" / ("a" if i % 2 else "b") / f"f{i}.bin").write_bytes(os.urandom(40_000 + i))


emu, drive = drive_fixtures("results", seed=_dataset)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    local = tmp_path / "run"
    for sub in ("ckpt", "logs/a", "logs/b"):
        (local / sub).mkdir(parents=True)
    for i in range(4):
        (local / "ckpt" / f"e{i}.pt").write_bytes(os.urandom(30_000))
        (local / "logs" / ("a" if i % 2 else "b") / f"{i}.txt").write_text(f"epoch {i}\n")
    old = 1_000_000_000  # written long ago: finished files, pushed without waiting for them to settle
    for path in local.rglob("*"):
        os.utime(path, (old, old))
    return local


def _md5s(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.md5(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file() and not p.name.startswith(".colab_panel")}


def _seed_md5s(emu: DriveEmulator, folder: str) -> dict[str, str]:
    out = {}
    for rel, item in _walk_store(emu, child_id(emu, folder)):
        if not item.is_folder:
            out[rel] = item.md5
    return out


def _walk_store(emu: DriveEmulator, folder_id: str, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for item in emu.store.children(folder_id):
        if emu.store.is_trashed(item):
            continue
        rel = prefix + item.title
        yield rel, item
        if item.is_folder:
            yield from _walk_store(emu, item.id, rel + "/")


def _run_threads(*targets: Any) -> list[Any]:
    results: list[Any] = [None] * len(targets)
    barrier = threading.Barrier(len(targets))

    def runner(i: int, fn: Any) -> None:
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as e:  # recorded and judged by the test
            results[i] = e

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_two_threads_staging_into_one_destination(emu: DriveEmulator, drive: Drive, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLAB_PANEL_LOCK_WAIT_S", "0.1")
    emu.faults.delay(0.15, media=True)  # each file takes a moment: the runs overlap
    dest = tmp_path / "out"
    folder = child_id(emu, "ds")
    results = _run_threads(lambda: stage(folder, dest, drive=drive, progress=None, workers=4),
                           lambda: stage(folder, dest, drive=drive, progress=None, workers=4))
    finished = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len([r for r in finished if not r.cached]) == 1, results
    for error in refused:
        assert isinstance(error, BUSY) and "is already being staged" in str(error), error
    assert _md5s(dest) == _seed_md5s(emu, "ds")  # every file exactly once, no doubled bytes
    again = stage(folder, dest, drive=drive, progress=None)
    assert again.cached and _md5s(dest) == _seed_md5s(emu, "ds")


def test_a_destination_held_by_another_process_is_refused_with_its_pid(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("a")
    dest = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from colab_panel.staging.job_lock import job_lock\n"
         f"with job_lock('stage', {str(dest)!r}, 'x', 'staged'):\n"
         "    print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(BUSY, match=rf"already being staged by another run \(pid {holder.pid}"):
            stage(str(src), dest, progress=None)
        assert not dest.exists()
    finally:
        holder.communicate("", timeout=30)
    assert stage(str(src), dest, progress=None).files == 1  # the holder ended: the lock went with it


def test_two_threads_pushing_into_one_drive_folder_make_no_duplicates(emu: DriveEmulator, drive: Drive,
                                                                     run_dir: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLAB_PANEL_LOCK_WAIT_S", "0.1")
    emu.faults.delay(0.2, path="/upload/")  # uploads take a moment: the runs overlap
    folder = child_id(emu, "results")
    results = _run_threads(lambda: push(run_dir, folder, drive=drive, progress=None),
                           lambda: push(run_dir, folder, drive=drive, progress=None))
    for r in results:
        assert not isinstance(r, Exception) or (isinstance(r, BUSY) and "is already being pushed" in str(r)), r
    _assert_one_copy_each(emu, folder, run_dir)
    emu.faults.clear()
    assert push(run_dir, folder, drive=drive, progress=None).changed == 0


_PUSH_SCRIPT = """
import json, sys
from colab_panel import errors
from colab_panel.drive.client import Drive
from colab_panel.drive.retry import RetryPolicy
from colab_panel.staging.sync import push
url, token, ca, local, folder, retry = sys.argv[1:]
drive = Drive.for_emulator(url, token, ca, retry=RetryPolicy(**json.loads(retry)))
try:
    print("OK", push(local, folder, drive=drive, progress=None).changed)
except getattr(errors, "JobBusy", ()) as e:
    print("BUSY", e)
"""


def test_two_processes_pushing_into_one_drive_folder_make_no_duplicates(emu: DriveEmulator, run_dir: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLAB_PANEL_LOCK_WAIT_S", "0.1")
    emu.faults.delay(0.2, path="/upload/")
    folder = child_id(emu, "results")
    args = [emu.base_url, emu.token, str(emu.ca_cert_path), str(run_dir), folder, json.dumps(FAST_RETRY)]
    procs = [subprocess.Popen([sys.executable, "-c", _PUSH_SCRIPT, *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=REPO) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for (out, err), proc in zip(outputs, procs):
        assert proc.returncode == 0, err
        assert out.startswith(("OK", "BUSY")), out
        if out.startswith("BUSY"):
            assert "is already being pushed" in out
    _assert_one_copy_each(emu, folder, run_dir)


def _assert_one_copy_each(emu: DriveEmulator, folder: str, local: Path) -> None:
    seen = Counter(rel for rel, _ in _walk_store(emu, folder))
    doubled = {rel: n for rel, n in seen.items() if n > 1}
    assert not doubled, f"duplicated on Drive: {doubled}"
    on_drive = {rel: item.md5 for rel, item in _walk_store(emu, folder) if not item.is_folder}
    assert on_drive == _md5s(local)
