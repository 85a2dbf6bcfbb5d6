"""A large Drive file staged as parallel byte ranges, against the emulator over real HTTPS.

Bytes and md5 right, a reset mid-range retried, an interruption resumed without fetching the
finished ranges again (checked on the Range headers the emulator saw), nor after a cancel.
The same for a large file inside a staged Drive folder, next to small files that stream; there
a small file failing for good stops the large one but keeps its finished ranges for the rerun.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.drive import child_id

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from support.polling import poll_until
from colab_panel.errors import ChecksumMismatch, StagingCancelled, StagingError
from colab_panel.staging import stage
from colab_panel.staging.drive_source import DriveFileSource
from colab_panel.staging.parallel_ranges import DEFAULT_RANGES, PARALLEL_MIN_BYTES
from colab_panel.staging.progress import Progress

SIZE = PARALLEL_MIN_BYTES + 3 * 1024 * 1024 + 17  # over the threshold, not a multiple of any piece
PIECE = 2 * 1024 * 1024


DRIVE_OPTIONS = {"chunk_size": PIECE}  # for the `drive` fixture (conftest)


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("drive-ranges-seed")
    rng = random.Random(7)
    (root / "large.bin").write_bytes(rng.randbytes(SIZE))
    (root / "set" / "sub").mkdir(parents=True)  # a folder: several small files and the large one
    os.link(root / "large.bin", root / "set" / "large.bin")  # same bytes, no second copy to write
    for i in range(8):
        (root / "set" / ("sub" if i % 2 else "") / f"small_{i}.bin").write_bytes(rng.randbytes(1000 + 97 * i))
    (root / "pair").mkdir()  # a folder of two large files
    for name in ("a.bin", "b.bin"):
        os.link(root / "large.bin", root / "pair" / name)
    return root


@pytest.fixture
def emu(seed: Path) -> Iterator[DriveEmulator]:
    with DriveEmulator(root=seed) as emulator:
        yield emulator


def _ranges(emu: DriveEmulator, file_id: str | None = None) -> list[tuple[int, int]]:
    """[start, end) of every media request (for `file_id` only, if given), from its Range header."""
    out = []
    for r in emu.requests:
        if r.media and (file_id is None or file_id in r.path):
            m = re.fullmatch(r"bytes=(\d+)-(\d+)", r.headers.get("range", ""))
            assert m, r.headers
            out.append((int(m.group(1)), int(m.group(2)) + 1))
    return out


def _leftovers(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if ".part" in p.name or p.name.startswith(".colab_panel-download"))


def _count_ranges_in_flight(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Watch every ranged read of a Drive file (request and body); [0] becomes the most at once."""
    in_flight, most = [0], [0]
    lock = threading.Lock()
    read_range = DriveFileSource.read_range

    def counting_read_range(self: DriveFileSource, start: int, length: int) -> bytes:  # observes, then reads
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            return read_range(self, start, length)
        finally:
            with lock:
                in_flight[0] -= 1

    monkeypatch.setattr(DriveFileSource, "read_range", counting_read_range)
    return most


