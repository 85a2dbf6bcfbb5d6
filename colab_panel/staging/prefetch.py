"""Read ahead of a consumer in a thread, so downloading and extracting overlap.

A Drive stream fetches whole ranged chunks synchronously: without read-ahead, the tar extractor
would wait for each chunk, then the network would wait for the extractor. `Prefetcher` keeps up
to `depth` chunks in flight in one background thread; the consumer reads from the queue.
Errors in the reader thread surface at the consumer's next read; `close()` stops the thread.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

_END = object()


class Prefetcher:
    def __init__(self, raw: Any, *, chunk: int = 4 * 1024 * 1024, depth: int = 3) -> None:
        self._raw = raw
        self._chunk = chunk
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._buffer = b""
        self._pos = 0
        self._done = False
        self._thread = threading.Thread(target=self._fill, name="colab_panel-prefetch", daemon=True)
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _fill(self) -> None:
        try:
            while not self._stop.is_set():
                data = self._raw.read(self._chunk)
                if not data:
                    break
                if not self._put(data):
                    return
        except BaseException as e:  # noqa: BLE001 - handed to the consumer, which re-raises it
            self._put(e)
            return
        self._put(_END)

    def read(self, size: int = -1) -> bytes:
        # A position into the current chunk, not re-slicing it: tarfile reads 10 KB at a time.
        while self._pos >= len(self._buffer) and not self._done:
            item = self._queue.get()
            if item is _END:
                self._done = True
            elif isinstance(item, BaseException):
                self._done = True
                raise item
            else:
                self._buffer, self._pos = item, 0
        if size is None or size < 0:
            parts = [self._buffer[self._pos:]]
            self._pos = len(self._buffer)
            while not self._done:
                parts.append(self.read(self._chunk))
            return b"".join(parts)
        data = self._buffer[self._pos:self._pos + size]
        self._pos += len(data)
        return data

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
