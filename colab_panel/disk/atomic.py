"""Write a file through `<name>.part`: hashed while written, verified, renamed into place.

    with PartFile(final, expected_size=n, expected_hash=("md5", hex), resume=True) as part:
        stream = open_range(part.offset)       # resume: fetch only what is missing
        for chunk in stream: part.write(chunk)
    # here `final` exists and matched; on any exception the .part is removed
    # (unless the exception is one of `keep_on`, e.g. a network drop: then it stays to resume)

`resume=True` keeps an existing `.part`, re-hashes its bytes first (a hash cannot be resumed
from a digest), and exposes its length as `offset`.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import TracebackType

from colab_panel.errors import ChecksumMismatch, StagingError
from colab_panel.disk import writing

PART_SUFFIX = ".part"


def part_path(final: str | os.PathLike[str]) -> Path:
    final = Path(final)
    return final.with_name(final.name + PART_SUFFIX)


class PartFile:
    """Context manager; see the module docstring. `write()` returns nothing and writes everything."""

    def __init__(self, final: str | os.PathLike[str], *, expected_size: int | None = None,
                 expected_hash: tuple[str, str] | None = None, hash_name: str | None = "md5",
                 fsync: bool = False, resume: bool = False,
                 keep_on: tuple[type[BaseException], ...] = ()) -> None:
        self.final = Path(final)
        self.part = part_path(self.final)
        self.expected_size = expected_size
        self.expected_hash = expected_hash
        algorithm = expected_hash[0] if expected_hash else hash_name
        self._hash = hashlib.new(algorithm) if algorithm else None
        self._fsync = fsync
        self._resume = resume
        self._keep_on = keep_on
        self._fd = -1
        self.offset = 0  # bytes already in the .part when we started
        self.size = 0  # bytes in the .part now

    @property
    def hexdigest(self) -> str | None:
        return self._hash.hexdigest() if self._hash else None

    def __enter__(self) -> PartFile:
        self.part.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        if self._resume and self.part.exists():
            self._rehash_existing()
            self._fd = os.open(self.part, flags | os.O_APPEND)
        else:
            self._fd = os.open(self.part, flags | os.O_TRUNC, 0o666)
        self.offset = self.size
        return self

    def _rehash_existing(self) -> None:
        with open(self.part, "rb") as f:
            while chunk := f.read(writing.COPY_CHUNK):
                if self._hash:
                    self._hash.update(chunk)
                self.size += len(chunk)

    def restart(self) -> None:
        """Throw the bytes away and start again from 0 (the server ignored our Range request)."""
        os.ftruncate(self._fd, 0)
        os.lseek(self._fd, 0, os.SEEK_SET)
        self.size = self.offset = 0
        if self._hash:
            self._hash = hashlib.new(self._hash.name)

    def write(self, data: bytes | memoryview) -> None:
        writing.write_all(self._fd, data)
        if self._hash:
            self._hash.update(data)
        self.size += len(data)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if exc is None:
                self._finish()
                return
        except BaseException:
            self._discard()
            raise
        if isinstance(exc, self._keep_on) and self.size > 0:  # an empty part is nothing to resume
            os.close(self._fd)
        else:
            self._discard()

    def _finish(self) -> None:
        if self._fsync:
            os.fsync(self._fd)
        os.close(self._fd)
        self._fd = -1
        if self.expected_size is not None and self.size != self.expected_size:
            raise StagingError(f"{self.final.name}: got {self.size} bytes, expected {self.expected_size}.")
        if self.expected_hash is not None:
            algorithm, expected = self.expected_hash
            actual = self.hexdigest
            if actual != expected.lower():
                raise ChecksumMismatch(f"{self.final.name} does not match its expected {algorithm} "
                                       f"({actual} instead of {expected.lower()}); it was deleted.")
        os.replace(self.part, self.final)

    def _discard(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        try:
            self.part.unlink()
        except FileNotFoundError:
            pass


def parse_expected_hash(text: str | None) -> tuple[str, str] | None:
    """`"sha256:ab12..."` / `"md5:..."` -> ("sha256", "ab12..."); a bare 32-hex string is md5."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError(f"expected_hash must be text such as 'sha256:<hex>', not a {type(text).__name__}")
    if len(text) > 200 or "\x00" in text:
        raise ValueError(f"expected_hash {text[:40]!r}... is not a hash: write 'sha256:<hex>' or 'md5:<hex>'")
    algorithm, sep, digest = text.partition(":")
    if not sep:
        algorithm, digest = ("md5", text) if len(text) == 32 else ("sha256", text)
    algorithm = algorithm.lower().replace("-", "")
    if algorithm not in hashlib.algorithms_available:
        raise ValueError(f"unknown hash algorithm {algorithm!r} in expected_hash={text!r}")
    digest = digest.strip().lower()
    if not digest or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"expected_hash={text!r} has no hex digest after the algorithm: write "
                         "'sha256:<hex>' or 'md5:<hex>'")
    return algorithm, digest
