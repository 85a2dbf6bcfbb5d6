"""Streaming tar extraction (plain, gz, bz2, xz, zst) with our own per-member safety checks.

Reads strictly sequentially from any file object, so a caller can feed it an HTTP response
and extract *while downloading*. Members are written into a `StagingArea` and moved into the
destination only after the archive has ended cleanly, so a hostile member found late leaves
the destination untouched.

We do not lean on `tarfile`'s `filter='data'` (3.11.x releases shipped bypasses, e.g.
CVE-2025-4517): every member's type and resolved path is checked by `safety`, files are
created with O_EXCL|O_NOFOLLOW in a fresh folder, hard links may only join two names of
this archive (`hard_links`), and symlinks are resolved again through the destination as it
will be after the merge (`merged_view`) before the move.

`tarfile` quietly treats a corrupt header after the first member as the end of the archive;
that would turn "a member that claims less data than it has" into a silently truncated
dataset. So we decompress ourselves (also the only way to read zstd) and check that nothing
but zero padding follows the last member.

Speed: `fast_zlib` picks ISA-L's gzip reader when installed (~3x the `gzip` module), tarfile
reads in 64 KB steps, and a compressed stream is decompressed ahead in a second thread
(`Prefetcher`, 1 MB blocks) while this one parses headers and writes files: the inflate (ISA-L,
bz2, lzma and zstd all release the GIL) overlaps the kernel's copy into the page cache. A 1 GB
.tar.gz at load ~2.5 on 2 cores: ~1.5 s with the thread, ~2.7 s without; on a machine with no
core to spare (load 14-19) the two measured the same (benchmarks/README.md, issue 17).
"""

from __future__ import annotations

import gzip
import os
import tarfile
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

from colab_panel.errors import StagingError, UnsafeArchiveError
from colab_panel.disk import writing
from colab_panel.staging.formats import compression_of, open_decompressed
from colab_panel.staging.hard_links import hard_link_target, make_hard_link
from colab_panel.staging.output_limit import OutputLimit
from colab_panel.staging.prefetch import Prefetcher
from colab_panel.staging.merged_view import check_links_inside_after_merge
from colab_panel.staging.progress import ProgressTracker
from colab_panel.staging.readable import Readable
from colab_panel.staging.safety import (LinkSet, Parts, check_link_target,
                                        check_not_through_links, member_parts)
from colab_panel.staging.staging_area import StagingArea

_WINDOW = 1024 * 1024  # recent decompressed bytes kept to inspect what follows the last member
_AHEAD_CHUNK = 1024 * 1024  # decompressed block handed from the inflating thread to the writer
_AHEAD_DEPTH = 4  # blocks in flight: the two threads drift apart by up to 4 MB without waiting
_TAR_BUFSIZE = 64 * 1024  # tarfile's read size (default 10 KB): fewer calls, and each header read
# copies what is left of one buffer, so far larger would cost more on small files than it saves


def _binary(data: object) -> bytes:
    if not isinstance(data, (bytes, bytearray)):
        raise StagingError("The tar stream gave text or something else, not bytes; open it in binary mode ('rb').")
    return bytes(data) if isinstance(data, bytearray) else data


class _CountingReader:
    """Counts raw (compressed) bytes for progress; also the place that sees cancel between reads."""

    def __init__(self, raw: Readable, tracker: ProgressTracker, cancel: threading.Event | None,
                 prefix: bytes = b"") -> None:
        self._raw = raw
        self._tracker = tracker
        self._cancel = cancel
        self._prefix = prefix  # bytes already read to sniff the format
        self.count = 0  # compressed bytes handed out so far

    def read(self, size: int = -1) -> bytes:
        writing.check_stop(self._cancel)
        if self._prefix:
            data, self._prefix = (self._prefix, b"") if size < 0 or size >= len(self._prefix) else \
                (self._prefix[:size], self._prefix[size:])
        else:
            data = _binary(self._raw.read(size))
        self._tracker.add(len(data))
        self.count += len(data)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # used by gzip/bz2/lzma readers
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def close(self) -> None:  # the caller owns `raw`
        pass

    @property
    def closed(self) -> bool:
        return False


