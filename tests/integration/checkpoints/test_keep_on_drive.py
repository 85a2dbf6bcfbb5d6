"""keep_on_drive + restore_latest against the loopback Drive emulator, with a real training-loop stand-in.

The stand-in is a child process that writes each checkpoint in place and in pieces (as torch.save
does) and is killed with SIGKILL mid-way through one; restore_latest must then bring back the
newest checkpoint that was complete, byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from colab_panel.checkpoints import KeepOnDrive, keep_on_drive, restore_latest
from colab_panel.checkpoints.catalog import CATALOG_NAME
from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.errors import StagingError
from support.drive import child_id
from support.polling import poll_until

PIECE = 64 * 1024


def _live(emu: DriveEmulator, folder: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for item in emu.store.children(folder):
        if not emu.store.is_trashed(item):
            out.setdefault(item.title, []).append(item)
    return out


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _write(path: Path, pieces: int, age_s: float = 0.0) -> None:
    path.write_bytes(os.urandom(pieces * PIECE))
    if age_s:
        t = time.time() - age_s
        os.utime(path, (t, t))


_TRAINING_RUNTIME = """
import os, sys, time
from colab_panel.checkpoints import keep_on_drive
from colab_panel.drive.client import Drive
from colab_panel.drive.retry import RetryPolicy

base_url, token, ca, folder, root = sys.argv[1:6]
drive = Drive.for_emulator(base_url, token, ca, retry=RetryPolicy(max_attempts=6, base_delay_s=0.01,
                                                                   max_delay_s=0.05, max_total_s=30))
keeper = keep_on_drive(root, folder, interval_s=0.1, pattern="epoch-*.pt", drive=drive, settle_s=0.2)
epoch = 0
while True:
    path = os.path.join(root, f"epoch-{epoch:03d}.pt")
    with open(path, "wb") as f:  # one open file written in pieces, like torch.save
        for i in range(20):
            f.write(os.urandom(65536))
            f.flush()
            if i == 1:
                print("writing", path, flush=True)
            time.sleep(0.02)
    print("done", path, flush=True)
    epoch += 1
    time.sleep(0.2)  # the next epoch's training
