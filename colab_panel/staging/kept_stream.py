"""A download read once, in order, that keeps its bytes in a `.part` so a rerun replays them.

    stream = KeptStream(source, downloads / "set.tar.gz", cancel=cancel)
    try:
        extract_tar_stream(stream, dest, ...)     # reads the kept bytes first, then the network
    except BaseException as e:
        stream.close(keep=worth_keeping(e))
        raise
    stream.close(keep=False)

A tar is extracted while it downloads (nothing waits for the whole file), and extraction is all
or nothing, so a run that stops (network gone, cancel, `kill -9`, a kernel restart) used to
leave nothing: the rerun fetched the archive from byte 0. Now every byte read from the network
is also appended to `<name>.part`; the rerun feeds the extractor the kept bytes from local disk,
then asks the source for the rest with a Range request (`ResumingReader` from that offset).

The `.part` is written without fsync, so its bytes are trusted only as far as a sidecar
`<name>.part.kept` says: `{"bytes": n, "crc32": c}`, the CRC-32 of the first n bytes, saved
every `CHECKPOINT_BYTES` or `CHECKPOINT_S` (whichever comes first) and when the stream closes. On resume the prefix is read back and kept
only if its CRC matches (then the `.part` is cut to n bytes); otherwise it starts from zero.
A `kill -9` loses at most the bytes since the last checkpoint (and the request in flight).

Whose bytes these are is the caller's business: the stager drops the download folder when the
destination's manifest names another source (another md5, size or ETag).
"""

from __future__ import annotations

import json
import os
import time
import zlib
from pathlib import Path
from typing import Any

from colab_panel.disk import writing
from colab_panel.disk.atomic import part_path
from colab_panel.staging.sources import ResumingReader, Source
from colab_panel.staging.temp_files import remove_orphaned_temps, replace_with_text

CHECKPOINT_BYTES = 1024 * 1024  # kept bytes a kill -9 may cost at most (plus the request in flight)
CHECKPOINT_S = 0.25  # ... or a quarter second's worth, on a slow link (a checkpoint is one small file write)
SUFFIX = ".kept"


def checkpoint_path(final: Path) -> Path:
    part = part_path(final)
    return part.with_name(part.name + SUFFIX)


class KeptStream:
    """`read(n)` over the kept bytes of `final`'s `.part`, then over `source` from there on."""

    def __init__(self, source: Source, final: Path, *, cancel: Any = None) -> None:
        self._source = source
        self._cancel = cancel
        self.part = part_path(final)
        self.checkpoint = checkpoint_path(final)
        self.part.parent.mkdir(parents=True, exist_ok=True)
        self.replayed_bytes, self._crc = _trusted_prefix(self.part, self.checkpoint)
        self._kept = self.replayed_bytes  # bytes in the .part, trusted or just written
        self._saved = self._kept
        self._saved_at = time.monotonic()
        self._replay = open(self.part, "rb") if self.replayed_bytes else None
        self._out = open(self.part, "ab")
        self._reader: ResumingReader | None = None
        self._size = source.size()

    @property
    def position(self) -> int:
        return self._kept if self._replay is None else self._replay.tell()

    def read(self, size: int = -1) -> bytes:
        if self._replay is not None:
            data = self._replay.read(size if size is not None and size >= 0 else -1)
            if data:
                return data
            self._replay.close()
            self._replay = None
        if self._size is not None and self._kept >= self._size:
            return b""  # every byte was kept: no request for an empty range
        if self._reader is None:
            self._reader = ResumingReader(self._source, self._kept, cancel=self._cancel)
        data = self._reader.read(size)
        if data:
            self._out.write(data)
            self._crc = zlib.crc32(data, self._crc)
            self._kept += len(data)
            if (self._kept - self._saved >= CHECKPOINT_BYTES
                    or time.monotonic() - self._saved_at >= CHECKPOINT_S):
                self._save()
        return data

    def _save(self) -> None:
        self._out.flush()  # to the kernel: a kill -9 keeps it (a crash of the machine may not: the CRC tells)
        replace_with_text(self.checkpoint, json.dumps({"bytes": self._kept, "crc32": self._crc}))
        self._saved = self._kept
        self._saved_at = time.monotonic()

    def close(self, *, keep: bool) -> None:
        """Stop; keep the bytes for a rerun (`keep`) or remove the `.part` and its checkpoint."""
        if self._replay is not None:
            self._replay.close()
            self._replay = None
        if self._reader is not None:
            self._reader.close()
        try:
            if keep and self._kept:
                self._save()
        finally:
            self._out.close()
            if not keep or not self._kept:
                for path in (self.part, self.checkpoint):
                    try:
                        path.unlink()
                    except FileNotFoundError:
                        pass


def _trusted_prefix(part: Path, checkpoint: Path) -> tuple[int, int]:
    """(bytes, crc32) of the `.part`'s prefix its checkpoint vouches for; the `.part` is cut to it."""
    remove_orphaned_temps(checkpoint)
    try:
        record = json.loads(checkpoint.read_text(encoding="utf-8"))
        length, want = int(record["bytes"]), int(record["crc32"])
    except (OSError, ValueError, KeyError, TypeError):
        length, want = 0, 0
    crc, at = 0, 0
    if length > 0 and part.exists():
        with open(part, "rb") as f:
            while at < length:
                chunk = f.read(min(writing.COPY_CHUNK, length - at))
                if not chunk:
                    break
                crc = zlib.crc32(chunk, crc)
                at += len(chunk)
    if at != length or crc != want:
        at, crc = 0, 0  # shorter than recorded, or other bytes: nothing is trusted
    if part.exists():
        os.truncate(part, at)
    return at, crc
