"""Resumable chunked uploads from the browser into a runtime folder: offsets, resume, md5.

    store = UploadStore()
    up = store.begin("/content/data", "images/cat.jpg", size_bytes=n, last_modified_ms=t)
    up = store.write_chunk(up.id, up.committed_bytes, data, crc32=zlib.crc32(data))   # until up.done
    store.wait_for_md5(up.id).md5         # of the whole file as it is on disk, soon after done

The protocol, and why:
- An upload's id is a hash of (destination, name, size, lastModified), so a page that was
  reloaded, or a connection that dropped, asks `begin()` again with the same file and gets the
  same id and the committed offset to continue from. Nothing else needs to be remembered by
  the browser.
- Bytes go to ``<dest>/.colab_panel-uploads/<id>.part`` with ``<id>.json`` beside it holding the
  committed offset; both are on the destination's filesystem, so the finished file is renamed
  into place in one step and a half file never appears under the file's own name.
- A chunk must start exactly at the committed offset: one sent out of order or twice is refused
  (`UploadOffsetMismatch`, HTTP 409) with the offset to continue from, so a retry after a lost
  answer costs one chunk at most and never writes a byte twice.
- Integrity, two checks for two things. Each chunk comes with its CRC-32 (the browser computes
  it): a chunk damaged or cut between the browser's read and this process is refused before it
  is committed, and sent again (its bytes are written as they arrive, but past the committed
  offset, where nothing reads them; see `receive_chunk`). CRC-32 catches every burst of damage
  up to 32 bits and misses random damage once in 2**32; what it does not do, resist a forger,
  is not needed here (the session key guards the path). It costs nothing beside the wire
  (zlib-ng: ~30 GB/s here, SHA-256 0.7-1.4), where the SHA-256 it replaces kept the kernel
  CPU-bound. The md5 of the whole file is for the user, to compare with ``md5sum`` of the file
  they meant to send (it catches what no per-chunk check can: a file that changed on their disk
  while it was read). It is hashed from the bytes on disk by an `Md5Follower` behind the writer,
  so a chunk's answer never waits for it: an upload is done when its last chunk is in place, and
  its md5 follows (at once on a slow link; on a fast one, as long as md5 takes to catch up).
- A full disk removes the partial upload (its space is freed) and says so; `cancel()` removes
  only the partial upload, never a finished file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import replace as _replace
from pathlib import Path
from typing import NoReturn

from colab_panel.errors import TransferError, UploadOffsetMismatch
from colab_panel.inputs import os_error_in_words, shown
from colab_panel.transfers.md5_follower import Md5Follower
from colab_panel.transfers.writeback import start_writeback
from colab_panel.units import human_bytes

__all__ = ["CHUNK_BYTES", "MAX_CHUNK_BYTES", "PARTS_DIR", "Upload", "UploadStore", "safe_relative_name"]

CHUNK_BYTES = 8 * 1024 * 1024  # what the browser sends per request
MAX_CHUNK_BYTES = 64 * 1024 * 1024  # what the endpoint accepts per request (the chunk is held in memory)
PARTS_DIR = ".colab_panel-uploads"


@dataclass(frozen=True)
class Upload:
    """Where one upload stands."""

    id: str
    name: str  # relative to dest, with "/" between folders
    dest: str  # the destination folder
    size_bytes: int
    committed_bytes: int
    done: bool
    md5: str | None = None  # of the whole file on disk; None until done and hashed (see md5_error)
    md5_error: str | None = None  # why there will be no md5 (a read of the file failed), in words

    @property
    def path(self) -> str:
        return str(Path(self.dest, *self.name.split("/")))


class _Open:
    """An upload this process is receiving: its lock and the md5 following its writes."""

    def __init__(self, upload: Upload) -> None:
        self.upload = upload  # md5 fields unset: view() adds them
        self.lock = threading.Lock()
        self.replace = False  # may the finished file replace one of the same name
        self.follower: Md5Follower | None = None
        self.md5: str | None = None
        self.md5_error: str | None = None
        self.md5_known = threading.Event()
        self.part_fd = -1  # the partial file, open for writing while chunks arrive
        self.state_fd = -1  # its state file, whose committed offset is rewritten in place
        self.writer = 0  # which request is receiving a chunk: a newer one supersedes it
        self.discarded = False

    def close_part(self, *, fsync: bool = False) -> None:
        fd, self.part_fd = self.part_fd, -1
        state_fd, self.state_fd = self.state_fd, -1
        if state_fd >= 0:
            os.close(state_fd)
        if fd >= 0:
            try:
                if fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)

    def md5_done(self, md5: str | None, error: str | None) -> None:
        # From the follower's thread: plain assignments, no lock (a holder of `lock` may be
        # waiting for that thread in Md5Follower.close()).
        self.md5, self.md5_error = md5, error
        self.md5_known.set()

    def view(self) -> Upload:
        """The upload as callers see it: with its md5 once done and known."""
        upload = self.upload
        if upload.done and self.md5_known.is_set():
            return _replace(upload, md5=self.md5, md5_error=self.md5_error)
        return upload


class UploadStore:
    """Every upload this kernel is receiving; thread-safe (one request thread per chunk)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, _Open] = {}

    def begin(self, dest: str | os.PathLike[str], name: str, *, size_bytes: int,
              last_modified_ms: int = 0, replace: bool = False) -> Upload:
        """Start an upload, or find where the same file's earlier upload got to."""
        if not isinstance(size_bytes, int) or size_bytes < 0:
            raise TransferError("The file's size must be a whole number of bytes, 0 or more.")
        parts = safe_relative_name(name)
        dest_path = Path(os.path.abspath(os.path.expanduser(os.fspath(dest))))
        if dest_path.exists() and not dest_path.is_dir():
            raise TransferError(f"{shown(str(dest_path))} is a file, not a folder to upload into.")
        key = f"{dest_path}\0{'/'.join(parts)}\0{size_bytes}\0{int(last_modified_ms)}"
        upload_id = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        with self._lock:
            entry = self._open.get(upload_id)
        if entry is not None and entry.upload.done:
            if Path(entry.upload.path).exists():
                return entry.view()  # asked again after its last answer was lost
            self._forget(upload_id)  # the finished file was removed since: upload it again
            entry = None
        if not replace and dest_path.joinpath(*parts).exists():
            raise TransferError(f"{shown('/'.join(parts))} already exists in {shown(str(dest_path))}: "
                                "delete it or choose another folder.")
        if entry is None:
            committed = _committed_on_disk(dest_path, upload_id, size_bytes)
            _check_space(dest_path, size_bytes - committed)
            entry = _Open(Upload(upload_id, "/".join(parts), str(dest_path), size_bytes, committed, False))
            try:
                (dest_path / PARTS_DIR).mkdir(parents=True, exist_ok=True)
                _write_state(dest_path, upload_id, "/".join(parts), size_bytes, committed)
                with open(_part(dest_path, upload_id), "ab") as part:
                    part.truncate(committed)  # bytes past the last committed chunk were never acknowledged
                entry.follower = Md5Follower(_part(dest_path, upload_id), size_bytes, entry.md5_done)
            except OSError as exc:
                raise TransferError(os_error_in_words(exc, f"Cannot upload into {shown(str(dest_path))}")) from None
            with self._lock:
                found = self._open.setdefault(upload_id, entry)
            if found is entry:
                entry.follower.advance(committed)  # what an earlier process wrote is hashed from disk
            else:  # another request began the same upload meanwhile: use its entry
                entry.follower.close()
                entry = found
        with entry.lock:
            entry.replace = replace
            if entry.upload.committed_bytes == size_bytes and not entry.upload.done:
                self._finish(entry)  # an empty file, or one whose last answer was lost
            return entry.view()

    def status(self, upload_id: str) -> Upload:
        """Where an upload this process knows stands (raises for one it does not)."""
        return self._entry(upload_id).view()

    def wait_for_md5(self, upload_id: str, timeout_s: float | None = None) -> Upload:
        """The upload once its md5 is known (or known to be unknowable: `md5_error`), or as it
        stands after `timeout_s`."""
        entry = self._entry(upload_id)
        entry.md5_known.wait(timeout_s)
        return entry.view()

    def write_chunk(self, upload_id: str, offset: int, data: bytes | bytearray | memoryview, *,
                    crc32: int | None = None) -> Upload:
        """Commit `data` at `offset` (see `receive_chunk`)."""
        return self.receive_chunk(upload_id, offset, len(data), [memoryview(data)], crc32=crc32)

    def receive_chunk(self, upload_id: str, offset: int, size_bytes: int, blocks: Iterable[memoryview], *,
                      crc32: int | None = None) -> Upload:
        """Write the chunk that `blocks` bring (`size_bytes` in all, each block used before the next
        is asked for) at `offset`, which must be where the committed bytes end, and commit it,
        unless `crc32` (the sender's CRC-32 of the chunk, as `zlib.crc32`) differs.

        Blocks are written as they arrive, past the committed offset: until the chunk is whole
        and its CRC-32 matches, those bytes are no part of the file (nothing reads there, the
        next chunk sent for that offset overwrites them, `begin()` cuts them off), so a damaged
        or cut chunk is refused before it is committed, and the file is written while the rest
        of the chunk is still on the wire (holding 8 MiB, then writing, kept the sender waiting).
        A newer request for the same upload supersedes this one (a retry while this connection
        hangs): this one stops at its next block, and never writes once the newer one commits."""
        entry = self._entry(upload_id)
        with entry.lock:
            upload = entry.upload
            _check_next(upload, offset, size_bytes)
            entry.writer += 1
            writer = entry.writer
        crc, at = 0, offset
        for block in blocks:
            if at + len(block) > offset + size_bytes:
                raise TransferError(f"More bytes arrived than the chunk's declared {size_bytes}.")
            crc = _crc32(block, crc)
            with entry.lock:  # so no block lands after a newer request for this upload has committed
                self._still_receiving(entry, writer)
                self._write_at(entry, block, at)
            at += len(block)
        if at != offset + size_bytes:
            raise TransferError("The chunk was cut short; it was not committed and will be sent again.")
        with entry.lock:
            self._still_receiving(entry, writer)
            if crc32 is not None and crc != crc32:
                raise TransferError("A chunk arrived damaged (its CRC-32 differs from the browser's); "
                                    "it was not committed and will be sent again.")
            try:
                if entry.state_fd < 0:
                    entry.state_fd = os.open(_state(Path(upload.dest), upload_id), os.O_WRONLY)
                _commit_state(entry.state_fd, at, upload.size_bytes)
            except FileNotFoundError:
                self._forget(upload_id)
                raise TransferError("This upload's state file was removed (cancelled elsewhere?); "
                                    "start it again.") from None
            except OSError as exc:
                self._write_failed(entry, exc)
            entry.upload = _replace(entry.upload, committed_bytes=at)
            entry.follower.advance(at)  # type: ignore[union-attr]
            start_writeback(entry.part_fd, offset, size_bytes)  # so the fsync in _finish has little left
            if at == upload.size_bytes:
                self._finish(entry)
            return entry.view()

    def cancel(self, upload_id: str) -> None:
        """Remove an unfinished upload's partial file; a finished file is left alone."""
        entry = self._entry(upload_id)
        with entry.lock:
            if not entry.upload.done:
                self._discard(entry)

    def close(self) -> None:
        """Stop hashing: no md5 thread outlives this (unfinished md5s stay unknown)."""
        with self._lock:
            entries = list(self._open.values())
        for entry in entries:
            if entry.follower is not None:
                entry.follower.close()
            with entry.lock:
                entry.close_part()

    def _still_receiving(self, entry: _Open, writer: int) -> None:
        if entry.writer != writer:
            if entry.discarded:
                raise TransferError("This upload was cancelled (or its disk filled up): start it again.")
            raise UploadOffsetMismatch("A newer request for this upload took over from this one.",
                                       entry.upload.committed_bytes)

    def _write_at(self, entry: _Open, block: memoryview, at: int) -> None:
        try:
            if entry.part_fd < 0:
                entry.part_fd = os.open(_part(Path(entry.upload.dest), entry.upload.id), os.O_WRONLY)
            while block:
                written = os.pwrite(entry.part_fd, block, at)
                block, at = block[written:], at + written
        except FileNotFoundError:
            self._forget(entry.upload.id)
            raise TransferError("This upload's partial file was removed (cancelled elsewhere?); "
                                "start it again.") from None
        except OSError as exc:
            self._write_failed(entry, exc)

    def _write_failed(self, entry: _Open, exc: OSError) -> NoReturn:
        name = entry.upload.name
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            self._discard(entry)
            raise TransferError(f"The runtime's disk is full: {shown(name)} could not be "
                                "written, and its partial upload was removed to free the space.") from None
        raise TransferError(os_error_in_words(exc, f"Cannot write {shown(name)}")) from None

    def _entry(self, upload_id: str) -> _Open:
        with self._lock:
            entry = self._open.get(upload_id)
        if entry is None:
            raise TransferError("This upload is unknown to the kernel (restarted?): pick the file again to resume.")
        return entry

    def _finish(self, entry: _Open) -> None:
        upload = entry.upload
        dest = Path(upload.dest)
        part = _part(dest, upload.id)
        target = dest.joinpath(*upload.name.split("/"))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not _inside(target.parent, dest):
                raise TransferError(f"{shown(upload.name)} would land outside {shown(str(dest))} "
                                    "(through a link); refused.")
            if entry.part_fd < 0:  # nothing written by this process (resumed whole, or empty)
                entry.part_fd = os.open(part, os.O_WRONLY)
            entry.close_part(fsync=True)  # the bytes are on disk before the name is
            if entry.replace or not target.exists():
                os.replace(part, target)
            else:
                raise TransferError(f"{shown(upload.name)} appeared in {shown(str(dest))} while it was "
                                    "uploading; the upload is kept: delete that file and pick it again.")
        except OSError as exc:
            raise TransferError(os_error_in_words(exc, f"Cannot finish {shown(upload.name)}")) from None
        _state(dest, upload.id).unlink(missing_ok=True)
        _remove_if_empty(dest / PARTS_DIR)
        entry.upload = _replace(upload, done=True)

    def _discard(self, entry: _Open) -> None:
        entry.discarded, entry.writer = True, -1  # a request still receiving for it stops
        entry.close_part()
        dest = Path(entry.upload.dest)
        _part(dest, entry.upload.id).unlink(missing_ok=True)
        _state(dest, entry.upload.id).unlink(missing_ok=True)
        _remove_if_empty(dest / PARTS_DIR)
        self._forget(entry.upload.id)

    def _forget(self, upload_id: str) -> None:
        with self._lock:
            entry = self._open.pop(upload_id, None)
        if entry is not None:
            entry.close_part()
            if entry.follower is not None:
                entry.follower.close()


