"""A large Drive file staged as parallel byte ranges, against the emulator over real HTTPS.

Bytes and md5 right, a reset mid-range retried, an interruption resumed without fetching the
finished ranges again (checked on the Range headers the emulator saw), cancel leaves nothing.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from support.drive import child_id, emulator_drive
from colab_panel.errors import ChecksumMismatch, StagingCancelled, StagingError
from colab_panel.staging import stage
from colab_panel.staging.parallel_ranges import PARALLEL_MIN_BYTES
from colab_panel.staging.progress import Progress

SIZE = PARALLEL_MIN_BYTES + 3 * 1024 * 1024 + 17  # over the threshold, not a multiple of any piece
PIECE = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("drive-ranges-seed")
    (root / "large.bin").write_bytes(random.Random(7).randbytes(SIZE))
    return root


@pytest.fixture
def emu(seed: Path) -> Iterator[DriveEmulator]:
    with DriveEmulator(root=seed) as emulator:
        yield emulator


@pytest.fixture
def drive(emu: DriveEmulator) -> Iterator[Drive]:
    with emulator_drive(emu, chunk_size=PIECE) as d:
        yield d


def _ranges(emu: DriveEmulator) -> list[tuple[int, int]]:
    """[start, end) of every media request, from its Range header."""
    out = []
    for r in emu.requests:
        if r.media:
            m = re.fullmatch(r"bytes=(\d+)-(\d+)", r.headers.get("range", ""))
            assert m, r.headers
            out.append((int(m.group(1)), int(m.group(2)) + 1))
    return out


def _leftovers(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if ".part" in p.name or p.name.startswith(".colab_panel-download"))


def test_large_file_comes_as_parallel_ranges_with_a_reset_retried(emu: DriveEmulator, drive: Drive, seed: Path,
                                                                    tmp_path: Path) -> None:
    emu.faults.reset(after_bytes=1000, times=2, media=True)  # two ranges drop mid-body
    emu.faults.bandwidth(32 * 1024 * 1024)  # per response: each piece takes long enough to see overlap
    in_flight, most = [0], [0]
    lock = threading.Lock()
    open_range = drive.open_range

    def counting_open_range(*args: object, **kwargs: object) -> object:  # observes, then calls the real one
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            return open_range(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            with lock:
                in_flight[0] -= 1

    drive.open_range = counting_open_range  # type: ignore[method-assign]
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


def test_interrupted_download_resumes_without_refetching_finished_ranges(emu: DriveEmulator, drive: Drive,
                                                                        seed: Path, tmp_path: Path) -> None:
    emu.faults.bandwidth(16 * 1024 * 1024)  # per response: slow enough to cut the network midway
    broken = threading.Event()

    def break_network(p: Progress) -> None:
        if p.bytes_done >= SIZE // 3 and not broken.is_set():
            broken.set()
            emu.faults.reset(after_bytes=10, times=None, media=True)  # every request from now on drops

    dest = tmp_path / "large"
    with pytest.raises(StagingError, match="run it again"):
        stage(f"drive:{child_id(emu, 'large.bin')}", dest, drive=drive, progress=break_network)
    [sidecar] = list(dest.rglob("*.part.ranges"))
    done = [tuple(i) for i in json.loads(sidecar.read_text())["done"]]
    kept = sum(e - s for s, e in done)
    assert SIZE // 3 <= kept < SIZE and not (dest / "large.bin").exists()

    emu.faults.clear()
    emu.requests.clear()
    stage(f"drive:{child_id(emu, 'large.bin')}", dest, drive=drive, progress=None)
    assert hashlib.md5((dest / "large.bin").read_bytes()).hexdigest() == hashlib.md5(
        (seed / "large.bin").read_bytes()).hexdigest()
    again = _ranges(emu)
    assert again and all(e <= s0 or s >= e0 for s, e in again for s0, e0 in done)  # nothing finished refetched
    assert sum(e - s for s, e in again) == SIZE - kept
    assert _leftovers(dest) == []


def test_cancel_leaves_nothing(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    emu.faults.bandwidth(8 * 1024 * 1024)
    cancel = threading.Event()

    def cancel_midway(p: Progress) -> None:
        if p.bytes_done >= PIECE:
            cancel.set()

    dest = tmp_path / "large"
    with pytest.raises(StagingCancelled):
        stage(f"drive:{child_id(emu, 'large.bin')}", dest, drive=drive, progress=cancel_midway, cancel=cancel)
    assert cancel.is_set()
    assert _leftovers(dest) == [] and not (dest / "large.bin").exists()