def test_large_file_comes_as_parallel_ranges_with_a_reset_retried(emu: DriveEmulator, drive: Drive, seed: Path,
                                                                    tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    emu.faults.reset(after_bytes=1000, times=2, media=True)  # two ranges drop mid-body
    emu.faults.bandwidth(32 * 1024 * 1024)  # per response: each piece takes long enough to see overlap
    most = _count_ranges_in_flight(monkeypatch)
    dest = tmp_path / "large"
    result = stage(f"drive:{child_id(emu, 'large.bin')}", dest, drive=drive, progress=None)
    assert most[0] >= 2  # ranges really were in flight at the same time
    assert not emu.faults.pending  # the resets really happened
    assert (dest / "large.bin").read_bytes() == (seed / "large.bin").read_bytes()
    assert result.files == 1 and result.bytes == SIZE
    ranges = _ranges(emu)
    assert len(ranges) >= SIZE // PIECE  # ranged pieces, not one stream
    covered = sorted(set(ranges))
    assert covered[0][0] == 0 and covered[-1][1] == SIZE
    assert all(a[1] == b[0] for a, b in zip(covered, covered[1:]))  # every byte asked for exactly once (retries aside)
    assert _leftovers(dest) == []


def test_md5_mismatch_keeps_nothing(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    emu.store.get(child_id(emu, "large.bin")).md5 = "0" * 32
    dest = tmp_path / "large"
    with pytest.raises(ChecksumMismatch):
        stage(f"drive:{child_id(emu, 'large.bin')}", dest, drive=drive, progress=None)
    assert _leftovers(dest) == [] and not (dest / "large.bin").exists()


def _interrupt_then_rerun(emu: DriveEmulator, drive: Drive, item_id: str, dest: Path, large_id: str) -> int:
    """Stage `item_id`; cut the network under `large_id` a third of the way; stage again.

    Checks the rerun asked only for the ranges the sidecar did not have, each byte once, and
    left nothing behind; returns how many bytes of the large file the first run kept."""
    emu.faults.bandwidth(16 * 1024 * 1024)  # per response: slow enough to cut the network midway
    broken = threading.Event()

    def break_network(p: Progress) -> None:
        if p.phase == "download" and p.bytes_done >= SIZE // 3 and not broken.is_set():
            broken.set()
            emu.faults.reset(after_bytes=10, times=None, media=True, path=large_id)  # every request from now on drops

    with pytest.raises(StagingError, match="run it again"):
        stage(f"drive:{item_id}", dest, drive=drive, progress=break_network)
    [sidecar] = list(dest.rglob("*.part.ranges"))
    assert not list(dest.rglob("large.bin"))
    return _rerun_fetches_only_the_rest(emu, drive, item_id, dest, large_id, sidecar)


def _rerun_fetches_only_the_rest(emu: DriveEmulator, drive: Drive, item_id: str, dest: Path, large_id: str,
                                 sidecar: Path) -> int:
    """Clear the faults, stage `item_id` again; check only the ranges `sidecar` lacked were served; return kept."""
    done = [(start, end) for start, end, _crc in json.loads(sidecar.read_text())["pieces"]]
    kept = sum(e - s for s, e in done)
    assert kept < SIZE
    emu.faults.clear()
    emu.requests.clear()
    stage(f"drive:{item_id}", dest, drive=drive, progress=None)
    again = _ranges(emu, large_id)
    assert again and all(e <= s0 or s >= e0 for s, e in again for s0, e0 in done)  # nothing finished refetched
    assert sum(e - s for s, e in again) == SIZE - kept  # bytes served for it: exactly the missing ones
    assert _leftovers(dest) == []
    return kept


def test_interrupted_download_resumes_without_refetching_finished_ranges(emu: DriveEmulator, drive: Drive,
                                                                        seed: Path, tmp_path: Path) -> None:
    large_id = child_id(emu, "large.bin")
    kept = _interrupt_then_rerun(emu, drive, large_id, tmp_path / "large", large_id)
    assert kept >= SIZE // 3
    assert hashlib.md5((tmp_path / "large" / "large.bin").read_bytes()).hexdigest() == hashlib.md5(
        (seed / "large.bin").read_bytes()).hexdigest()


def _cancel_midway(emu: DriveEmulator, drive: Drive, item_id: str, dest: Path, at: int, large_id: str) -> None:
    """Stage `item_id`, cancel once `at` bytes are in; the large file's ranges stay (cancel is a pause)
    and staging again fetches only the missing ones."""
    emu.faults.bandwidth(8 * 1024 * 1024)
    cancel = threading.Event()

    def cancel_midway(p: Progress) -> None:
        if p.phase == "download" and p.bytes_done >= at:
            cancel.set()

    with pytest.raises(StagingCancelled, match="partial download"):
        stage(f"drive:{item_id}", dest, drive=drive, progress=cancel_midway, cancel=cancel)
    assert cancel.is_set() and not list(dest.rglob("large.bin"))
    [sidecar] = list(dest.rglob("large.bin.part.ranges"))
    assert sidecar.with_name("large.bin.part").is_file()
    kept = _rerun_fetches_only_the_rest(emu, drive, item_id, dest, large_id, sidecar)
    assert kept > 0


def test_cancel_keeps_the_ranges_for_the_next_run(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    _cancel_midway(emu, drive, child_id(emu, "large.bin"), tmp_path / "large", PIECE, child_id(emu, "large.bin"))


def _in_folder(emu: DriveEmulator, folder: str, title: str) -> str:
    [item] = [i for i in emu.store.children(child_id(emu, folder)) if i.title == title]
    return item.id


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and not p.name.startswith(".colab_panel")}


def test_large_file_in_a_folder_comes_as_parallel_ranges(emu: DriveEmulator, drive: Drive, seed: Path,
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    emu.faults.bandwidth(32 * 1024 * 1024)  # per response: each piece takes long enough to see overlap
    most = _count_ranges_in_flight(monkeypatch)
    dest = tmp_path / "set"
    result = stage(f"drive:{child_id(emu, 'set')}", dest, drive=drive, progress=None)
    assert _files(dest) == _files(seed / "set") and result.files == 9
    assert most[0] >= 2  # the large file's ranges really were in flight at the same time
    ranges = _ranges(emu, _in_folder(emu, "set", "large.bin"))
    assert len(ranges) >= SIZE // PIECE  # ranged pieces, not one stream
    covered = sorted(ranges)
    assert covered[0][0] == 0 and covered[-1][1] == SIZE
    assert all(a[1] == b[0] for a, b in zip(covered, covered[1:]))  # every byte asked for exactly once
    small = [r for r in emu.requests if r.media and "small_" in emu.store.get(r.path.rsplit("/", 1)[-1]).title]
    assert len(small) == 8  # the small files: one request each
    assert _leftovers(dest) == []


def test_large_files_in_a_folder_share_one_budget_of_extra_ranges(emu: DriveEmulator, drive: Drive, seed: Path,
                                                                  tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    emu.faults.bandwidth(32 * 1024 * 1024)
    most = _count_ranges_in_flight(monkeypatch)
    dest = tmp_path / "pair"
    stage(f"drive:{child_id(emu, 'pair')}", dest, drive=drive, progress=None, workers=8)
    assert _files(dest) == _files(seed / "pair")
    assert 2 <= most[0] <= DEFAULT_RANGES + 1  # one slot per file, extra ranges shared: not 2 x DEFAULT_RANGES
    assert _leftovers(dest) == []


def test_interrupted_folder_resumes_the_large_file_without_refetching_finished_ranges(
        emu: DriveEmulator, drive: Drive, seed: Path, tmp_path: Path) -> None:
    dest = tmp_path / "set"
    kept = _interrupt_then_rerun(emu, drive, child_id(emu, "set"), dest, _in_folder(emu, "set", "large.bin"))
    assert kept >= SIZE // 4  # the trigger counted the small files' bytes too
    assert _files(dest) == _files(seed / "set")


def test_md5_mismatch_of_a_large_file_in_a_folder_keeps_nothing_of_it(emu: DriveEmulator, drive: Drive,
                                                                      tmp_path: Path) -> None:
    emu.store.get(_in_folder(emu, "set", "large.bin")).md5 = "0" * 32
    dest = tmp_path / "set"
    with pytest.raises(ChecksumMismatch, match=r"large\.bin does not match its expected md5 .*it was deleted"):
        stage(f"drive:{child_id(emu, 'set')}", dest, drive=drive, progress=None)
    assert not (dest / "large.bin").exists() and _leftovers(dest) == []


def _until_logged(emu: DriveEmulator, file_id: str, requests: int) -> None:
    """Wait (30 s at most) until the emulator has logged `requests` media requests for `file_id`."""
    poll_until(lambda: len(_ranges(emu, file_id)) >= requests, timeout_s=30, every_s=0.01)


def test_another_file_failing_keeps_the_large_files_finished_ranges(emu: DriveEmulator, drive: Drive, seed: Path,
                                                                   tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    large_id, small_id = _in_folder(emu, "set", "large.bin"), _in_folder(emu, "set", "small_4.bin")
    emu.faults.bandwidth(16 * 1024 * 1024)  # per response: the large file is still coming when the small one fails
    emu.faults.fail(status=404, reason="notFound", times=None, media=True, path=small_id)  # not retried
    midway = threading.Event()

    def watch(p: Progress) -> None:
        if p.phase == "download" and p.bytes_done >= SIZE // 3:
            midway.set()

    open_range, read_range = DriveFileSource.open_range, DriveFileSource.read_range
    asked: list[int] = []

    def small_waits_for_midway(self: DriveFileSource, start: int) -> tuple[object, int]:  # orders, then reads
        if self.item.id == small_id:
            assert midway.wait(60), "the large file never got a third of the way"
        return open_range(self, start)

    def counted_read_range(self: DriveFileSource, start: int, length: int) -> bytes:  # counts, then reads
        asked.append(start)
        return read_range(self, start, length)

    monkeypatch.setattr(DriveFileSource, "open_range", small_waits_for_midway)
    monkeypatch.setattr(DriveFileSource, "read_range", counted_read_range)
    dest = tmp_path / "set"
    with pytest.raises(StagingError, match=r"small_4\.bin") as failed:
        stage(f"drive:{child_id(emu, 'set')}", dest, drive=drive, progress=watch)
    assert midway.is_set() and "run it again" in str(failed.value)
    [sidecar] = list(dest.rglob("large.bin.part.ranges"))
    assert sidecar.with_name("large.bin.part").is_file() and not (dest / "large.bin").exists()

    monkeypatch.undo()
    _until_logged(emu, large_id, len(asked))  # a piece's log entry is written just after its last byte
    kept = _rerun_fetches_only_the_rest(emu, drive, child_id(emu, "set"), dest, large_id, sidecar)
    assert kept > 0  # finished ranges were kept, not thrown away
    assert _files(dest) == _files(seed / "set")


def test_cancel_of_a_folder_keeps_its_large_file_s_ranges(emu: DriveEmulator, drive: Drive,
                                                          tmp_path: Path) -> None:
    _cancel_midway(emu, drive, child_id(emu, "set"), tmp_path / "set", SIZE // 3, _in_folder(emu, "set", "large.bin"))

def test_a_kept_part_that_fails_its_md5_is_fetched_again_from_the_start(emu: DriveEmulator, drive: Drive, seed: Path,
                                                                        tmp_path: Path) -> None:
    dest = tmp_path / "large"
    part = dest / ".colab_panel-download" / "large.bin.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(os.urandom(PIECE // 2))  # a single-stream run's prefix, its tail never flushed: wrong bytes
    stage(f"drive:{child_id(emu, 'large.bin')}", dest, drive=drive, progress=None)
    assert (dest / "large.bin").read_bytes() == (seed / "large.bin").read_bytes()
    assert _leftovers(dest) == []
