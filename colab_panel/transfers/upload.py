"""Resumable chunked uploads from the browser into a runtime folder: offsets, resume, md5.

    store = UploadStore()
    up = store.begin("/content/data", "images/cat.jpg", size_bytes=n, last_modified_ms=t)
    up = store.write_chunk(up.id, up.committed_bytes, data, sha256_hex=...)   # until up.done
    with store.receive(up.id, offset) as hashes:   # or: hashes fed while the chunk arrives
        ... hashes.feed(block) ...
        up = store.write_chunk(up.id, offset, data, sha256_hex=..., hashes=hashes)
    up.md5                                # of the whole file, once done

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
- Integrity: the browser sends each chunk's SHA-256 (SubtleCrypto, fast, per chunk) and a chunk
  whose bytes differ is refused before it is written: that check is automatic and catches a
  chunk damaged or cut between the browser's read and this process. The md5 of the whole file
  is computed here, incrementally as chunks are committed (hashing multi-GB files in JS is
  slow), and the final answer carries it, for the user to compare with ``md5sum`` of the file
  they meant to send (it catches what no per-chunk check can: a file that changed on their
  disk while it was read). Both are computed while the chunk's bytes arrive (`receive()`).
- A full disk removes the partial upload (its space is freed) and says so; `cancel()` removes
  only the partial upload, never a finished file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import queue
import shutil
import threading
from dataclasses import dataclass
from dataclasses import replace as _replace
from pathlib import Path
from typing import Any

from colab_panel.errors import TransferError, UploadOffsetMismatch
from colab_panel.inputs import os_error_in_words, shown
from colab_panel.units import human_bytes

__all__ = ["CHUNK_BYTES", "MAX_CHUNK_BYTES", "PARTS_DIR", "ChunkHashes", "Upload", "UploadStore", "safe_relative_name"]

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
    md5: str | None = None  # of the whole file, once done

    @property
    def path(self) -> str:
        return str(Path(self.dest, *self.name.split("/")))


class _Open:
    """An upload this process is receiving: its lock and its running md5."""

    def __init__(self, upload: Upload) -> None:
        self.upload = upload
        self.lock = threading.Lock()
        self.md5: hashlib._Hash | None = None
        self.md5_at = -1  # the offset `md5` has hashed up to
        self.replace = False  # may the finished file replace one of the same name


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
                return entry.upload  # asked again after its last answer was lost
            self._forget(upload_id)  # the finished file was removed since: upload it again
            entry = None
        if not replace and dest_path.joinpath(*parts).exists():
            raise TransferError(f"{shown('/'.join(parts))} already exists in {shown(str(dest_path))}: "
                                "delete it or choose another folder.")
        if entry is None:
            committed = _committed_on_disk(dest_path, upload_id, size_bytes)
            _check_space(dest_path, size_bytes - committed)
            try:
                (dest_path / PARTS_DIR).mkdir(parents=True, exist_ok=True)
                _write_state(dest_path, upload_id, "/".join(parts), size_bytes, committed)
                with open(_part(dest_path, upload_id), "ab") as part:
                    part.truncate(committed)  # bytes past the last committed chunk were never acknowledged
            except OSError as exc:
                raise TransferError(os_error_in_words(exc, f"Cannot upload into {shown(str(dest_path))}")) from None
            entry = _Open(Upload(upload_id, "/".join(parts), str(dest_path), size_bytes, committed, False))
            with self._lock:
                entry = self._open.setdefault(upload_id, entry)
        with entry.lock:
            entry.replace = replace
            if entry.upload.committed_bytes == size_bytes and not entry.upload.done:
                self._finish(entry)  # an empty file, or one whose last answer was lost
            return entry.upload

    def status(self, upload_id: str) -> Upload:
        """Where an upload this process knows stands (raises for one it does not)."""
        return self._entry(upload_id).upload

    def receive(self, upload_id: str, offset: int, *, sha256: bool = True) -> ChunkHashes:
        """Hashes for the chunk that is to arrive at `offset` (its SHA-256 only when `sha256`: the
        browser sent one to check), fed while its bytes are read and handed to `write_chunk`;
        raises at once for an unknown upload. Close it (or use `with`)."""
        entry = self._entry(upload_id)
        with entry.lock:
            md5 = entry.md5.copy() if entry.md5 is not None and entry.md5_at == offset else None
        return ChunkHashes(entry, offset, md5, sha256=sha256)

    def write_chunk(self, upload_id: str, offset: int, data: bytes | bytearray, *, sha256_hex: str | None = None,
                    hashes: ChunkHashes | None = None) -> Upload:
        """Commit `data` at `offset`, which must be where the committed bytes end. `hashes`, from
        `receive()`, saves hashing `data` here when they were fed exactly its bytes."""
        entry = self._entry(upload_id)
        with entry.lock:
            upload = entry.upload
            if upload.done:
                raise UploadOffsetMismatch("This upload has finished already.", upload.committed_bytes)
            if offset != upload.committed_bytes:
                raise UploadOffsetMismatch(
                    f"A chunk for offset {offset} arrived, but {upload.committed_bytes} bytes are committed: "
                    "continue from there.", upload.committed_bytes)
            if offset + len(data) > upload.size_bytes:
                raise TransferError(f"More bytes arrived than the file's declared size ({upload.size_bytes}).")
            fits = hashes is not None and hashes.fits(entry, offset, len(data), sha256=sha256_hex is not None)
            fed = hashes.finish() if fits else None  # type: ignore[union-attr]
            md5 = _Md5Done(fed[1]) if fed is not None and fed[1] is not None else self._md5_after(entry, data, offset)
            sha = fed[0] if fed is not None else hashlib.sha256(data).hexdigest() if sha256_hex is not None else None
            if sha256_hex is not None and sha != sha256_hex.lower():
                md5.join()
                raise TransferError("A chunk arrived damaged (its SHA-256 differs from the browser's); "
                                    "it was not written and will be sent again.")
            dest = Path(upload.dest)
            try:
                with open(_part(dest, upload_id), "r+b") as part:
                    part.seek(offset)
                    part.write(data)
                _write_state(dest, upload_id, upload.name, upload.size_bytes, offset + len(data))
            except FileNotFoundError:
                self._forget(upload_id)
                raise TransferError("This upload's partial file was removed (cancelled elsewhere?); "
                                    "start it again.") from None
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                    self._discard(entry)
                    raise TransferError(f"The runtime's disk is full: {shown(upload.name)} could not be "
                                        "written, and its partial upload was removed to free the space.") from None
                raise TransferError(os_error_in_words(exc, f"Cannot write {shown(upload.name)}")) from None
            finally:
                md5.join()
            entry.md5, entry.md5_at = md5.result, offset + len(data)
            entry.upload = _replace(upload, committed_bytes=offset + len(data))
            if entry.upload.committed_bytes == upload.size_bytes:
                self._finish(entry)
            return entry.upload

    def cancel(self, upload_id: str) -> None:
        """Remove an unfinished upload's partial file; a finished file is left alone."""
        entry = self._entry(upload_id)
        with entry.lock:
            if not entry.upload.done:
                self._discard(entry)

    def _entry(self, upload_id: str) -> _Open:
        with self._lock:
            entry = self._open.get(upload_id)
        if entry is None:
            raise TransferError("This upload is unknown to the kernel (restarted?): pick the file again to resume.")
        return entry

    def _md5_after(self, entry: _Open, data: bytes | bytearray, offset: int) -> _Md5Thread:
        """The md5 with `data` added, computed in a thread of its own while the caller checks the
        SHA-256 (hashlib lets go of the GIL, so the two hashes use two cores); kept only if the
        chunk is committed."""
        if entry.md5 is None or entry.md5_at != offset:
            self._hash(entry, b"", offset)
        worker = _Md5Thread(entry.md5.copy(), data)  # type: ignore[union-attr]
        worker.start()
        return worker

    def _hash(self, entry: _Open, data: bytes, offset: int) -> None:
        if entry.md5 is None or entry.md5_at != offset:
            # Resumed from disk (another process received the first part): hash what is there once.
            entry.md5 = hashlib.md5(usedforsecurity=False)
            with open(_part(Path(entry.upload.dest), entry.upload.id), "rb") as part:
                remaining = offset
                while remaining > 0:
                    block = part.read(min(remaining, 1024 * 1024))
                    if not block:
                        break
                    entry.md5.update(block)
                    remaining -= len(block)
        entry.md5.update(data)
        entry.md5_at = offset + len(data)

    def _finish(self, entry: _Open) -> None:
        upload = entry.upload
        dest = Path(upload.dest)
        part = _part(dest, upload.id)
        if entry.md5 is None or entry.md5_at != upload.size_bytes:
            entry.md5, entry.md5_at = hashlib.md5(usedforsecurity=False), 0
            self._hash(entry, b"", upload.size_bytes)
        target = dest.joinpath(*upload.name.split("/"))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not _inside(target.parent, dest):
                raise TransferError(f"{shown(upload.name)} would land outside {shown(str(dest))} "
                                    "(through a link); refused.")
            with open(part, "rb+") as handle:
                os.fsync(handle.fileno())
            if entry.replace or not target.exists():
                os.replace(part, target)
            else:
                raise TransferError(f"{shown(upload.name)} appeared in {shown(str(dest))} while it was "
                                    "uploading; the upload is kept: delete that file and pick it again.")
        except OSError as exc:
            raise TransferError(os_error_in_words(exc, f"Cannot finish {shown(upload.name)}")) from None
        _state(dest, upload.id).unlink(missing_ok=True)
        _remove_if_empty(dest / PARTS_DIR)
        entry.upload = _replace(upload, done=True, md5=entry.md5.hexdigest())

    def _discard(self, entry: _Open) -> None:
        dest = Path(entry.upload.dest)
        _part(dest, entry.upload.id).unlink(missing_ok=True)
        _state(dest, entry.upload.id).unlink(missing_ok=True)
        _remove_if_empty(dest / PARTS_DIR)
        self._forget(entry.upload.id)

    def _forget(self, upload_id: str) -> None:
        with self._lock:
            self._open.pop(upload_id, None)


