"""Uploads for `Drive`: a new file into a folder, or new content for an existing file, with the
md5 of the bytes actually read for sending.

    sent = send_file(drive, path, parent_id=folder_id)            # new file
    sent = send_file(drive, path, replace=existing_item)          # same Drive ID, new bytes
    sent.item.md5 == sent.md5        # Drive stored exactly what was read from the file

Why hash while sending: hashing the file before (or after) the upload proves nothing when a
training loop is still writing it; the digest of what went on the wire is the only thing Drive's
`md5Checksum` can be compared with. googleapiclient reads the upload through a seekable stream
(the multipart body at once, a resumable upload chunk by chunk, re-reading a chunk after a
failed attempt); `HashingReader` hashes each byte the first time it is read, in order, so re-reads
after a retry are not counted twice. Above 5 MiB the upload is resumable: each chunk is retried
on a fresh connection and the session continues where the server got to.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from colab_panel.drive.create_once import create_once
from colab_panel.drive.items import FOLDER_MIME, ITEM_FIELDS, DriveItem
from colab_panel.errors import DriveError
from colab_panel.inputs import os_error_in_words, shown

if TYPE_CHECKING:
    from colab_panel.drive.client import Drive

__all__ = ["HashingReader", "Sent", "send_file", "RESUMABLE_THRESHOLD"]

RESUMABLE_THRESHOLD = 5 * 1024 * 1024

Progress = Callable[[int, "int | None"], None]


class HashingReader:
    """A seekable reader over `raw` that keeps the md5 of the bytes read, each byte counted once, in order."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._md5 = hashlib.md5()
        self._hashed = 0  # bytes [0, _hashed) are in the digest
        self._gap = False  # a read skipped bytes never read: the digest cannot cover the file

    def read(self, size: int = -1) -> bytes:
        start = self._raw.tell()
        data = self._raw.read(size)
        end = start + len(data)
        if start <= self._hashed < end:
            self._md5.update(memoryview(data)[self._hashed - start:])
            self._hashed = end
        elif start > self._hashed and data:
            self._gap = True
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def md5_of_first(self, size: int) -> str | None:
        """The md5 of bytes [0, size) as they were read, or None if they were not all read in order."""
        return None if self._gap or self._hashed != size else self._md5.hexdigest()


@functools.cache
def _media_class() -> type:
    """MediaIoBaseUpload whose resumable chunks are sent as bytes (googleapiclient imported lazily: heavy).

    googleapiclient sends a chunk as a slice of the stream unless the media says it has no
    stream. `connection.DriveHttp` resends a chunk at once on a fresh connection when a kept-alive
    connection turns out dead, but only a body it can send again: a slice already read is spent
    (resent, the server would wait for a body that never comes). As bytes (one
    `upload_chunk_size` chunk in memory) a resend is whole.
    """
    from googleapiclient.http import MediaIoBaseUpload

    class ChunksAsBytes(MediaIoBaseUpload):
        def has_stream(self) -> bool:
            return False

    return ChunksAsBytes


@dataclass(frozen=True)
class Sent:
    """One finished upload: what Drive answered, and what was read from the file to send."""

    item: DriveItem
    md5: str | None  # of the bytes read for sending (None: not all were read in order)
    size_bytes: int  # how many bytes the upload declared and sent

    @property
    def verified(self) -> bool:
        return self.md5 is not None and (self.item.md5 or "").lower() == self.md5


