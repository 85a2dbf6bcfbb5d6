"""push() and PeriodicSync while a training loop is still writing: only finished files travel.

A checkpoint written in place, in pieces (as torch.save does), by a thread or another process, is
skipped as "still being written" while it is open for writing or changing, and Drive keeps the
last complete copy; a file that changes while it is uploaded is not called verified. A later push
leaves exactly one complete copy (the same Drive file, updated).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.staging.sync import PeriodicSync, push
from support.drive import child_id, drive_fixtures
from support.polling import poll_until

PIECE = 64 * 1024


emu, drive = drive_fixtures("results")


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _copies(emu: DriveEmulator, folder: str, title: str) -> list:
    return [i for i in emu.store.children(folder) if i.title == title and not emu.store.is_trashed(i)]


def _age(path: Path) -> None:
    old = time.time() - 3600
    os.utime(path, (old, old))


def _skipped_names(report) -> list[str]:
    return [rel for rel, _why in report.skipped]


def test_a_checkpoint_rewritten_in_place_by_a_thread_is_skipped_until_finished(
        emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    local = tmp_path / "run"
    local.mkdir()
    ckpt = local / "model.pt"
    ckpt.write_bytes(os.urandom(10 * PIECE))
    _age(ckpt)
    folder = child_id(emu, "results")
    first = push(local, folder, drive=drive, progress=None)
    assert first.uploaded == ("model.pt",)
    [v1] = _copies(emu, folder, "model.pt")
    v1_md5 = _md5(ckpt)

    started = threading.Event()

    def write_in_place() -> None:  # like torch.save: one open file, written in pieces
        with open(ckpt, "wb") as f:
            started.set()
            for _ in range(30):
                f.write(os.urandom(PIECE))
                f.flush()
                time.sleep(0.05)

    writer = threading.Thread(target=write_in_place)
    writer.start()
    started.wait(10)
    skipped = 0
    while writer.is_alive():
        report = push(local, folder, drive=drive, progress=None, settle_s=0.2)
        if writer.is_alive() or "model.pt" in _skipped_names(report):
            assert report.changed == 0 and _skipped_names(report) == ["model.pt"], report
            assert "still being written" in report.summary()
            skipped += 1
        [copy] = _copies(emu, folder, "model.pt")
        assert copy.md5 == v1_md5 or copy.md5 == _md5(ckpt)  # never a partial file
    writer.join()
    assert skipped >= 2
    final = push(local, folder, drive=drive, progress=None, settle_s=0.2)
    assert final.skipped == ()  # (the last push of the loop may already have sent the finished file)
    [copy] = _copies(emu, folder, "model.pt")
    assert copy.id == v1.id and copy.md5 == _md5(ckpt) and copy.size == 30 * PIECE


_APPENDER = """
import os, sys, time
path, pieces = sys.argv[1], int(sys.argv[2])
for i in range(pieces):  # open, append, close: no fd stays open between pieces
    with open(path, "ab") as f:
        f.write(os.urandom(65536))
    if i == 0:
        print("writing", flush=True)
    time.sleep(0.1)
"""


def test_a_file_another_process_appends_to_is_skipped_until_it_settles(
        emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    local = tmp_path / "run"
    local.mkdir()
    log = local / "metrics.bin"
    log.write_bytes(b"")
    folder = child_id(emu, "results")
    proc = subprocess.Popen([sys.executable, "-c", _APPENDER, str(log), "20"], stdout=subprocess.PIPE, text=True)
    skipped = 0
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        while proc.poll() is None:
            report = push(local, folder, drive=drive, progress=None, settle_s=0.5)
            if proc.poll() is None:
                assert "metrics.bin" in _skipped_names(report), report
                assert not _copies(emu, folder, "metrics.bin")
                skipped += 1
    finally:
        proc.communicate(timeout=60)
    assert skipped >= 1
    done = push(local, folder, drive=drive, progress=None, settle_s=0.5)
    assert done.skipped == ()  # (the loop's last push may already have sent the finished file)
    [copy] = _copies(emu, folder, "metrics.bin")
    assert copy.md5 == _md5(log) and copy.size == 20 * 65536


def test_a_file_changed_during_its_upload_is_not_called_verified(
        emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    local = tmp_path / "run"
    local.mkdir()
    ckpt = local / "late.pt"
    ckpt.write_bytes(os.urandom(3 * PIECE))
    _age(ckpt)
    folder = child_id(emu, "results")
    emu.faults.delay(1.0, path="/upload/", times=1)  # the upload takes a second: the file changes meanwhile

    def rewrite() -> None:
        time.sleep(0.4)
        ckpt.write_bytes(os.urandom(5 * PIECE))

    writer = threading.Thread(target=rewrite)
    writer.start()
    report = push(local, folder, drive=drive, progress=None)
    writer.join()
    assert report.changed == 0 and _skipped_names(report) == ["late.pt"], report
    assert "verified" not in report.summary() or "still being written" in report.summary()
    again = push(local, folder, drive=drive, progress=None, settle_s=0.2)
    assert again.changed == 1 and again.skipped == ()
    [copy] = _copies(emu, folder, "late.pt")  # one copy: the same Drive file was updated
    assert copy.md5 == _md5(ckpt)


def test_periodic_sync_during_a_writer_ends_with_one_complete_copy(
        emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    local = tmp_path / "run"
    local.mkdir()
    ckpt = local / "epoch.pt"
    folder = child_id(emu, "results")
    reports = []
    sync = PeriodicSync(local, folder, interval_s=0.1, drive=drive, start=False, settle_s=0.2,
                        on_run=lambda: reports.append(sync.last_report))
    with open(ckpt, "wb") as f:
        sync._thread.start()
        for _ in range(25):
            f.write(os.urandom(PIECE))
            f.flush()
            time.sleep(0.04)
            assert not _copies(emu, folder, "epoch.pt")  # nothing while it is open for writing
    poll_until(lambda: _copies(emu, folder, "epoch.pt"), timeout_s=20)
    time.sleep(0.3)
    sync.close()
    assert sync.last_error == ""
    assert any(r is not None and "epoch.pt" in _skipped_names(r) for r in reports)
    [copy] = _copies(emu, folder, "epoch.pt")
    assert copy.md5 == _md5(ckpt) and copy.size == 25 * PIECE


def test_excluded_files_do_not_travel(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    local = tmp_path / "run"
    (local / "old").mkdir(parents=True)
    (local / "old" / "a.pt").write_bytes(b"a")
    (local / "new.pt").write_bytes(b"b")
    _age(local / "old" / "a.pt")
    _age(local / "new.pt")
    folder = child_id(emu, "results")
    report = push(local, folder, drive=drive, progress=None, exclude=lambda rel: rel.startswith("old/"))
    assert report.uploaded == ("new.pt",) and report.unchanged == 0
    assert not _copies(emu, folder, "old")


def test_one_worker_sends_in_the_calling_thread(emu: DriveEmulator, drive: Drive, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import colab_panel.staging.sync as sync

    def no_pool(*args, **kwargs):
        raise RuntimeError("can't create new thread at interpreter shutdown")

    monkeypatch.setattr(sync, "WorkerPool", no_pool)  # as at interpreter exit
    local = tmp_path / "run"
    local.mkdir()
    (local / "a.pt").write_bytes(b"a" * 10)
    _age(local / "a.pt")
    report = push(local, child_id(emu, "results"), drive=drive, progress=None, workers=1)
    assert report.uploaded == ("a.pt",)
