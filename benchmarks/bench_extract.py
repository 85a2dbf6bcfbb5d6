"""Extraction speed, each row ours and a baseline alternately (`repeat_pair`, issue #17 goals).

- 20,000 x 10 KB deflated zip: ours vs `unzip -q` (>= 2x faster), vs a raw open/write/close
  loop writing the same files (<= 1.1x), vs `zipfile.extractall` (reference), and ours with
  zlib-ng vs ours forced onto the standard zlib (what the wheel buys).
- One 512 MB stored member: ours vs `cp` of the archive file itself (<= 1.2x).
- A 1 GB (content) .tar.gz: ours vs the code before #17 (`BEFORE`, unpacked from git and run
  in a fresh interpreter, as ours is for that row) (>= 1.5x); ours vs ours forced onto the
  standard `gzip` module (what the wheel buys); the gzip stream alone through ISA-L vs zlib-ng
  (why ISA-L is the gzip choice).

Small-file outputs are kept until their row ends: on this machine's ext4 (no journal) the
inode allocator skips every recently deleted inode one by one, so deleting 20,000 files makes
the next 20,000 creates several times slower for a minute or so, whichever side runs next.

    python -m benchmarks.run extract
"""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.harness import Row, repeat_pair
from colab_panel.staging import extract_archive, fast_zlib

SMALL_COUNT = 20_000
SMALL_SIZE = 10_000
LARGE_SIZE = 512 * 1024 * 1024
TAR_FILE_SIZE = 1024 * 1024
TAR_FILES = 1024  # 1 GB of content
RUNS = 5
BEFORE = "14e0c69"  # the last commit before #17's extraction work: the "today" of its tar.gz goal
REPO = Path(__file__).resolve().parents[1]
_EXTRACT = "import sys; from colab_panel.staging import extract_archive; extract_archive(sys.argv[1], sys.argv[2])"


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


def _build_tar_gz(path: Path) -> None:
    """Each file half random bytes (images, say) and half word-like text, at gzip's default level 6."""
    rng = random.Random(17)
    words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(5000)]
    text = b" ".join(rng.choice(words) for _ in range(2_000_000))
    half = TAR_FILE_SIZE // 2
    with tarfile.open(path, "w:gz", compresslevel=6) as tf:
        for i in range(TAR_FILES):
            start = rng.randrange(0, len(text) - half)
            data = os.urandom(half) + text[start:start + half]
            info = tarfile.TarInfo(f"set/{i % 16:02d}/{i:05d}.bin")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))


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


@contextmanager
def _stdlib_only(on: bool) -> Iterator[None]:
    fast_zlib.use_stdlib(on)
    try:
        yield
    finally:
        fast_zlib.use_stdlib(False)


class _Timer:
    """Times `fn(out)` into a fresh folder under `work`; `keep` leaves outputs for the end."""

    def __init__(self, work: Path, keep: bool) -> None:
        self.work = work
        self.keep = keep
        self.count = 0

    def __call__(self, fn: Callable[[Path], None], stdlib: bool = False) -> Callable[[], float]:
        def timed() -> float:
            self.count += 1
            out = self.work / f"out-{self.count}"
            os.sync()  # the previous run's dirty pages are flushed outside the timing
            with _stdlib_only(stdlib):
                start = time.perf_counter()
                fn(out)
                elapsed = time.perf_counter() - start
            if not self.keep:
                shutil.rmtree(out) if out.is_dir() else out.unlink()
            return elapsed
        return timed


def _row(name: str, ours: Callable[[], float], baseline: Callable[[], float], goal: str,
         met: Callable[[float], bool], speed_up: bool) -> Row:
    """`speed_up`: the ratio is baseline / ours (the goal says "N x faster"), else ours / baseline."""
    r = repeat_pair(ours, baseline, RUNS)
    if speed_up:
        ratio, low, high = 1 / r.ratio, 1 / r.ratio_max, 1 / r.ratio_min
    else:
        ratio, low, high = r.ratio, r.ratio_min, r.ratio_max
    return Row(name, r.ours, r.baseline, "s", goal, ratio, met(ratio), low, high, r.runs)


def _small_rows(work: Path) -> list[Row]:
    archive = work / "small.zip"
    files = _build_small_zip(archive)
    label = f"unzip {SMALL_COUNT // 1000}k x {SMALL_SIZE // 1000} KB"
    def ours(out):
        return extract_archive(archive, out)

    rows = []
    for name, baseline, goal, met, speed_up in [
        ("`unzip -q` (speed-up)", lambda out: subprocess.run(["unzip", "-q", str(archive), "-d", str(out)], check=True),
         ">= 2x", lambda x: x >= 2, True),
        ("raw open/write/close loop", _raw_loop(files), "<= 1.1x", lambda x: x <= 1.1, False),
        ("zipfile.extractall (speed-up)", lambda out: zipfile.ZipFile(archive).extractall(out),
         "> 1x (ref)", lambda x: x > 1, True),
    ]:
        if name.startswith("`unzip") and not shutil.which("unzip"):
            print("bench_extract: `unzip` not installed; skipping the unzip row")
            continue
        timer = _Timer(work / f"small-{len(rows)}", keep=True)
        timer.work.mkdir()
        rows.append(_row(f"{label}: ours vs {name}", timer(ours), timer(baseline), goal, met, speed_up))
        shutil.rmtree(timer.work)
    timer = _Timer(work / "small-lib", keep=True)
    timer.work.mkdir()
    inflate = fast_zlib.codecs().inflate_name
    rows.append(_row(f"{label}: ours ({inflate}) vs ours on the standard zlib (speed-up)", timer(ours),
                     timer(ours, stdlib=True), "> 1x", lambda x: x > 1, True))
    shutil.rmtree(timer.work)
    archive.unlink()
    return rows