class _WindowReader:
    """The decompressed tar stream as tarfile reads it, remembering at least the last `_WINDOW` bytes.

    Every decompressed byte (members, headers, padding) is held to `limit`'s ratio against
    the compressed bytes read so far, or the archive's size when known (`input_size`).
    """

    def __init__(self, stream: Readable | Prefetcher, raw: _CountingReader, limit: OutputLimit,
                 input_size: int) -> None:
        self._stream = stream
        self._raw = raw
        self._limit = limit
        self._input_size = input_size
        self.position = 0
        self._recent: deque[bytes] = deque()  # the chunks read last, oldest first: no copying
        self._recent_bytes = 0
        self.window_start = 0  # stream offset of the oldest kept chunk

    def _advance(self, n: int) -> None:
        self.position += n
        self._limit.check_ratio(self.position, max(self._raw.count, self._input_size), "The tar archive")

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._advance(len(data))
        self._recent.append(data)
        self._recent_bytes += len(data)
        while self._recent_bytes - len(self._recent[0]) >= _WINDOW:
            old = self._recent.popleft()
            self._recent_bytes -= len(old)
            self.window_start += len(old)
        return data

    def rest_is_zero_padding(self, end_of_members: int) -> bool:
        """Whether the stream ends, from `end_of_members`, with at least one zero block and only zeros.

        The zero block is the tar end-of-archive marker; without it the stream was cut at a
        member boundary (the zstd reader, unlike gzip/bz2/xz, does not report a truncated frame).
        """
        if end_of_members < self.window_start:
            return False  # can't happen: tarfile reads 64 KB at a time; refuse rather than guess
        if any(b"".join(self._recent)[end_of_members - self.window_start:]):
            return False
        while True:
            chunk = self._stream.read(writing.COPY_CHUNK)
            if not chunk:
                return self.position - end_of_members >= tarfile.BLOCKSIZE
            self._advance(len(chunk))
            if any(chunk):
                return False


def extract_tar(stream: Readable, dest: Path, *, compression: str | None = "auto",
                tracker: ProgressTracker, cancel: threading.Event | None, limit: OutputLimit,
                input_size: int = 0, verify: Callable[[], None] | None = None) -> list[Path]:
    """Extract a tar read sequentially from `stream`. `compression="auto"` sniffs the magic bytes.

    `input_size`: the archive's size when known (a file), for the ratio in `limit`.
    """
    prefix = b""
    if compression == "auto":
        prefix = _binary(stream.read(8))
        compression = compression_of(prefix)
    raw = _CountingReader(stream, tracker, cancel, prefix)
    with StagingArea(dest) as area:
        decompressed = open_decompressed(raw, compression)  # type: ignore[arg-type]
        # a decompressor of our own (uncompressed, `decompressed` is `raw`) runs ahead in a thread
        ahead = None if compression is None else Prefetcher(decompressed, chunk=_AHEAD_CHUNK, depth=_AHEAD_DEPTH)
        try:
            reader = _WindowReader(ahead or decompressed, raw, limit, input_size)
            done = _extract_members(reader, str(area.root), tracker, cancel, limit)
            if not reader.rest_is_zero_padding(done.end_offset):
                raise UnsafeArchiveError(
                    f"The tar archive does not end cleanly after member {done.last_name!r}: it is cut "
                    "short, or that member claims less data than it has (or a header is corrupt); "
                    "refusing to extract.")
        except gzip.BadGzipFile as e:
            # The CRC is checked first: a wrong length with a right CRC is a trailer that lies.
            if "length" in str(e):
                raise UnsafeArchiveError("The gzip stream's trailer declares a different size than the data it "
                                         "holds; refusing to extract.") from None
            raise
        finally:
            if ahead is not None:
                ahead.close()  # joins the thread before the stream it reads is closed
            if compression is not None:
                decompressed.close()
        if verify is not None:
            verify()
        check_links_inside_after_merge(dest, area.root, done.links)
        area.commit()
    return [dest.joinpath(*parts) for parts in done.files]


class _Done:
    def __init__(self) -> None:
        self.files: list[Parts] = []  # regular files (hard links included) and symlinks, archive order
        self.links = LinkSet()
        self.regular: set[Parts] = set()  # what a hard link may point at
        self.end_offset = 0
        self.last_name = ""


