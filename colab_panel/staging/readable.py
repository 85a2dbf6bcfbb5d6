"""`Readable`: all staging asks of a byte stream it reads, `read(size)`, so any wrapper will do."""

from __future__ import annotations

from typing import Protocol

__all__ = ["Readable"]


class Readable(Protocol):
    """A file, an HTTP response, or one of the wrappers around them (resuming, hashing, counting)."""

    def read(self, size: int = -1, /) -> bytes: ...