def _check_next(upload: Upload, offset: int, size_bytes: int) -> None:
    """Refuse a chunk that does not continue the committed bytes, or goes past the file's size."""
    if upload.done:
        raise UploadOffsetMismatch("This upload has finished already.", upload.committed_bytes)
    if offset != upload.committed_bytes:
        raise UploadOffsetMismatch(
            f"A chunk for offset {offset} arrived, but {upload.committed_bytes} bytes are committed: "
            "continue from there.", upload.committed_bytes)
    if offset + size_bytes > upload.size_bytes:
        raise TransferError(f"More bytes arrived than the file's declared size ({upload.size_bytes}).")


def _crc32(data: memoryview, crc: int = 0) -> int:
    from colab_panel.staging.fast_zlib import codecs  # zlib-ng's CRC-32 when installed; zlib's else

    return codecs().crc32(data, crc)


def safe_relative_name(name: str) -> list[str]:
    """The parts of a browser-given relative name ("a/b.txt"), refusing any way out of the folder."""
    if not isinstance(name, str) or not name or "\0" in name or "\\" in name or name.startswith("/"):
        raise TransferError(f"{shown(name)} is not a file name that can be uploaded (absolute, empty, "
                            "or with a backslash or NUL).")
    parts = name.split("/")
    for part in parts:
        if part in ("", ".", "..") or part == PARTS_DIR:
            raise TransferError(f"{shown(name)} is refused: a name may not contain empty parts, "
                                f"'.', '..' or {PARTS_DIR}.")
    if len(name.encode("utf-8", "surrogatepass")) > 4000 or any(len(p.encode("utf-8", "surrogatepass")) > 255
                                                                  for p in parts):
        raise TransferError(f"{shown(name)} is too long for the runtime's filesystem.")
    return parts


