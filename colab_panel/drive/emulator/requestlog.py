"""A log of every request the emulator answered, so tests can assert how many calls a client made."""

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


class RequestLog:
    """Thread-safe, append-only; `count()` filters like fault rules do."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

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

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self.records)
