"""A log of every request the emulator answered, so tests can assert how many calls a client made.

For media responses it also counts the body bytes actually written to the socket, live
(`media_bytes_sent`, while responses are still going) and per request (`body_bytes` from
`body_offset` of the file), so a test can tell which byte ranges of which file were served
(`served_spans()`): a resumed download must not be served the same bytes twice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    status: int  # 0 when the connection was dropped before a status line
    media: bool
    headers: dict[str, str]  # lower-cased names; Authorization is never recorded
    body_bytes: int = 0  # media only: body bytes written to the socket (less than asked if cut off)
    body_offset: int = 0  # media only: where in the file the body starts (a Range's first byte)


class RequestLog:
    """Thread-safe, append-only; `count()` filters like fault rules do."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._records: list[RequestRecord] = []
        self._media_bytes_sent = 0
        self._in_flight = 0  # requests being answered: each is added once its answer is out

    def started(self) -> None:
        """A request is being answered; its record follows with `add()`."""
        with self._lock:
            self._in_flight += 1

    def sent(self, nbytes: int) -> None:
        """Count `nbytes` of a media body just written (called while the response is going)."""
        with self._lock:
            self._media_bytes_sent += nbytes

    @property
    def media_bytes_sent(self) -> int:
        """Media body bytes written so far, including responses still in progress; `clear()` resets it."""
        with self._lock:
            return self._media_bytes_sent

    def settle(self, timeout_s: float = 5.0) -> None:
        """Wait (up to `timeout_s`) for the answers still being logged: a client can hold an
        answer's last byte before the server thread has added its record."""
        with self._lock:
            self._lock.wait_for(lambda: self._in_flight == 0, timeout=timeout_s)

    def served_spans(self, settle_s: float = 5.0) -> dict[str, list[tuple[int, int]]]:
        """Per media URL path, the merged [start, end) byte spans of the file its finished responses
        carried, once the answers under way are logged (`settle`)."""
        self.settle(settle_s)
        spans: dict[str, list[tuple[int, int]]] = {}
        for record in self.records:
            if record.media and record.body_bytes:
                spans.setdefault(record.path, []).append((record.body_offset, record.body_offset + record.body_bytes))
        return {path: merge_spans(found) for path, found in spans.items()}

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)
            self._in_flight = max(0, self._in_flight - 1)
            self._lock.notify_all()

    @property
    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def count(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        media: bool | None = None,
        status: int | None = None,
    ) -> int:
        return sum(
            1
            for record in self.records
            if (method is None or record.method == method.upper())
            and (path is None or path in record.path)
            and (media is None or record.media == media)
            and (status is None or record.status == status)
        )

    def clear(self, settle_s: float = 5.0) -> None:
        """Forget what was logged. A client can hold an answer's last byte before the server has
        logged that answer, so the requests still being answered are waited for (up to `settle_s`)
        first: their records would otherwise land after the clear, as if asked for later."""
        with self._lock:
            self._lock.wait_for(lambda: self._in_flight == 0, timeout=settle_s)  # as settle() does
            self._records.clear()
            self._media_bytes_sent = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self.records)


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping [start, end) spans covering the same bytes as `spans`."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def overlap_bytes(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """How many bytes two lists of merged spans have in common."""
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        total += max(0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total