def _part(dest: Path, upload_id: str) -> Path:
    return dest / PARTS_DIR / f"{upload_id}.part"


def _state(dest: Path, upload_id: str) -> Path:
    return dest / PARTS_DIR / f"{upload_id}.json"


# The state file is one JSON object whose first field is the committed offset, padded with
# spaces to the width of the file's size: `begin()` writes it whole (new file, then rename), and
# each chunk rewrites only those bytes in place, one small write at a fixed place (a new file
# and a rename per chunk cost ~0.5 ms each, ~5 % of a fast upload). Either write leaves a
# whole record: a reader sees the old offset or the new one.
_STATE_HEAD = b'{"committed_bytes":'


def _write_state(dest: Path, upload_id: str, name: str, size_bytes: int, committed_bytes: int) -> None:
    state = _state(dest, upload_id)
    fresh = state.with_suffix(".json.new")
    rest = json.dumps({"size_bytes": size_bytes, "name": name})[1:].encode()  # ASCII: escapes for the rest
    fresh.write_bytes(_STATE_HEAD + _offset_field(committed_bytes, size_bytes) + b"," + rest)
    os.replace(fresh, state)


def _commit_state(fd: int, committed_bytes: int, size_bytes: int) -> None:
    field = _offset_field(committed_bytes, size_bytes)
    if os.pwrite(fd, field, len(_STATE_HEAD)) != len(field):
        raise OSError(errno.EIO, "short write of the upload's state file")


def _offset_field(committed_bytes: int, size_bytes: int) -> bytes:
    return str(committed_bytes).ljust(len(str(size_bytes))).encode()


def _committed_on_disk(dest: Path, upload_id: str, size_bytes: int) -> int:
    """The committed offset an earlier run left (0 when none, or when its state is unreadable)."""
    try:
        state = json.loads(_state(dest, upload_id).read_text())
        committed = int(state["committed_bytes"])
        on_disk = _part(dest, upload_id).stat().st_size
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    if state.get("size_bytes") != size_bytes or not 0 <= committed <= size_bytes:
        return 0
    return min(committed, on_disk)


def _check_space(dest: Path, needed_bytes: int) -> None:
    probe = dest
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return
    if needed_bytes > free:
        raise TransferError(f"The runtime's disk has {human_bytes(free)} free under {shown(str(dest))}, "
                            f"and this upload needs {human_bytes(needed_bytes)} more: nothing was written.")


def _inside(path: Path, root: Path) -> bool:
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