def _large_rows(work: Path) -> list[Row]:
    archive = work / "large.zip"
    _build_large_zip(archive)
    timer = _Timer(work, keep=False)
    row = _row("512 MB stored member: ours vs `cp` of the archive", timer(lambda out: extract_archive(archive, out)),
               timer(lambda out: subprocess.run(["cp", str(archive), str(out)], check=True)), "<= 1.2x",
               lambda x: x <= 1.2, False)
    archive.unlink()
    return [row]


def _gzip_read(archive: Path, reader: Callable[[io.BufferedReader], io.BufferedIOBase]) -> Callable[[], float]:
    def timed() -> float:
        start = time.perf_counter()
        with open(archive, "rb") as raw, reader(raw) as f:
            while f.read(1 << 20):
                pass
        return time.perf_counter() - start
    return timed


def _in_fresh_python(tree: Path, archive: Path) -> Callable[[Path], None]:
    def run(out: Path) -> None:
        env = dict(os.environ, PYTHONPATH=str(tree))
        subprocess.run([sys.executable, "-c", _EXTRACT, str(archive), str(out)], env=env, cwd=tree, check=True)
    return run


def _before_tree(work: Path) -> Path | None:
    """The package as it was at BEFORE, unpacked under `work`; None without git or that commit."""
    tree = work / "before"
    tree.mkdir()
    try:
        blob = subprocess.run(["git", "-C", str(REPO), "archive", BEFORE, "colab_panel"], capture_output=True,
                              check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    subprocess.run(["tar", "-x", "-C", str(tree)], input=blob, check=True)
    return tree


def _tar_rows(work: Path) -> list[Row]:
    archive = work / "set.tar.gz"
    _build_tar_gz(archive)
    timer = _Timer(work, keep=False)
    def extract(out):
        return extract_archive(archive, out)

    gzip_name = fast_zlib.codecs().gzip_name
    label = f"1 GB tar.gz ({TAR_FILES} x 1 MB): ours ({gzip_name})"
    rows = []
    before = _before_tree(work)
    if before is None:
        print(f"bench_extract: no git checkout with {BEFORE}; skipping the before-#17 row")
    else:
        rows.append(_row(f"{label} vs the code before #17 (git {BEFORE}), fresh processes (speed-up)",
                         timer(_in_fresh_python(REPO, archive)), timer(_in_fresh_python(before, archive)),
                         ">= 1.5x", lambda x: x >= 1.5, True))
    rows.append(_row(f"{label} vs ours on the gzip module, no wheel (speed-up)", timer(extract),
                     timer(extract, stdlib=True), "> 1x", lambda x: x > 1, True))
    rows += _gzip_rows(archive)
    archive.unlink()
    return rows


def _gzip_rows(archive: Path) -> list[Row]:
    """Reading the gzip stream alone, 1 MB at a time: ISA-L vs the gzip module, and vs zlib-ng."""
    import gzip

    try:
        from isal import igzip
        from zlib_ng import gzip_ng
    except ImportError:
        print("bench_extract: isal or zlib-ng not installed; skipping the gzip reader rows")
        return []
    isal = _gzip_read(archive, lambda raw: igzip.IGzipFile(fileobj=raw, mode="rb"))
    return [_row("read that .tar.gz's gzip stream: ISA-L vs the gzip module (speed-up)", isal,
                 _gzip_read(archive, lambda raw: gzip.GzipFile(fileobj=raw, mode="rb")), "> 1x", lambda x: x > 1, True),
            _row("read that .tar.gz's gzip stream: ISA-L vs zlib-ng (speed-up)", isal,
                 _gzip_read(archive, lambda raw: gzip_ng.GzipNGFile(fileobj=raw, mode="rb")), "> 1x", lambda x: x > 1, True)]


def _library_rows() -> list[Row]:
    """The libraries alone, in memory: CRC-32 of 64 MB, and inflating 2,000 members like the small zip's."""
    import zlib

    block = os.urandom(64 * 1024 * 1024)
    c = fast_zlib.codecs()

    def timed(fn: Callable[[], object], repeat: int) -> Callable[[], float]:
        def run() -> float:
            start = time.perf_counter()
            for _ in range(repeat):
                fn()
            return time.perf_counter() - start
        return run

    rows = [_row(f"CRC-32 of 64 MB x 4: {c.crc_name} vs zlib (speed-up)", timed(lambda: c.crc32(block), 4),
                 timed(lambda: zlib.crc32(block), 4), "> 1x", lambda x: x > 1, True)]
    members = []
    for _ in range(2000):
        z = zlib.compressobj(6, zlib.DEFLATED, fast_zlib.RAW_DEFLATE)
        members.append(z.compress(os.urandom(SMALL_SIZE // 2) + bytes(SMALL_SIZE // 2)) + z.flush())
    rows.append(_row(f"inflate 2,000 x 10 KB members: {c.inflate_name} vs zlib (speed-up)",
                     timed(lambda: [c.decompress(m, fast_zlib.RAW_DEFLATE, SMALL_SIZE) for m in members], 1),
                     timed(lambda: [zlib.decompress(m, fast_zlib.RAW_DEFLATE, SMALL_SIZE) for m in members], 1),
                     "> 1x", lambda x: x > 1, True))
    return rows


def run() -> list[Row]:
    work = Path(tempfile.mkdtemp(prefix="bench_extract-", dir=os.environ.get("BENCH_TMP")))
    try:
        return _library_rows() + _small_rows(work) + _large_rows(work) + _tar_rows(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