"""


def test_a_killed_training_runtime_restores_its_newest_complete_checkpoint(
        emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    """The child is the whole runtime (training loop and watcher): SIGKILL ends both mid-checkpoint."""
    local = tmp_path / "run"
    local.mkdir()
    folder = child_id(emu, "ckpt")
    runtime = subprocess.Popen([sys.executable, "-c", _TRAINING_RUNTIME, emu.base_url, emu.token,
                                str(emu.ca_cert_path), folder, str(local)], stdout=subprocess.PIPE, text=True)
    done: list[str] = []
    writing = ""
    deadline = time.monotonic() + 120
    try:
        assert runtime.stdout is not None
        while time.monotonic() < deadline:
            kind, path = runtime.stdout.readline().split()
            if kind == "done":
                done.append(Path(path).name)
                continue
            writing = Path(path).name
            if len([n for n in _live(emu, folder) if n.startswith("epoch")]) >= 3:
                runtime.send_signal(signal.SIGKILL)  # the runtime ends mid-checkpoint
                break
        runtime.wait(timeout=10)
    finally:
        if runtime.poll() is None:
            runtime.kill()
            runtime.wait(timeout=10)
    assert runtime.returncode == -signal.SIGKILL
    partial = local / writing
    assert partial.stat().st_size < 20 * PIECE  # it was killed mid-write
    live = _live(emu, folder)
    assert writing not in live  # never a partial file on Drive
    assert all(len(copies) == 1 for copies in live.values())  # nothing twice
    on_drive = sorted(n for n in live if n.startswith("epoch"))
    assert set(on_drive) <= set(done)
    restored = restore_latest(folder, tmp_path / "next-runtime", pattern="epoch-*.pt", drive=drive)
    assert restored.name == on_drive[-1]  # the newest complete one
    assert restored.read_bytes() == (local / restored.name).read_bytes()


def test_a_file_still_open_for_writing_is_never_the_restored_one(
        emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    local = tmp_path / "run"
    local.mkdir()
    folder = child_id(emu, "ckpt")
    _write(local / "epoch-000.pt", 4, age_s=60)
    with open(local / "epoch-001.pt", "wb") as f:  # the trainer holds it open: never pushed
        f.write(os.urandom(PIECE))
        f.flush()
        with KeepOnDrive(local, folder, interval_s=0.1, drive=drive, settle_s=0.1, start=False) as keeper:
            assert keeper.flush(10) is False  # something is left over: the open file
            assert keeper.complete() == ["epoch-000.pt"]
            assert "epoch-001.pt" not in _live(emu, folder)
        restored = restore_latest(folder, tmp_path / "back", drive=drive)
    assert restored.name == "epoch-000.pt" and _md5(restored) == _md5(local / "epoch-000.pt")


def test_keep_last_trashes_only_older_complete_checkpoints(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    local = tmp_path / "run"
    local.mkdir()
    folder = child_id(emu, "ckpt")
    for i in range(4):
        _write(local / f"epoch-{i}.pt", 2, age_s=100 - i)
    (local / "train.log").write_text("loss 1.0\n")
    keeper = KeepOnDrive(local, folder, keep_last=2, pattern="epoch-*.pt", drive=drive, settle_s=0.1, start=False)
    assert keeper.flush(10) is True
    live = _live(emu, folder)
    assert sorted(n for n in live if n.startswith("epoch")) == ["epoch-2.pt", "epoch-3.pt"]
    assert "train.log" in live and CATALOG_NAME in live  # not a checkpoint: pushed, never pruned
    assert keeper.complete() == ["epoch-3.pt", "epoch-2.pt"]
    # a newer checkpoint, still open: epoch-2 stays (the newest two *complete* ones are kept)
    with open(local / "epoch-4.pt", "wb") as f:
        f.write(os.urandom(PIECE))
        f.flush()
        keeper.flush(10)
        assert sorted(n for n in _live(emu, folder) if n.startswith("epoch")) == ["epoch-2.pt", "epoch-3.pt"]
    keeper.flush(10)  # now finished: epoch-2 goes, and pruned ones are not sent again
    keeper.flush(10)
    assert sorted(n for n in _live(emu, folder) if n.startswith("epoch")) == ["epoch-3.pt", "epoch-4.pt"]
    assert sorted(keeper.trashed) == ["epoch-0.pt", "epoch-1.pt", "epoch-2.pt"]
    keeper.close(5)


def test_a_restarted_watcher_resumes_with_no_duplicates(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    local = tmp_path / "run"
    local.mkdir()
    folder = child_id(emu, "ckpt")
    for i in range(3):
        _write(local / f"ckpt-{i}", 2, age_s=100 - i)
    first = KeepOnDrive(local, folder, keep_last=2, drive=drive, settle_s=0.1, start=False)
    assert first.flush(10) is True
    ids = {n: [i.id for i in items] for n, items in _live(emu, folder).items()}
    del first  # the kernel restarts: a new watcher on the same folders
    _write(local / "ckpt-3", 2)
    second = KeepOnDrive(local, folder, keep_last=2, drive=drive, settle_s=0.1, interval_s=0.05)
    try:
        poll_until(lambda: "ckpt-3" in second.complete(), timeout_s=20)
        assert second.flush(10) is True
    finally:
        second.close(5)
    live = _live(emu, folder)
    assert all(len(items) == 1 for items in live.values()), live
    assert sorted(n for n in live if n.startswith("ckpt")) == ["ckpt-2", "ckpt-3"]
    assert [i.id for i in live["ckpt-2"]] == ids["ckpt-2"]  # the same file, not uploaded again
    assert [i.id for i in live[CATALOG_NAME]] == ids[CATALOG_NAME]
    assert second.last_report is not None and second.last_report.uploaded == ()


def test_a_fresh_runtime_reads_the_catalog_from_drive(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    run1 = tmp_path / "runtime1"
    run1.mkdir()
    folder = child_id(emu, "ckpt")
    (run1 / "checkpoint-10").mkdir()
    _write(run1 / "checkpoint-10" / "model.bin", 3, age_s=50)
    (run1 / "checkpoint-20").mkdir()
    _write(run1 / "checkpoint-20" / "model.bin", 3, age_s=40)
    (run1 / "checkpoint-20" / "state.json").write_text("{}")
    os.utime(run1 / "checkpoint-20" / "state.json", (time.time() - 40,) * 2)
    keeper = KeepOnDrive(run1, folder, keep_last=1, pattern="checkpoint-*", drive=drive, settle_s=0.1, start=False)
    assert keeper.flush(10) is True
    keeper.close(5)
    restored = restore_latest(folder, tmp_path / "runtime2", pattern="checkpoint-*", drive=drive)
    assert restored.name == "checkpoint-20"
    assert (restored / "model.bin").read_bytes() == (run1 / "checkpoint-20" / "model.bin").read_bytes()
    assert (restored / "state.json").read_text() == "{}"


def test_restore_orders_by_when_the_checkpoint_was_written_not_when_it_reached_drive(
        emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    # A watcher started on a folder that already holds checkpoints pushes them in any order (in
    # parallel): an older one can reach Drive last. The catalog keeps each one's local time.
    local = tmp_path / "run"
    local.mkdir()
    folder = child_id(emu, "ckpt")
    _write(local / "ckpt-new", 2, age_s=10)
    keeper = KeepOnDrive(local, folder, drive=drive, settle_s=0.1, start=False)
    assert keeper.flush(10) is True
    _write(local / "ckpt-old", 2, age_s=100)  # written long before, reaches Drive after
    assert keeper.flush(10) is True
    keeper.close(5)
    assert set(_live(emu, folder)) >= {"ckpt-new", "ckpt-old"}
    restored = restore_latest(folder, tmp_path / "next", drive=drive)
    assert restored.name == "ckpt-new"
    assert restored.read_bytes() == (local / "ckpt-new").read_bytes()


def test_flush_is_bounded_when_drive_is_slow(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    local = tmp_path / "run"
    local.mkdir()
    folder = child_id(emu, "ckpt")
    _write(local / "big.pt", 2, age_s=60)
    emu.faults.delay(3.0, path="/upload/", times=1)
    keeper = KeepOnDrive(local, folder, drive=drive, settle_s=0.1, interval_s=3600)
    try:
        started = time.monotonic()
        assert keeper.flush(0.5) is False
        assert time.monotonic() - started < 2.0
        assert keeper.flush(20) is True  # the slow upload ends; a later run finds it verified
    finally:
        assert keeper.close(10) is True
    assert not keeper.running


def test_the_runtime_near_its_limit_flushes_and_says_so(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    from colab_panel.checkpoints.watcher import SESSION_WARN_S

    local = tmp_path / "run"
    local.mkdir()
    folder = child_id(emu, "ckpt")
    _write(local / "last.ckpt", 2, age_s=60)
    keeper = KeepOnDrive(local, folder, drive=drive, settle_s=0.1, interval_s=3600,
                         session_age_s=lambda: SESSION_WARN_S + 600)
    try:
        poll_until(lambda: keeper.notice, timeout_s=20)
    finally:
        keeper.close(5)
    assert "near Colab's 12 h limit" in keeper.notice and "last.ckpt" in keeper.notice
    assert "last.ckpt" in _live(emu, folder)


def test_errors_are_words_not_tracebacks(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    with pytest.raises(StagingError, match="keep_last"):
        keep_on_drive(tmp_path, "x", keep_last=0, drive=drive)
    keeper = KeepOnDrive(tmp_path / "run", "no-such-folder-id", drive=drive, settle_s=0.1, start=False)
    assert keeper.flush(5) is False
    assert keeper.last_error and "Traceback" not in keeper.last_error
    with pytest.raises(StagingError, match="no complete checkpoint"):
        restore_latest(child_id(emu, "ckpt"), tmp_path / "back", drive=drive)


def test_closing_the_panel_flushes_open_watchers(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    from colab_panel.panel import _flush_checkpoint_watchers

    local = tmp_path / "run"
    local.mkdir()
    folder = child_id(emu, "ckpt")
    keeper = KeepOnDrive(local, folder, drive=drive, settle_s=0.1, interval_s=3600)
    try:
        assert keeper.flush(10) is True  # the first run: nothing yet
        _write(local / "late.pt", 2, age_s=60)
        _flush_checkpoint_watchers()  # what Panel.close() calls
        assert "late.pt" in _live(emu, folder)
        assert keeper.running  # the watcher goes on; only the panel closed
    finally:
        keeper.close(5)


_EXITING_RUNTIME = """
import os, sys, time
from colab_panel.checkpoints import keep_on_drive
from colab_panel.drive.client import Drive
from colab_panel.drive.retry import RetryPolicy

base_url, token, ca, folder, root = sys.argv[1:6]
drive = Drive.for_emulator(base_url, token, ca, retry=RetryPolicy(max_attempts=6, base_delay_s=0.01,
                                                                   max_delay_s=0.05, max_total_s=30))
keeper = keep_on_drive(root, folder, interval_s=3600, drive=drive, settle_s=0.1)
keeper.flush(10)  # the first run is over: the next one would be an hour away
path = os.path.join(root, "final.pt")
with open(path, "wb") as f:
    f.write(os.urandom(65536))
old = time.time() - 60
os.utime(path, (old, old))
print("exiting", flush=True)
"""  # no close(): the interpreter-exit hook must push final.pt


def test_interpreter_exit_flushes_what_is_pending(emu: DriveEmulator, tmp_path: Path) -> None:
    local = tmp_path / "run"
    local.mkdir()
    folder = child_id(emu, "ckpt")
    done = subprocess.run([sys.executable, "-c", _EXITING_RUNTIME, emu.base_url, emu.token, str(emu.ca_cert_path),
                           folder, str(local)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "exiting" in done.stdout, done.stderr
    [copy] = _live(emu, folder)["final.pt"]
    assert copy.md5 == _md5(local / "final.pt")
