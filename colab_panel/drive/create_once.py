"""Creating a Drive item exactly once: its ID is chosen up front, and every retry looks first.

    new_id = drive.new_file_id()                       # from files.generateIds, or None
    data = create_once(drive, new_id, lambda http: request.execute(http=http, num_retries=0),
                       file_id=parent_id, action="create a folder here")

Why: a creation whose answer is lost (the connection dropped after Drive stored the item) cannot
be told from one that never arrived. `connection.DriveHttp` never resends it by itself (it
raises `RequestOutcomeUnknown`); `Drive.call` then runs the attempt again at once on a fresh
connection, and the backend's retries may run it again later. Without an ID of our own each
resend would make another folder or file. With the ID in the insert body, a resend meets
Drive's 409 'duplicate', and before each retry we ask for the ID: if the item is there, that is
the answer.

IDs come from `files.generateIds` in batches (`IdPool`, one per `Drive`). Where no ID can be
chosen (Drive refused generateIds: an old server, a restricted token; or a shortcut, whose IDs
are not the files kind the pool holds), a caller may pass a `fallback` that finds the item by
what it looks like (a folder's name, a file's name and md5); with neither, a lost answer is
reported as `DriveError(reason="outcomeUnknown")` and nothing is made twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from colab_panel.drive.failures import RequestOutcomeUnknown
from colab_panel.drive.items import ITEM_FIELDS
from colab_panel.errors import DriveError

if TYPE_CHECKING:
    from colab_panel.drive.client import Drive

__all__ = ["IdPool", "create_once", "lookup", "newest_child"]

_log = logging.getLogger(__name__)

BATCH = 100  # IDs per files.generateIds call: a push of 1,000 files costs 10 requests


class IdPool:
    """IDs from files.generateIds, handed out one at a time (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: list[str] = []
        self._unavailable = False

    def take(self, drive: Drive) -> str | None:
        with self._lock:
            if not self._ids and not self._unavailable:
                self._refill(drive)
            return self._ids.pop() if self._ids else None

    def _refill(self, drive: Drive) -> None:
        request = drive._files().generateIds(maxResults=BATCH, space="drive")
        try:
            data = drive.execute(request, action="reserve IDs for new files")
        except DriveError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                self._unavailable = True  # refused for good: create without chosen IDs from now on
                _log.info("drive: files.generateIds refused (%s); creating without chosen IDs", exc)
            return
        self._ids = [str(i) for i in data.get("ids", [])][::-1]


def lookup(drive: Drive, http: Any, file_id: str) -> dict[str, Any] | None:
    """The item with `file_id` if it exists (on this attempt's connection), else None."""
    from googleapiclient.errors import HttpError

    request = drive._files().get(fileId=file_id, fields=ITEM_FIELDS, supportsAllDrives=True)
    try:
        return request.execute(http=http, num_retries=0)
    except HttpError as exc:
        if exc.resp.status == 404:
            return None
        raise


def quote(text: str) -> str:
    """`text` inside single quotes of a files.list query."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def newest_child(drive: Drive, http: Any, parent_id: str, query: str) -> dict[str, Any] | None:
    """The most recently created child of `parent_id` matching `query` (raw metadata), or None.
    Only for `create_once` fallbacks, where no chosen ID can be looked up."""
    request = drive._files().list(q=f"'{quote(parent_id)}' in parents and trashed=false and ({query})",
                                  orderBy="createdDate desc", maxResults=1, fields=f"items({ITEM_FIELDS})",
                                  supportsAllDrives=True, includeItemsFromAllDrives=True)
    items = request.execute(http=http, num_retries=0).get("items") or []
    return items[0] if items else None


def create_once(drive: Drive, new_id: str | None, send: Callable[[Any], Any], *, file_id: str | None,
                action: str, key_sent: bool = False,
                found: Callable[[dict[str, Any]], Any] = lambda data: data,
                fallback: Callable[[Any], dict[str, Any] | None] | None = None) -> Any:
    """`send(http)` with the backend's retries, never making a second item.

    `new_id`: the ID in the request's body (None: no chosen ID). After a failed attempt, the
    next one first looks the ID up; `found(data)` turns an item found that way into what `send`
    would have returned. A 409 on our own ID means an earlier try stored it.
    `fallback(http)`: only used when `new_id` is None, after an attempt whose answer was lost
    (`RequestOutcomeUnknown`): the item that attempt may have made, found some other way, or
    None. With no ID and no fallback, a lost answer fails as `outcomeUnknown`.
    `key_sent`: the request carries a resource key (a 404 then means a wrong or missing key).
    """
    from googleapiclient.errors import HttpError

    failed = False
    unanswered = False

    def attempt(http: Any) -> Any:
        nonlocal failed, unanswered
        if failed and new_id is not None:
            data = lookup(drive, http, new_id)
            if data is not None:
                return found(data)
        elif unanswered and fallback is not None:
            data = fallback(http)
            if data is not None:
                _log.info("drive: the answer to a create was lost; found what it made by its looks")
                return found(data)
        try:
            return send(http)
        except HttpError as exc:
            if new_id is not None and exc.resp.status == 409:
                data = lookup(drive, http, new_id)
                if data is not None:
                    return found(data)
            failed = True
            raise
        except RequestOutcomeUnknown:
            failed = unanswered = True
            raise
        except Exception:
            failed = True
            raise

    return drive.call(attempt, file_id=file_id, key_sent=key_sent, action=action,
                      resend_unanswered=new_id is not None or fallback is not None)