def _extract_members(reader: _WindowReader, root: str, tracker: ProgressTracker,
                     cancel: threading.Event | None, limit: OutputLimit) -> _Done:
    done = _Done()
    dirs: set[Parts] = {()}
    written = 0
    try:
        tf = tarfile.open(fileobj=reader, mode="r|", bufsize=_TAR_BUFSIZE, encoding="utf-8",  # type: ignore[call-overload]
                          errors="surrogateescape")
    except tarfile.ReadError as e:
        raise StagingError(f"This is not a readable tar archive ({e}).") from None
    with tf:
        while True:
            writing.check_stop(cancel)
            member = tf.next()
            if member is None:
                break
            tf.members.clear()  # stream mode keeps every TarInfo otherwise: memory grows with the count
            name = done.last_name = member.name
            if member.size < 0:  # base-256 headers can say so; CVE-2025-8194 looped on it
                raise UnsafeArchiveError(f"Archive member {name!r} declares a negative size; refusing to extract.")
            parts = member_parts(name, backslash_is_separator=False)
            if member.isdir():
                if parts:
                    check_not_through_links(parts, done.links, name, include_self=True)
                    _make_dirs(root, parts, dirs, name)
                continue
            if not (member.isreg() or member.issym() or member.islnk()):
                raise UnsafeArchiveError(f"Archive member {name!r} is a device, FIFO or other special file; "
                                         "refusing to extract.")
            if not parts:
                raise UnsafeArchiveError(f"Archive member {name!r} has no usable file name; refusing to extract.")
            check_not_through_links(parts, done.links, name, include_self=True)
            if parts in dirs:
                raise UnsafeArchiveError(f"Archive member {name!r} is both a file and a folder; refusing to extract.")
            _make_dirs(root, parts[:-1], dirs, name)
            path = os.path.join(root, *parts)
            if member.issym():
                check_link_target(parts, member.linkname, name)
                _remove_earlier_copy(path)
                os.symlink(member.linkname, path)
                done.links.add(parts)
                done.regular.discard(parts)
            elif member.islnk():
                target = hard_link_target(parts, member.linkname, done.regular, done.links, name)
                _remove_earlier_copy(path)
                make_hard_link(os.path.join(root, *target), path)
                done.regular.add(parts)
            else:
                written += member.size
                limit.check_total(written, "The archive")
                _remove_earlier_copy(path)  # tar semantics: a later copy of a name wins
                _write_member(tf, member, path, cancel)
                done.regular.add(parts)
            done.files.append(parts)
            tracker.add(0, 1)
            tracker.emit()
        done.end_offset = tf.offset
    return done


def _make_dirs(root: str, parts: Parts, dirs: set[Parts], name: str) -> None:
    # From the deepest prefix up to the first one that exists, then down: a member in a known
    # folder costs one lookup, not one per level (a 1,000-level chain would be quadratic).
    missing = len(parts)
    while missing and parts[:missing] not in dirs:
        missing -= 1
    for i in range(missing + 1, len(parts) + 1):
        sub = parts[:i]
        try:
            os.mkdir(os.path.join(root, *sub))
        except FileExistsError:
            raise UnsafeArchiveError(f"Archive member {name!r} needs folder {'/'.join(sub)!r}, "
                                     "which the archive already wrote as a file; refusing to extract.") from None
        dirs.add(sub)


def _remove_earlier_copy(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _write_member(tf: tarfile.TarFile, member: tarfile.TarInfo, path: str,
                  cancel: threading.Event | None) -> None:
    src = tf.extractfile(member)
    assert src is not None  # isreg() members always have data
    out = writing.create(path, executable=bool(member.mode & 0o111))
    try:
        left = member.size
        while left > 0:
            writing.check_stop(cancel)
            chunk = src.read(min(left, writing.COPY_CHUNK))
            if not chunk:
                raise StagingError(f"The tar archive ends inside member {member.name!r}; nothing was extracted.")
            writing.write_all(out, chunk)
            left -= len(chunk)
    finally:
        os.close(out)