class ChunkHashes:
    """One chunk's SHA-256 and the upload's running md5, each in a thread of its own, fed block by
    block while the chunk arrives: hashlib lets go of the GIL, so reading the socket and the two
    hashes run side by side, and only the last block is left to hash once the body is in."""

    def __init__(self, entry: _Open, offset: int, md5: Any, *, sha256: bool = True) -> None:
        self._entry, self._offset = entry, offset
        self.fed_bytes = 0
        self._sha = hashlib.sha256() if sha256 else None
        self._md5 = md5  # None: the md5 is not at `offset` in this process; write_chunk catches up
        self._queues: list[queue.SimpleQueue[memoryview | None]] = []
        self._threads: list[threading.Thread] = []
        for digest in (self._sha, self._md5):
            if digest is not None:
                inbox: queue.SimpleQueue[memoryview | None] = queue.SimpleQueue()
                thread = threading.Thread(target=_hash_until_none, args=(digest, inbox),
                                          name="colab_panel-upload-hash", daemon=True)
                thread.start()
                self._queues.append(inbox)
                self._threads.append(thread)

    def feed(self, block: memoryview) -> None:
        """Hash `block` next; its bytes must not change until `finish()` or `close()`."""
        self.fed_bytes += len(block)
        for inbox in self._queues:
            inbox.put(block)

    def fits(self, entry: _Open, offset: int, size_bytes: int, *, sha256: bool) -> bool:
        return (entry is self._entry and offset == self._offset and size_bytes == self.fed_bytes
                and (self._sha is not None or not sha256))

    def finish(self) -> tuple[str | None, Any]:
        """(the chunk's SHA-256 in hex or None, the md5 with the chunk added or None), once all is hashed."""
        self.close()
        return (self._sha.hexdigest() if self._sha is not None else None), self._md5

    def close(self) -> None:
        """Stop the threads (after what was fed is hashed). Safe to call twice."""
        for inbox in self._queues:
            inbox.put(None)
        for thread in self._threads:
            thread.join()
        self._queues, self._threads = [], []

    def __enter__(self) -> ChunkHashes:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _hash_until_none(digest: Any, inbox: queue.SimpleQueue[memoryview | None]) -> None:
    while (block := inbox.get()) is not None:
        digest.update(block)


class _Md5Done:
    """An md5 computed already, in the shape of `_Md5Thread`."""

    def __init__(self, md5: Any) -> None:
        self.result = md5

    def join(self) -> None:
        pass


class _Md5Thread(threading.Thread):
    def __init__(self, md5: Any, data: bytes | bytearray) -> None:
        super().__init__(name="colab_panel-upload-md5", daemon=True)
        self.result = md5
        self._data = data

    def run(self) -> None:
        self.result.update(self._data)


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


def _write_state(dest: Path, upload_id: str, name: str, size_bytes: int, committed_bytes: int) -> None:
    state = _state(dest, upload_id)
    fresh = state.with_suffix(".json.new")
    fresh.write_text(json.dumps({"name": name, "size_bytes": size_bytes, "committed_bytes": committed_bytes}))
    os.replace(fresh, state)


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
