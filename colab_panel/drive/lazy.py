"""`LazyDrive`: one Drive connection, made on first use and shared by everyone who holds it.

    drive = LazyDrive.signing_in("auto")     # nothing happens yet: no sign-in, no socket
    drive().list("root")                     # the first call signs in; later calls reuse it
    LazyDrive(ready_drive)                   # a given connection: used as it is, never closed here

A panel makes one and hands it to every tab, so the Drive, Staging and Share tabs use one
connection, whichever needs Drive first. It is a zero-argument factory, so it goes wherever a
public call takes `drive=` (`stage`, `push`, `keep_on_drive`, ...).

`drive_from(source)` and `LazyDrive(source)` are the one place that tells a client from a
factory for one: a factory is callable, a client (`DriveClient`) never is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from colab_panel.drive.interface import DriveClient, DriveSource
from colab_panel.errors import DriveError

__all__ = ["LazyDrive", "drive_from"]

Connect = Callable[[], DriveClient]


def _factory(source: DriveSource) -> Connect | None:
    """`source` itself if it is a factory; None if it is a client."""
    return source if callable(source) else None


def drive_from(source: DriveSource) -> DriveClient:
    """The client `source` names: itself, or what the factory returns."""
    connect = _factory(source)
    return connect() if connect is not None else source  # type: ignore[return-value]


class LazyDrive:
    """See the module docstring. Thread-safe: two tabs asking at once get one connection."""

    def __init__(self, source: DriveSource) -> None:
        self._connect = _factory(source)
        self._drive: DriveClient | None = None if self._connect is not None else source  # type: ignore[assignment]
        self._state = threading.Lock()  # guards _drive, _connect, _closed; never held while signing in
        self._signing_in = threading.Lock()  # held while signing in: a second caller waits for that one
        self._closed = False

    @classmethod
    def of(cls, source: DriveSource) -> LazyDrive:
        """`source` if it is a LazyDrive already (shared, not wrapped), else a new one over it."""
        return source if isinstance(source, LazyDrive) else cls(source)

    @classmethod
    def signing_in(cls, auth: str = "auto") -> LazyDrive:
        """Signs in with `colab_panel.drive.connect(auth)` on first use."""

        def connect() -> DriveClient:
            from colab_panel.drive.auth import connect as sign_in  # lazy: PyDrive2, googleapiclient

            return sign_in(auth)

        return cls(connect)

    @property
    def given(self) -> bool:
        """Made from a ready client: it cannot sign in another way, and its maker closes it."""
        return self._connect is None

    @property
    def current(self) -> DriveClient | None:
        """The connection if it is made already; never connects."""
        return self._drive

    def __call__(self) -> DriveClient:
        """The connection, made now if need be. A failed sign-in raises; the next call tries again."""
        drive = self._drive
        if drive is not None:
            return drive
        with self._signing_in:
            with self._state:
                if self._closed:
                    raise DriveError("This panel is closed; its Drive connection is gone.")
                if self._drive is not None:
                    return self._drive
                connect = self._connect
            assert connect is not None  # a given client is never None
            made = connect()
            with self._state:
                late = self._closed  # closed while signing in: nobody else would close this one
                if not late:
                    self._drive = made
            if late:
                made.close()
                raise DriveError("This panel was closed while signing in to Google Drive.")
            return made

    def switch(self, connect: Connect) -> None:
        """Sign in another way: the next call connects with `connect`; the old connection is closed."""
        if self.given:
            raise DriveError("This panel was given its Drive connection; it cannot sign in again.")
        with self._state:
            old, self._drive, self._connect = self._drive, None, connect
        if old is not None:
            old.close()

    def close(self) -> None:
        """Close the connection if this object made it (a given one is its maker's to close). Idempotent.
        Never waits for a sign-in under way: that one closes what it makes once it sees this."""
        with self._state:
            if self._closed:
                return
            self._closed = True
            drive = None if self.given else self._drive
        if drive is not None:
            drive.close()

    def __repr__(self) -> str:
        state = "given" if self.given else ("connected" if self._drive is not None else "not connected yet")
        return f"<LazyDrive {state}: {self._drive!r}>" if self._drive is not None else f"<LazyDrive {state}>"