def send_file(drive: Drive, path: Path, *, parent_id: str | None = None, title: str | None = None,
              mime_type: str | None = None, replace: DriveItem | None = None,
              progress: Progress | None = None) -> Sent:
    """Upload `path` as a new file in `parent_id`, or as new content of `replace` (same ID)."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed in finally, after the last chunk
    except IsADirectoryError:
        raise DriveError(f"{shown(str(path))} is a folder: upload its files one by one, or push() the folder.",
                         reason="noSuchLocalFile") from None
    except FileNotFoundError:
        raise DriveError(f"There is no file at {shown(str(path))} to upload.", reason="noSuchLocalFile") from None
    except OSError as exc:
        raise DriveError(os_error_in_words(exc, f"Cannot read {shown(str(path))} to upload it"),
                         reason="localFileError") from None
    try:
        reader = HashingReader(raw)
        mime = (replace.mime_type if replace is not None else None) or mime_type \
            or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        try:
            size = raw.seek(0, 2)
            raw.seek(0)
        except OSError as exc:  # a file that cannot seek (/proc, a pipe) cannot be uploaded in chunks
            raise DriveError(os_error_in_words(exc, f"Cannot read {shown(str(path))} to upload it"),
                             reason="localFileError") from None
        resumable = size > RESUMABLE_THRESHOLD
        media = _media_class()(reader, mimetype=mime, resumable=resumable,
                               chunksize=drive.upload_chunk_size if resumable else -1)
        files = drive._files()
        new_id: str | None = None
        if replace is not None:
            request = files.update(fileId=replace.id, media_body=media, fields=ITEM_FIELDS, supportsAllDrives=True)
            key_id, action = replace.id, "replace its content"
        else:
            if parent_id is None:
                raise ValueError("send_file needs parent_id for a new file")
            body: dict[str, Any] = {"title": title or path.name, "parents": [{"id": parent_id}]}
            new_id = drive.new_file_id()  # so a resend after a lost answer cannot make a second file
            if new_id is not None:
                body["id"] = new_id
            request = files.insert(body=body, media_body=media, fields=ITEM_FIELDS, supportsAllDrives=True)
            key_id, action = parent_id, "upload into this folder"
        key_sent = drive._add_key_header(request, key_id)
        fallback = None if new_id is not None else _without_chosen_id(drive, parent_id, title or path.name, reader,
                                                                       size, resumable or replace is not None)
        if not resumable:
            data = create_once(drive, new_id, lambda http: request.execute(http=http, num_retries=0),
                               file_id=key_id, key_sent=key_sent, action=action, fallback=fallback)
        else:
            data = None
            while data is None:
                # A failed chunk leaves the request in its error state: the next call asks the
                # server how much it has and continues from there (no bytes sent twice). Only
                # the last chunk creates the file; if its answer was lost, the look-up finds it.
                status, data = create_once(drive, new_id, lambda http: request.next_chunk(http=http, num_retries=0),
                                           file_id=key_id, key_sent=key_sent, action=action,
                                           found=lambda item: (None, item), fallback=fallback)
                if progress and status is not None:
                    progress(status.resumable_progress, size)
        if progress:
            progress(size, size)
        return Sent(drive._seen(data), reader.md5_of_first(size), size)
    finally:
        raw.close()


def _without_chosen_id(drive: Drive, parent_id: str | None, title: str, reader: HashingReader, size: int,
                       makes_nothing_twice: bool) -> Callable[[Any], dict[str, Any] | None]:
    """`create_once`'s fallback when no ID could be chosen (Drive refused files.generateIds, or
    new content for an existing file, which keeps its ID).

    `makes_nothing_twice`: the unanswered request cannot have made a file a resend would make
    again (new content for an existing ID; the POST that opens a resumable session, whose last
    chunk alone makes the file and is resent as an idempotent PUT): nothing to look for.
    Otherwise (a multipart create) a file in the parent with the same name, size and md5 of the
    bytes sent is taken as the one the lost request made: without an ID, that is all there is
    to tell it by, and two files with the same name and bytes are a duplicate anyway.
    """
    from colab_panel.drive.create_once import newest_child, quote

    def made(http: Any) -> dict[str, Any] | None:
        if makes_nothing_twice or parent_id is None:
            return None
        found = newest_child(drive, http, parent_id, f"title = '{quote(title)}' and mimeType != '{FOLDER_MIME}'")
        md5 = reader.md5_of_first(size)
        if found and md5 and found.get("fileSize") == str(size) and (found.get("md5Checksum") or "").lower() == md5:
            return found
        return None

    return made
