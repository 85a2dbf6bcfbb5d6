"""Start writing a file's range to disk now (Linux `sync_file_range`), so a later fsync has little left.

    start_writeback(fd, offset, size_bytes)   # after each committed chunk; returns at once

An upload is fsynced before it is renamed into place. Left to the kernel's own writeback (which
waits for ~30 s or for GBs of dirty pages), a fast upload's bytes were all still in memory at
the end, and that fsync then wrote the whole file while the sender waited for the last answer
(~0.25 s a GiB here, a quarter of the upload). Asked per chunk, the disk writes each chunk while
the next is on the wire. Only a hint: elsewhere, or where the call fails, nothing happens and the
final fsync writes everything, as before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

__all__ = ["start_writeback"]

_SYNC_FILE_RANGE_WRITE = 2  # start writing the range's dirty pages; wait for nothing
_call: Callable[[int, int, int, int], int] | None = None
_loaded = False


def start_writeback(fd: int, offset: int, size_bytes: int) -> bool:
    """Ask the kernel to start writing `size_bytes` at `offset` of `fd` to disk; whether it did."""
    call = _sync_file_range()
    return call is not None and call(fd, offset, size_bytes, _SYNC_FILE_RANGE_WRITE) == 0


def _sync_file_range() -> Callable[[int, int, int, int], int] | None:
    global _call, _loaded
    if not _loaded:
        _loaded = True
        if sys.platform == "linux":
            import ctypes  # lazily: `import colab_panel` stays fast

            try:
                function = ctypes.CDLL(None, use_errno=True).sync_file_range
            except (OSError, AttributeError):  # a libc without it (old musl)
                return None
            function.argtypes = [ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint]
            function.restype = ctypes.c_int
            _call = function
    return _call
