"""Zip extraction speed, side by side in one run (issue #5 goals).

- 20,000 x 10 KB files: ours vs `unzip -q` (>= 2.5x faster), vs a raw open/write/close loop
  writing the same files (within 1.3x), vs `zipfile.extractall` (for reference).
- One 512 MB stored member: ours vs `cp` of the archive file itself (within 1.2x).

Every contender writes into a fresh folder on the same disk; rounds are interleaved so a slow
moment of a shared machine hits all of them alike; the median of the rounds is reported.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.harness import Row
from colab_panel.staging import extract_archive

SMALL_COUNT = 20_000
SMALL_SIZE = 10_000
LARGE_SIZE = 512 * 1024 * 1024
ROUNDS = 5


def _build_small_zip(path: Path) -> list[tuple[str, bytes]]:
    # Half random, half repetitive: compresses about 2:1, like many real small-file datasets.
    files = [(f"dataset/class_{i % 50:02d}/item_{i:05d}.bin", os.urandom(SMALL_SIZE // 2) + bytes(SMALL_SIZE // 2))
             for i in range(SMALL_COUNT)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(name, data)
    return files


def _build_large_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        with zf.open("big.bin", "w", force_zip64=True) as member:
            block = os.urandom(16 * 1024 * 1024)
            for _ in range(LARGE_SIZE // len(block)):
                member.write(block)


def _raw_loop(files: list[tuple[str, bytes]]) -> Callable[[Path], None]:
    """The floor: create the folders once, then open/write/close every file, nothing else."""
    def run(out: Path) -> None:
        for folder in sorted({os.path.dirname(name) for name, _ in files}):
            os.makedirs(out / folder, exist_ok=True)
        for name, data in files:
            fd = os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            os.write(fd, data)
            os.close(fd)
    return run


def _timed_rounds(contenders: dict[str, Callable[[Path], None]], work: Path) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for r in range(ROUNDS):
        for name, fn in contenders.items():
            out = work / f"out-{name}-{r}"
            os.sync()
            start = time.perf_counter()
            fn(out)
            times[name].append(time.perf_counter() - start)
            if out.is_dir():
                shutil.rmtree(out)
            else:
                out.unlink()  # cp's copy
    return {name: statistics.median(t) for name, t in times.items()}


def _small_rows(work: Path) -> list[Row]:
    archive = work / "small.zip"
    files = _build_small_zip(archive)
    contenders: dict[str, Callable[[Path], None]] = {
        "ours": lambda out: extract_archive(archive, out),
        "raw": _raw_loop(files),
        "extractall": lambda out: zipfile.ZipFile(archive).extractall(out),
    }
    if shutil.which("unzip"):
        contenders["unzip"] = lambda out: subprocess.run(["unzip", "-q", str(archive), "-d", str(out)], check=True)
    t = _timed_rounds(contenders, work)
    label = f"unzip {SMALL_COUNT // 1000}k x {SMALL_SIZE // 1000} KB"
    rows = []
    if "unzip" in t:
        ratio = t["unzip"] / t["ours"]
        rows.append(Row(f"{label}: ours vs `unzip -q` (speed-up)", t["ours"], t["unzip"], "s", ">= 2.5x", ratio, ratio >= 2.5))
    else:
        print("bench_extract: `unzip` not installed; skipping the unzip row")
    ratio = t["ours"] / t["raw"]
    rows.append(Row(f"{label}: ours vs raw open/write/close loop", t["ours"], t["raw"], "s", "<= 1.3x", ratio, ratio <= 1.3))
    ratio = t["extractall"] / t["ours"]
    rows.append(Row(f"{label}: ours vs zipfile.extractall (speed-up)", t["ours"], t["extractall"], "s", "> 1x (ref)", ratio, ratio > 1))
    archive.unlink()
    return rows


def _large_rows(work: Path) -> list[Row]:
    archive = work / "large.zip"
    _build_large_zip(archive)
    contenders: dict[str, Callable[[Path], None]] = {
        "ours": lambda out: extract_archive(archive, out),
        "cp": lambda out: subprocess.run(["cp", str(archive), str(out)], check=True),
    }
    t = _timed_rounds(contenders, work)
    archive.unlink()
    ratio = t["ours"] / t["cp"]
    return [Row("512 MB stored member: ours vs `cp` of the archive", t["ours"], t["cp"], "s", "<= 1.2x", ratio, ratio <= 1.2)]


def run() -> list[Row]:
    work = Path(tempfile.mkdtemp(prefix="bench_extract-", dir=os.environ.get("BENCH_TMP")))
    try:
        return _small_rows(work) + _large_rows(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
