"""Staging from the Drive emulator, side by side in one run (issue #5 goals).

- End to end: a tar.gz of small files on Drive, with the emulator's bandwidth capped, staged by
  `stage("drive:ID")` (extracted while it downloads) vs download alone (`Drive.download`) and
  extraction alone (`extract_archive` of the local copy): goal <= 1.2x max(download, extraction).
- Folder of 2,000 small files, 30 ms latency per request: `stage("drive:FOLDER")` vs the
  tutorials' sequential PyDrive2 loop (`ListFile` + `GetContentFile` per file): goal >= 8x.
- Resume at 50 %: bytes fetched again after an interruption half-way, as a share of the file
  (goal <= 5 %).
- For the record: one large file by a single stream vs the same file by 4 parallel ranged
  streams (decides whether parallel ranges are worth their complexity on this machine).
- The engine: `stage()` of that file as parallel ranges (`parallel_ranges`, the default above
  32 MB) vs one stream through the same engine, uncapped and with a per-connection cap.

Everything talks HTTPS to a loopback `DriveEmulator` through the real clients.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import statistics
import tarfile
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.harness import Row, repeat_pair
from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.drive.retry import RetryPolicy
from colab_panel.errors import PanelError
from colab_panel.staging import extract_archive, parallel_ranges, stage
from colab_panel.staging.progress import Progress

TAR_FILES = 3000
TAR_FILE_SIZE = 20_000
BANDWIDTH = 25 * 1000 * 1000  # bytes/s for the end-to-end comparison
FOLDER_FILES = 2000
LATENCY_S = 0.03
BIG_SIZE = 64 * 1024 * 1024
MIXED_SMALL_FILES = 50
CONNECTION_CAP = 40 * 1000 * 1000  # bytes/s per response: Drive serves each connection at a bounded rate


def _seed(root: Path) -> None:
    folder = root / "folder"
    for i in range(FOLDER_FILES):
        sub = folder / f"c{i % 10:02d}"  # (walk() batches of many folders hit an emulator gap: see report)
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:05d}.bin").write_bytes(os.urandom(2000))
    with tarfile.open(root / "set.tar.gz", "w:gz", compresslevel=1) as tf:
        for i in range(TAR_FILES):
            data = os.urandom(TAR_FILE_SIZE)
            info = tarfile.TarInfo(f"set/{i % 30:02d}/{i:05d}.bin")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    with open(root / "big.bin", "wb") as f:
        block = os.urandom(4 * 1024 * 1024)
        for _ in range(BIG_SIZE // len(block)):
            f.write(block)
    mixed = root / "mixed"  # a dataset folder: one large file among small ones
    mixed.mkdir()
    os.link(root / "big.bin", mixed / "weights.bin")
    for i in range(MIXED_SMALL_FILES):
        (mixed / f"label_{i:03d}.json").write_bytes(os.urandom(2000))


def _id(emu: DriveEmulator, title: str) -> str:
    return next(i.id for i in emu.store.children(emu.root_id) if i.title == title)


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _end_to_end(emu: DriveEmulator, drive: Drive, work: Path) -> list[Row]:
    tar_id = _id(emu, "set.tar.gz")
    runs = itertools.count()
    parts: list[tuple[float, float]] = []  # each baseline run's (download, extract)

    def ours() -> float:
        return _timed(lambda: stage(f"drive:{tar_id}", work / f"e2e-{next(runs)}", drive=drive, progress=None))

    def floor() -> float:
        n = next(runs)
        download = _timed(lambda: drive.download(tar_id, work / f"dl-{n}.tar.gz"))
        extract = _timed(lambda: extract_archive(work / f"dl-{n}.tar.gz", work / f"ex-{n}"))
        parts.append((download, extract))
        return max(download, extract)

    emu.faults.bandwidth(BANDWIDTH)
    try:
        r = repeat_pair(ours, floor)
    finally:
        emu.faults.bandwidth(None)
    download, extract = (statistics.median(p[i] for p in parts) for i in (0, 1))
    return [Row(f"tar.gz {TAR_FILES}x{TAR_FILE_SIZE // 1000} KB at {BANDWIDTH // 10**6} MB/s: stage vs "
                f"max(download {download:.2f} s, extract {extract:.2f} s)", r.ours, r.baseline, "s", "<= 1.2x",
                r.ratio, r.ratio <= 1.2, r.ratio_min, r.ratio_max, r.runs)]


def _folder(emu: DriveEmulator, drive: Drive, work: Path) -> list[Row]:
    folder_id = _id(emu, "folder")
    emu.faults.delay(LATENCY_S)
    try:
        ours = _timed(lambda: stage(f"drive:{folder_id}", work / "folder-ours", drive=drive, progress=None))
        naive = _timed(lambda: _pydrive2_loop(emu, folder_id, work / "folder-naive"))
    finally:
        emu.faults.clear()
    speedup = naive / ours
    return [Row(f"folder of {FOLDER_FILES} files, {LATENCY_S * 1000:.0f} ms/request: sequential PyDrive2 "
                "GetContentFile loop / stage", naive, ours, "s", ">= 8x", speedup, speedup >= 8)]


def _pydrive2_loop(emu: DriveEmulator, folder_id: str, out: Path) -> None:
    """What tutorials do: list each folder, then GetContentFile every file, one after another."""
    gdrive = emu.pydrive2_drive()
    pending = [(folder_id, out)]
    while pending:
        fid, target = pending.pop()
        target.mkdir(parents=True, exist_ok=True)
        for f in gdrive.ListFile({"q": f"'{fid}' in parents and trashed=false"}).GetList():
            if f["mimeType"] == "application/vnd.google-apps.folder":
                pending.append((f["id"], target / f["title"]))
            else:
                f.GetContentFile(str(target / f["title"]))


def _resume(emu: DriveEmulator, drive: Drive, work: Path) -> list[Row]:
    big_id = _id(emu, "big.bin")
    drive.chunk_size = 4 * 1024 * 1024
    emu.faults.bandwidth(200 * 1000 * 1000)
    broken = threading.Event()

    def break_at_half(p: Progress) -> None:
        if p.phase == "download" and p.bytes_done >= BIG_SIZE // 2 and not broken.is_set():
            broken.set()
            emu.faults.reset(after_bytes=1000, times=None, media=True)

    try:
        stage(f"drive:{big_id}", work / "resume", drive=drive, progress=break_at_half)
    except PanelError:
        pass
    kept = _kept_bytes(work / "resume")
    emu.faults.clear()
    emu.requests.clear()
    fetched: list[int] = []
    stage(f"drive:{big_id}", work / "resume", drive=drive,
          progress=lambda p: fetched.append(p.bytes_done))
    # Bytes asked for on the rerun beyond what the interrupted run had not kept = fetched again.
    again = max(0, sum(_range_bytes(r.headers.get("range", "")) for r in emu.requests if r.media)
                - (BIG_SIZE - kept))
    share = again / BIG_SIZE
    drive.chunk_size = 16 * 1024 * 1024
    return [Row("resume after an interruption at 50 %: bytes fetched again / file size", again, BIG_SIZE, "B",
                "<= 5 %", share, share <= 0.05)]


def _kept_bytes(dest: Path) -> int:
    """Bytes an interrupted run kept: the ranges sidecar's finished intervals, else the .part's length."""
    for sidecar in dest.rglob("*.part.ranges"):
        return sum(e - s for s, e in json.loads(sidecar.read_text())["done"])
    return sum(p.stat().st_size for p in dest.rglob("*.part"))


def _range_bytes(header: str) -> int:
    first, _, last = header.partition("=")[2].partition("-")
    return min(int(last), BIG_SIZE - 1) - int(first) + 1 if first and last else BIG_SIZE


def _engine_ranges(emu: DriveEmulator, drive: Drive, work: Path) -> list[Row]:
    """stage() of one large file: parallel ranges (the default above the threshold) vs one stream
    through the same engine (threshold raised), uncapped and with a per-connection cap."""
    big_id = _id(emu, "big.bin")
    rows = []
    for cap in (None, CONNECTION_CAP):
        emu.faults.bandwidth(cap)
        saved = parallel_ranges.PARALLEL_MIN_BYTES
        try:
            parallel_ranges.PARALLEL_MIN_BYTES = BIG_SIZE + 1
            single = _timed(lambda: stage(f"drive:{big_id}", work / f"single-{cap}", drive=drive, progress=None))
            parallel_ranges.PARALLEL_MIN_BYTES = saved
            ours = _timed(lambda: stage(f"drive:{big_id}", work / f"ranges-{cap}", drive=drive, progress=None))
        finally:
            parallel_ranges.PARALLEL_MIN_BYTES = saved
            emu.faults.bandwidth(None)
        label = "no cap" if cap is None else f"{cap // 10**6} MB/s per connection"
        rows.append(Row(f"stage() one {BIG_SIZE >> 20} MB Drive file, {label}: {parallel_ranges.DEFAULT_RANGES} "
                        "parallel ranges / one stream (md5 checked both)", ours, single, "s", "< 1x",
                        ours / single, ours < single))
    return rows


def _folder_ranges(emu: DriveEmulator, drive: Drive, work: Path) -> list[Row]:
    """stage() of a folder holding one large file among small ones, with a per-connection cap:
    its large file as parallel ranges (the default) vs one stream per file (threshold raised)."""
    folder_id = _id(emu, "mixed")
    emu.faults.bandwidth(CONNECTION_CAP)
    saved = parallel_ranges.PARALLEL_MIN_BYTES
    try:
        parallel_ranges.PARALLEL_MIN_BYTES = BIG_SIZE + 1
        single = _timed(lambda: stage(f"drive:{folder_id}", work / "mixed-single", drive=drive, progress=None))
        parallel_ranges.PARALLEL_MIN_BYTES = saved
        ours = _timed(lambda: stage(f"drive:{folder_id}", work / "mixed-ranges", drive=drive, progress=None))
    finally:
        parallel_ranges.PARALLEL_MIN_BYTES = saved
        emu.faults.bandwidth(None)
    return [Row(f"stage() a folder of one {BIG_SIZE >> 20} MB + {MIXED_SMALL_FILES} small files, "
                f"{CONNECTION_CAP // 10**6} MB/s per connection: ranged / one stream per file", ours, single,
                "s", "< 1x", ours / single, ours < single)]


def _parallel_ranges(emu: DriveEmulator, drive: Drive, work: Path) -> list[Row]:
    """One stream vs 4 ranged streams for one large file (recorded, no goal: it decides a design choice)."""
    big_id = _id(emu, "big.bin")
    one = _timed(lambda: drive.download(big_id, work / "one.bin"))
    quarter = BIG_SIZE // 4

    def fetch(i: int) -> None:
        stream = drive.open_range(big_id, i * quarter)
        try:
            left = quarter
            with open(work / f"part{i}", "wb") as f:
                while left > 0:
                    data = stream.read(min(left, 4 * 1024 * 1024))
                    if not data:
                        break
                    f.write(data)
                    left -= len(data)
        finally:
            stream.close()

    def four() -> None:
        threads = [threading.Thread(target=fetch, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    parallel = _timed(four)
    return [Row(f"one {BIG_SIZE >> 20} MB file, no cap: 4 parallel ranges / one stream (info)", parallel, one, "s",
                "info", parallel / one, True)]


def run() -> list[Row]:
    work = Path(tempfile.mkdtemp(prefix="bench_staging-", dir=os.environ.get("BENCH_TMP")))
    seed = work / "seed"
    seed.mkdir()
    try:
        _seed(seed)
        with DriveEmulator(root=seed, max_page_size=1000) as emu:
            drive = Drive.for_emulator(emu.base_url, emu.token, emu.ca_cert_path,
                                       retry=RetryPolicy(base_delay_s=0.05, max_delay_s=0.2, max_total_s=30))
            try:
                rows = _end_to_end(emu, drive, work)
                rows += _folder(emu, drive, work)
                rows += _resume(emu, drive, work)
                rows += _parallel_ranges(emu, drive, work)
                rows += _engine_ranges(emu, drive, work)
                rows += _folder_ranges(emu, drive, work)
            finally:
                drive.close()
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row.cells()))
