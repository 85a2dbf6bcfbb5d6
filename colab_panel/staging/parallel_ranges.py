"""One large remote file fetched as parallel byte ranges into a `.part`, md5-checked, resumable.

    if use_parallel(source, size):
        download_ranges(RangedFile(source, file, size, ("md5", hex)), tracker=t, cancel=ev, abort=other)
    # `file` now exists and matched; `file.part` and its sidecar are gone

Why: one HTTPS stream from Drive is bounded per connection; several ranged GETs at once fill the
link (measured on loopback: 4 ranges of 64 MB took ~0.5x the time of one stream). Only for plain
files and zips, never for tar streams (those are extracted while they download, in order).

How:
- the `.part` is created at its full size (sparse) and each piece is written into its own
  region with `os.pwrite`, so workers never share a file position;
- the file is cut into pieces of at most the source's chunk size (`Drive.chunk_size`), spread
  over `ranges` threads (`worker_pool`); each piece is one ranged GET (`source.read_range`), retried by the
  backend on a fresh connection when it drops mid-body;
- every finished piece is recorded in a sidecar `<name>.part.ranges` (JSON, replaced
  atomically) with the CRC-32 of its bytes, so a rerun after an interruption (a network
  failure, `kill -9`, a kernel restart) fetches only the pieces that are missing. The record
  is written after `pwrite` but without fsync (one per piece would cost more than it saves),
  so on resume each recorded piece is read back from the `.part` and kept only if its CRC
  still matches: bytes a crash did not flush are fetched again, never trusted. A `.part`
  without a sidecar (left by a single-stream run) counts as done up to its length;
- the md5 is computed over the whole `.part` once every piece is in, then the `.part` is
  renamed. A mismatch removes the `.part` and the sidecar; a network failure (the backend gave
  up), a `cancel` (the user's: cancel is a pause) or `abort` (another file of the folder failed)
  keeps both for the rerun.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from colab_panel.drive.read_sizing import ReadSizer
from colab_panel.errors import ChecksumMismatch, DriveError
from colab_panel.disk import writing
from colab_panel.disk.atomic import part_path
from colab_panel.staging.progress import ProgressTracker
from colab_panel.staging.sources import NETWORK_ERRORS, DownloadInterrupted
from colab_panel.staging.temp_files import remove_orphaned_temps, replace_with_text
from colab_panel.staging.worker_pool import WorkerPool

PARALLEL_MIN_BYTES = 32 * 1024 * 1024  # below this, one stream finishes before extra connections pay off
DEFAULT_RANGES = 4  # measured: 4 ranges ~0.5x one stream; more adds connections, not speed
DEFAULT_PIECE = 16 * 1024 * 1024  # per request when the source does not say (memory: ranges x piece)
SIDECAR_SUFFIX = ".ranges"
# failures after which the pieces fetched so far are kept for a rerun
_RESUMABLE: tuple[type[BaseException], ...] = (DriveError, DownloadInterrupted, *NETWORK_ERRORS)

Interval = tuple[int, int]  # [start, end)
Piece = tuple[int, int, int]  # [start, end) and the CRC-32 of those bytes


def use_parallel(source: Any, size: int | None, *, min_bytes: int | None = None) -> bool:
    """Whether `source` of `size` bytes should be fetched as parallel ranges (exact ranged reads needed).

    `min_bytes` defaults to the module's `PARALLEL_MIN_BYTES`, read at call time (the benchmark
    raises it to time the single stream through the same engine)."""
    threshold = PARALLEL_MIN_BYTES if min_bytes is None else min_bytes
    return size is not None and size >= threshold and callable(getattr(source, "read_range", None))


def sidecar_path(final: Path) -> Path:
    part = part_path(final)
    return part.with_name(part.name + SIDECAR_SUFFIX)


def piece_size(source: Any) -> int:
    drive = getattr(source, "drive", None)
    return int(getattr(drive, "chunk_size", 0) or DEFAULT_PIECE)


@dataclass(frozen=True)
class RangedFile:
    """One file to fetch as ranges: from `source` (`size` bytes) into `final`, checked against `expected`."""

    source: Any  # a Source with `read_range`
    final: Path
    size: int
    expected: tuple[str, str] | None  # ("md5", hex); None: the size alone is checked
    ranges: int = DEFAULT_RANGES  # connections at once
    piece: int | None = None  # bytes per request at most; None: the source's chunk size


def download_ranges(file: RangedFile, *, tracker: ProgressTracker, cancel: threading.Event | None,
                    abort: threading.Event | None = None) -> Path:
    """Fetch `file.source` into `file.final` through its `.part`; see the module docstring.

    `cancel` (the user's) stops, keeps the `.part` and sidecar for the next run, and raises
    `writing.Cancelled`; `abort` keeps them too and raises `DownloadInterrupted`. A resumed
    `.part` whose whole file then fails its md5 (kept bytes no check could vouch for, such as a
    single-stream run's prefix) is fetched once more from the start."""
    file = replace(file, final=Path(file.final))
    file.final.parent.mkdir(parents=True, exist_ok=True)
    resumed = part_path(file.final).exists()
    stops = _Stops(cancel, abort)
    try:
        return _download_once(file, tracker, stops)
    except ChecksumMismatch:
        if not resumed:
            raise
        tracker.add(-file.size)  # every byte was counted; they all come again
        return _download_once(file, tracker, stops)


def _download_once(file: RangedFile, tracker: ProgressTracker, stops: _Stops) -> Path:
    final, size, expected = file.final, file.size, file.expected
    part, sidecar = part_path(final), sidecar_path(final)
    pieces = _load_done(part, sidecar, size, expected)
    fd = os.open(part, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    keep = False
    try:
        os.ftruncate(fd, size)  # full length up front: pieces land in their own regions
        record = _Recorder(sidecar, size, expected, pieces)
        record.save()
        done = _merge([(s, e) for s, e, _ in pieces])
        tracker.add(sum(e - s for s, e in done))
        todo = _pieces(_missing(done, size), file.piece or piece_size(file.source), file.ranges)
        try:
            _fetch_all(file, fd, todo, record, tracker, stops)
        except writing.Cancelled:
            keep = True  # cancel is a pause: the pieces we have stay for the next run
            raise
        except _RESUMABLE as e:
            keep = True  # the connection kept failing: the pieces we have stay for a rerun
            writing.check_stop(stops.cancel)  # the user cancelled meanwhile: say that, not the network error
            kept = record.bytes_done()
            raise DownloadInterrupted(f"{e} {kept} of {size} bytes of {final.name} are kept; run it again to "
                                      "fetch only the rest.") from e
        _verify(fd, size, expected, final.name)
    except BaseException:
        os.close(fd)
        if not keep:
            _remove(part, sidecar)
        raise
    os.close(fd)
    os.replace(part, final)
    _remove(sidecar)
    return final


def _fetch_all(file: RangedFile, fd: int, todo: list[Interval], record: _Recorder, tracker: ProgressTracker,
               stops: _Stops) -> None:
    """Every piece of `todo`, `file.ranges` at a time (`worker_pool`), each written where it belongs."""
    source = file.source
    sizer = ReadSizer(max((e - s for s, e in todo), default=1))

    def fetch(piece: Interval) -> None:
        start, end = piece
        # A piece is fetched in requests sized to the measured rate, each recorded as it lands:
        # a cancel waits for one short request, not a whole piece (16 s at 1 MB/s).
        while start < end:
            writing.check_stop(pool.stop, stops.cancel)
            stops.check_abort(source.name)
            want = min(end - start, sizer.next_size())
            began = time.monotonic()
            data = source.read_range(start, want)
            sizer.record(len(data), time.monotonic() - began)
            if len(data) != want:  # the server ignored the range or cut the body short
                raise DownloadInterrupted(f"{source.name}: asked for bytes {start}-{start + want - 1}, "
                                          f"got {len(data)} bytes.")
            _pwrite_all(fd, data, start)
            record.add(start, start + want, zlib.crc32(data))
            tracker.add(want)
            start += want

    pool = WorkerPool(fetch, workers=min(file.ranges, len(todo)), name="colab_panel-range")
    try:
        # the lowest offsets first; in-flight pieces finish or fail within one request once stopped
        pool.run(todo, cancel=stops.cancel, tick=tracker.emit, check=lambda: stops.check_abort(source.name))
    finally:
        record.save()
    tracker.emit(force=True)


@dataclass(frozen=True)
class _Stops:
    """Why a ranged download stops early: `cancel` (the user's pause) or `abort` (a sibling failed)."""

    cancel: threading.Event | None
    abort: threading.Event | None

    def check_abort(self, name: str) -> None:
        if self.abort is not None and self.abort.is_set():
            raise DownloadInterrupted(f"The download of {name} was stopped before it finished.")


def _verify(fd: int, size: int, expected: tuple[str, str] | None, name: str) -> None:
    if expected is None:
        return
    algorithm, want = expected
    digest = hashlib.new(algorithm)
    offset = 0
    while offset < size:
        chunk = os.pread(fd, min(writing.COPY_CHUNK, size - offset), offset)
        if not chunk:
            break
        digest.update(chunk)
        offset += len(chunk)
    if digest.hexdigest() != want.lower():
        raise ChecksumMismatch(f"{name} does not match its expected {algorithm} ({digest.hexdigest()} instead of "
                               f"{want.lower()}); it was deleted.")


class _Recorder:
    """The finished pieces with their CRC-32, saved to the sidecar after every piece (temp file + rename)."""

    def __init__(self, path: Path, size: int, expected: tuple[str, str] | None, pieces: list[Piece]) -> None:
        self.path = path
        self.size = size
        self.hash = f"{expected[0]}:{expected[1].lower()}" if expected else None
        self.pieces = list(pieces)
        self._lock = threading.Lock()

    def add(self, start: int, end: int, crc: int) -> None:
        with self._lock:
            self.pieces.append((start, end, crc))
        self.save()

    def bytes_done(self) -> int:
        with self._lock:
            return sum(e - s for s, e in _merge([(s, e) for s, e, _ in self.pieces]))

    def save(self) -> None:
        with self._lock:
            data = {"size": self.size, "hash": self.hash, "pieces": [list(p) for p in self.pieces]}
            replace_with_text(self.path, json.dumps(data, separators=(",", ":")))


def _load_done(part: Path, sidecar: Path, size: int, expected: tuple[str, str] | None) -> list[Piece]:
    """What a previous run finished and the `.part` still holds: the sidecar's pieces whose bytes
    read back with their recorded CRC, or a sidecar-less `.part`'s length (one piece)."""
    remove_orphaned_temps(sidecar)
    if not part.exists():
        _remove(sidecar)
        return []
    want_hash = f"{expected[0]}:{expected[1].lower()}" if expected else None
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        if data.get("size") != size or data.get("hash") != want_hash:
            raise ValueError("the sidecar describes another version of the file")
        if part.stat().st_size != size:
            raise ValueError("the .part does not have the file's length")
        recorded = [(int(s), int(e), int(c)) for s, e, c in data.get("pieces", []) if 0 <= int(s) < int(e) <= size]
    except FileNotFoundError:
        length = part.stat().st_size  # a single-stream run's .part: its bytes are a prefix of the file
        return [(0, length, _crc_of(part, 0, length))] if 0 < length <= size else []
    except (OSError, ValueError, TypeError, AttributeError):
        return []  # unreadable, stale, or of an older format without CRCs: start over
    return _still_there(part, recorded)


def _still_there(part: Path, pieces: list[Piece]) -> list[Piece]:
    """The pieces whose bytes in `part` still have their recorded CRC (unflushed ones read as zeros)."""
    kept: list[Piece] = []
    with open(part, "rb") as f:
        for start, end, crc in sorted(set(pieces)):
            if kept and start < kept[-1][1]:
                continue  # overlaps a piece already checked: its bytes are counted once
            if _crc_of(f, start, end - start) == crc:
                kept.append((start, end, crc))
    return kept


def _crc_of(file: Any, start: int, length: int) -> int:
    if isinstance(file, Path):
        with open(file, "rb") as f:
            return _crc_of(f, start, length)
    crc, file_pos = 0, start
    while length > 0:
        chunk = os.pread(file.fileno(), min(writing.COPY_CHUNK, length), file_pos)
        if not chunk:
            return -1  # shorter than recorded: no CRC matches
        crc = zlib.crc32(chunk, crc)
        file_pos += len(chunk)
        length -= len(chunk)
    return crc


def _merge(intervals: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _missing(done: list[Interval], size: int) -> list[Interval]:
    gaps, at = [], 0
    for start, end in done:
        if start > at:
            gaps.append((at, start))
        at = max(at, end)
    if at < size:
        gaps.append((at, size))
    return gaps


def _pieces(gaps: list[Interval], piece: int, ranges: int) -> list[Interval]:
    """Cut the gaps into requests: at most `piece` bytes, and small enough that `ranges` workers all get one."""
    total = sum(e - s for s, e in gaps)
    step = max(1, min(piece, -(-total // max(1, ranges)))) if total else 1
    return [(s, min(s + step, end)) for start, end in gaps for s in range(start, end, step)]


def _pwrite_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


def _remove(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
