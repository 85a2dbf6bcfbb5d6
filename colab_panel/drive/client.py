"""`Drive`: every Google Drive operation colab_panel needs, as plain typed calls (no widgets).

    from colab_panel.drive import connect
    drive = connect()                                   # or Drive.for_emulator(url, token, ca)
    folder = drive.get("https://drive.google.com/drive/folders/ID?resourcekey=K")   # DriveItem
    for item in drive.list(folder.id): ...              # every page, trashed items left out
    for rel_path, item in drive.walk(folder.id): ...    # recursive, "sub/dir/file.txt"
    stream = drive.open_range(file_id, start=1024)      # .read(n), .offset, .size, .close()
    drive.download(file_id, "/content/data/")           # .part file, md5 verified, resumes
    drive.export(doc_id, "pdf", "/content/notes.pdf")   # Google Docs/Sheets/Slides
    item = drive.upload("model.pt", parent=folder.id)   # resumable above 5 MiB
    sent = drive.send_file(path, replace=item)          # new bytes, same ID; sent.verified: md5 of what was read
    drive.mkdir("runs", parent=folder.id); drive.rename(id, "new"); drive.move(id, to=folder_id)
    drive.trash(id); drive.untrash(id); drive.delete(id)  # delete is permanent
    drive.iter_search(search_query("cats")); drive.shared_drives(); drive.empty_trash()
    drive.copy(id, title=None, parent=None); drive.path_of(id) -> "My Drive/a/b"
    drive.resolve(shortcut_id) -> the target's DriveItem;  drive.about() -> DriveAbout
    drive.permissions(id); drive.insert_permission(id, type=..., role=...); drive.delete_permission(id, pid)

Every call:
- accepts an ID or any link `colab_panel.drive.parse` understands (keys in links are kept and
  sent as `X-Goog-Drive-Resource-Keys`; keys seen in metadata are remembered too);
- passes `supportsAllDrives=True` (and `includeItemsFromAllDrives=True` on lists) so shared
  drives work;
- is retried with exponential backoff and jitter on rate limits (403 usageLimits reasons, 429),
  5xx and connection failures, each retry on a fresh connection (httplib2 otherwise reuses a
  pooled socket the server already closed); attempts and total time are bounded (`RetryPolicy`);
- survives a keep-alive connection Drive closed while idle: the request is sent again at once
  on a fresh connection when that cannot do anything twice (`connection.DriveHttp`);
- makes each new folder, file and copy exactly once (`create_once`): its ID is chosen up front
  (files.generateIds), and a create whose answer was lost is answered by looking that ID up
  before it is tried again;
- raises `colab_panel.errors.DriveError` subclasses with a sentence a user can act on
  (DriveNotFound naming the ID, ResourceKeyRequired, DrivePermissionDenied, DriveQuotaExceeded,
  DriveAuthError). Bad IDs/links raise `DriveError(reason="invalidId")` with the parser's words.

Built on PyDrive2 (unmodified): `Drive(GoogleDrive)` uses its `GoogleAuth` (credentials, the
googleapiclient Drive v2 service, one authorized Http per thread). `drive.pydrive` is the
`GoogleDrive` for anything PyDrive2 offers that this class does not. Thread-safe: each thread
gets its own Http (httplib2 is not thread-safe).
"""

from __future__ import annotations

import builtins
import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colab_panel.drive.failures import RequestOutcomeUnknown, is_transient, outcome_unknown, retry_after_s, translate
from colab_panel.drive.items import FOLDER_MIME, ITEM_FIELDS, LIST_FIELDS, SHORTCUT_MIME, DriveItem, DrivePermission
from colab_panel.drive.retry import RetryPolicy
from colab_panel.errors import DriveError
from colab_panel.inputs import shown, user_path

if TYPE_CHECKING:
    import pydrive2.drive

    from colab_panel.drive.interface import DriveClient
    from colab_panel.drive.transfers import RangeStream
    from colab_panel.drive.upload import Sent

__all__ = ["Drive", "DriveAbout", "ROOT", "search_query"]

_log = logging.getLogger(__name__)

ROOT = "root"  # Drive's alias for the signed-in user's My Drive
PAGE_SIZE = 1000  # the most files.list returns per page; fewer requests for big folders
WALK_BATCH = 40  # folders listed per files.list in walk(): q="('a' in parents or 'b' in parents ...)"
MAX_SHORTCUT_HOPS = 5
CREATE_METHODS = frozenset({"drive.files.insert", "drive.files.copy"})  # sent twice, they make two


@dataclass(frozen=True)
class DriveAbout:
    user_name: str
    user_email: str
    root_folder_id: str
    quota_bytes_total: int | None
    quota_bytes_used: int | None


class Drive:
    """See the module docstring. Build with `connect()`, `Drive.for_emulator()` or `Drive(GoogleDrive)`."""

    def __init__(self, pydrive: pydrive2.drive.GoogleDrive, *, retry: RetryPolicy | None = None,
                 description: str = "Google Drive", chunk_size: int = 16 * 1024 * 1024,
                 upload_chunk_size: int = 8 * 1024 * 1024, stall_timeout_s: float | None = None) -> None:
        self.pydrive = pydrive
        self.auth = pydrive.auth
        if self.auth.service is None:
            self.auth.Authorize()
        self.service = self.auth.service
        self._files_resource: Any = None  # see _files()
        self.retry = retry or RetryPolicy()
        self.description = description  # shown in repr; never holds a token
        self.chunk_size = chunk_size  # bytes per ranged GET in open_range()/download()
        self.upload_chunk_size = upload_chunk_size  # bytes per resumable-upload PUT (a multiple of 256 KiB)
        # No byte this long on a download piece: retried on a fresh connection (None: connection.STALL_TIMEOUT_S)
        self.stall_timeout_s = stall_timeout_s
        self._keys: dict[str, str] = {}  # file ID -> resource key
        self._keys_lock = threading.Lock()
        self._local = threading.local()
        self._https: list[Any] = []
        self._https_lock = threading.Lock()
        self._closed = False

    # --- construction -----------------------------------------------------------------------

    @classmethod
    def for_emulator(cls, base_url: str, token: str, ca_cert_path: str | Path, *, credentials: Any = None,
                     timeout: float | None = 60.0, **options: Any) -> Drive:
        """A Drive talking to a `DriveEmulator` over verified loopback HTTPS: bearer `token` (or
        google-auth `credentials`), trusting its CA. `options` as for `Drive(...)` (retry, ...)."""
        from google.oauth2.credentials import Credentials

        from colab_panel.drive.pydrive_auth import signed_in_pydrive

        base = base_url.rstrip("/") + "/"
        pydrive = signed_in_pydrive(credentials or Credentials(token=token), api_endpoint=base + "drive/v2/",
                                    ca_cert_path=ca_cert_path, timeout=timeout)
        return cls(pydrive, description=f"emulator {base}", **options)

    def __repr__(self) -> str:
        return f"<Drive {self.description}>"

    def close(self) -> None:
        """Close the connections this Drive opened. Idempotent."""
        self._closed = True
        with self._https_lock:
            https, self._https = self._https, []
        for http in https:
            _close_http(http)
        self._local = threading.local()

    def __enter__(self) -> Drive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing ---------------------------------------------------------------------------

    def _http(self) -> Any:
        http = getattr(self._local, "http", None)
        if http is None:
            http = self.auth.Get_Http_Object()
            if self.stall_timeout_s is not None:
                inner = getattr(http, "http", http)  # google-auth's AuthorizedHttp wraps our DriveHttp
                if hasattr(inner, "stall_timeout_s"):
                    inner.stall_timeout_s = self.stall_timeout_s
            self._local.http = http
            with self._https_lock:
                self._https.append(http)
        return http

    def _fresh_connection(self, exc: BaseException, attempt: int, delay: float) -> None:
        """Before a retry: drop this thread's Http so the next attempt opens a new connection."""
        _log.info("drive: attempt %d failed (%s); retrying in %.1fs", attempt, type(exc).__name__, delay)
        http = getattr(self._local, "http", None)
        self._local.http = None
        if http is not None:
            with self._https_lock:
                if http in self._https:
                    self._https.remove(http)
            _close_http(http)

    def call(self, fn: Callable[[Any], Any], *, file_id: str | None = None, key_sent: bool = False,
             action: str = "reach Google Drive", resend_unanswered: bool = True) -> Any:
        """Run `fn(http)` with retries and error translation. `fn` gets this thread's authorized Http.

        A request sent whole whose answer never came (`RequestOutcomeUnknown`: most often a
        keep-alive connection Drive had closed while idle) is run again at once on a fresh
        connection. That is safe for what is idempotent in effect (a rename, a trash, a grant)
        and for creates made through `create_once`, whose next attempt looks up the ID it chose
        first. `resend_unanswered=False` is for a create nothing can look up: the call then fails
        in words (`DriveError(reason="outcomeUnknown")`) rather than risk making it twice.
        """

        def attempt() -> Any:
            try:
                return fn(self._http())
            except RequestOutcomeUnknown as exc:
                if not resend_unanswered:
                    raise outcome_unknown(action) from exc
                # Once more at once on a fresh connection; a second failure is retried with
                # backoff like any other.
                self._fresh_connection(exc, 0, 0.0)
                return fn(self._http())

        try:
            return self.retry.call(attempt, is_retryable=is_transient,
                                   retry_after=retry_after_s, on_retry=self._fresh_connection)
        except Exception as exc:
            translated = translate(exc, file_id=file_id, key_sent=key_sent, action=action)
            if translated is None or translated is exc:
                raise
            if is_transient(exc):
                self._fresh_connection(exc, 0, 0.0)
            raise translated from exc

    def execute(self, request: Any, *, file_id: str | None = None, action: str = "reach Google Drive") -> Any:
        """Execute a googleapiclient request (resource-key header added) with retries and translation.

        A create (files.insert, files.copy) belongs in `create_once`; one sent here anyway is
        never resent after a lost answer (see `call(resend_unanswered=...)`)."""
        key_sent = self._add_key_header(request, file_id)
        return self.call(lambda http: request.execute(http=http, num_retries=0), file_id=file_id,
                         key_sent=key_sent, action=action,
                         resend_unanswered=getattr(request, "methodId", "") not in CREATE_METHODS)

    def key_header(self, *file_ids: str | None) -> dict[str, str]:
        """`{"X-Goog-Drive-Resource-Keys": "id/key,..."}` for the IDs whose keys are known (else {})."""
        with self._keys_lock:
            pairs = [f"{fid}/{self._keys[fid]}" for fid in file_ids if fid and fid in self._keys]
        return {"X-Goog-Drive-Resource-Keys": ",".join(pairs)} if pairs else {}

    def _add_key_header(self, request: Any, *file_ids: str | None) -> bool:
        header = self.key_header(*file_ids)
        request.headers.update(header)
        return bool(header)

    def remember_key(self, file_id: str, resource_key: str | None) -> None:
        if resource_key:
            with self._keys_lock:
                self._keys[file_id] = resource_key

    def _files(self) -> Any:
        """`service.files()`, built once: each call builds every method of the resource (their
        docstrings included), ~3 ms, more than a page request's own client work. Building requests
        from one Resource in several threads is safe: it only reads it (each execute passes its
        thread's Http)."""
        files = self._files_resource
        if files is None:
            files = self._files_resource = self.service.files()
        return files

    def _seen_page(self, entries: list[dict[str, Any]]) -> list[DriveItem]:
        """`_seen` for a listing's page: the same items and remembered keys, with the per-item
        bookkeeping only for the few items that carry a resource key or are shortcuts."""
        from_api = DriveItem.from_api
        items = [from_api(entry) for entry in entries]
        for item, entry in zip(items, entries):
            if item.resource_key or item.shortcut_target_id:
                self.remember_key(item.id, item.resource_key)
                if item.shortcut_target_id:
                    self.remember_key(item.shortcut_target_id, (entry.get("shortcutDetails") or {}).get("targetResourceKey"))
        return items

    def _seen(self, data: dict[str, Any]) -> DriveItem:
        item = DriveItem.from_api(data)
        self.remember_key(item.id, item.resource_key)
        target_key = (data.get("shortcutDetails") or {}).get("targetResourceKey")
        if item.shortcut_target_id:
            self.remember_key(item.shortcut_target_id, target_key)
        return item

    def ref(self, id_or_link: str | DriveItem) -> str:
        """The file ID in `id_or_link` (an ID, any Drive link, a DriveItem or "root"); keys remembered."""
        if isinstance(id_or_link, DriveItem):
            self.remember_key(id_or_link.id, id_or_link.resource_key)
            return id_or_link.id
        if not isinstance(id_or_link, str):
            raise DriveError(f"A Drive item must be given as a link or ID (text) or a DriveItem, not "
                             f"{shown(id_or_link)}.", reason="invalidId")
        text = id_or_link.strip()
        if text == ROOT:
            return ROOT
        from colab_panel.drive.parse import parse_drive_link

        try:
            parsed = parse_drive_link(text)
        except ValueError as exc:
            raise DriveError(str(exc), reason="invalidId") from None
        self.remember_key(parsed.id, parsed.resource_key)
        return parsed.id

    # --- metadata ---------------------------------------------------------------------------

    def get(self, id_or_link: str | DriveItem) -> DriveItem:
        """Metadata of one file or folder (shortcuts are returned as shortcuts; see `resolve`)."""
        file_id = self.ref(id_or_link)
        request = self._files().get(fileId=file_id, fields=ITEM_FIELDS, supportsAllDrives=True)
        return self._seen(self.execute(request, file_id=file_id, action="read the metadata"))

    def resolve(self, id_or_link: str | DriveItem) -> DriveItem:
        """Like `get`, but a shortcut is followed to its target (chains too, up to a few hops)."""
        item = id_or_link if isinstance(id_or_link, DriveItem) else self.get(id_or_link)
        for _ in range(MAX_SHORTCUT_HOPS):
            if not item.is_shortcut:
                return item
            if not item.shortcut_target_id:
                raise DriveError(f"The shortcut '{item.title}' points nowhere (its target was deleted).")
            item = self.get(item.shortcut_target_id)
        raise DriveError(f"'{item.title}' is a chain of more than {MAX_SHORTCUT_HOPS} shortcuts; open the target directly.")

    def about(self) -> DriveAbout:
        request = self.service.about().get(fields="name,user(displayName,emailAddress),rootFolderId,quotaBytesTotal,quotaBytesUsed")
        data = self.execute(request, action="read the account details")
        user = data.get("user") or {}
        return DriveAbout(
            user_name=user.get("displayName", data.get("name", "")),
            user_email=user.get("emailAddress", ""),
            root_folder_id=data.get("rootFolderId", ""),
            quota_bytes_total=_int_or_none(data.get("quotaBytesTotal")),
            quota_bytes_used=_int_or_none(data.get("quotaBytesUsed")),
        )

    def path_of(self, id_or_link: str | DriveItem) -> str:
        """`"My Drive/datasets/cats.zip"`: titles from the top down (first parent at each level)."""
        return "/".join(item.title for item in self.ancestry(id_or_link))

    def ancestry(self, id_or_link: str | DriveItem) -> list[DriveItem]:
        """The item and its folders up to the top, top first (what breadcrumbs show)."""
        chain = [id_or_link if isinstance(id_or_link, DriveItem) else self.get(id_or_link)]
        seen = {chain[0].id}
        while chain[-1].parents and len(chain) < 100:
            parent_id = chain[-1].parents[0]
            if parent_id in seen:
                break
            seen.add(parent_id)
            try:
                chain.append(self.get(parent_id))
            except DriveError:
                break  # a parent we may not see (shared with us): stop at what we can see
        return chain[::-1]

    # --- listing ----------------------------------------------------------------------------

    def iter_pages(self, folder: str | DriveItem, *, query: str | None = None,
                   page_size: int = PAGE_SIZE) -> Iterator[list[DriveItem]]:
        """The folder's children one page at a time (the tab shows the first page at once)."""
        folder_id = self.ref(folder)
        q = f"'{_quote(folder_id)}' in parents and trashed=false"
        if query:
            q = f"{q} and ({query})"
        yield from self._pages(q, page_size, folder_id)

    def iter_search(self, q: str, *, page_size: int = PAGE_SIZE, all_drives: bool = False) -> Iterator[list[DriveItem]]:
        """Pages of the items matching a whole `q` (not one folder's children): Starred, Trash,
        Shared with me, a search by name (`search_query`). `all_drives`: shared drives' items too."""
        extra = {"corpora": "allDrives"} if all_drives else {}
        yield from self._pages(q, page_size, action="search Google Drive", **extra)

    def shared_drives(self) -> list[DriveItem]:
        """The shared drives this account is a member of, each as a folder item (its root)."""
        out: list[DriveItem] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"maxResults": 100, "fields": "nextPageToken,items(id,name,createdDate)"}
            if token:
                params["pageToken"] = token
            data = self.execute(self.service.drives().list(**params), action="list the shared drives")
            out += [DriveItem(id=d["id"], title=d.get("name", ""), mime_type=FOLDER_MIME) for d in data.get("items", [])]
            token = data.get("nextPageToken")
            if not token:
                return out

    def empty_trash(self) -> None:
        """Delete every item in this account's trash for good (files.emptyTrash)."""
        self.execute(self._files().emptyTrash(), action="empty the trash")

    def _pages(self, q: str, page_size: int, *key_ids: str, action: str = "list the folder",
               **extra: Any) -> Iterator[list[DriveItem]]:
        token: str | None = None
        files = self._files()
        while True:
            params: dict[str, Any] = {"q": q, "maxResults": page_size, "fields": LIST_FIELDS,
                                      "supportsAllDrives": True, "includeItemsFromAllDrives": True, **extra}
            if token:
                params["pageToken"] = token
            request = files.list(**params)
            self._add_key_header(request, *key_ids)
            data = self.call(lambda http: request.execute(http=http, num_retries=0),  # called before the loop goes on
                             file_id=key_ids[0] if len(key_ids) == 1 else None,
                             key_sent=bool(request.headers.get("X-Goog-Drive-Resource-Keys")),
                             action=action)
            yield self._seen_page(data.get("items", []))
            token = data.get("nextPageToken")
            if not token:
                return

    def list(self, folder: str | DriveItem = ROOT, *, query: str | None = None) -> list[DriveItem]:
        """Every child of `folder` that is not in the trash, all pages. `query`: extra `q` terms."""
        return [item for page in self.iter_pages(folder, query=query) for item in page]

    def walk(self, folder: str | DriveItem = ROOT) -> Iterator[tuple[str, DriveItem]]:
        """Yield `(relative_path, item)` for everything under `folder`, folders before their contents.

        Paths use "/" and the Drive titles as they are (Drive allows duplicate titles and "/" in
        titles: callers writing to disk must sanitise). Up to WALK_BATCH folders are listed per
        request, so a tree of many small folders costs few requests. Shortcuts are yielded, not
        followed (following them could loop).
        """
        root_id = self.ref(folder)
        if root_id == ROOT:
            root_id = self.get(ROOT).id  # children name their parent by its real ID, not "root"
        pending: list[tuple[str, str]] = [(root_id, "")]
        visited = {root_id}
        while pending:
            batch, pending = pending[:WALK_BATCH], pending[WALK_BATCH:]
            prefix_of = dict(batch)
            parents = " or ".join(f"'{_quote(fid)}' in parents" for fid, _ in batch)
            for page in self._pages(f"({parents}) and trashed=false", PAGE_SIZE, *prefix_of):
                for item in page:
                    for parent in item.parents:
                        if parent not in prefix_of:
                            continue
                        rel = f"{prefix_of[parent]}{item.title}"
                        yield rel, item
                        if item.is_folder and item.id not in visited:
                            visited.add(item.id)
                            pending.append((item.id, rel + "/"))

    # --- changes ----------------------------------------------------------------------------

    def mkdir(self, name: str, parent: str | DriveItem = ROOT) -> DriveItem:
        """Create a folder; exactly one, even if an answer is lost and the request resent (`create_once`)."""
        from colab_panel.drive.create_once import create_once

        parent_id = self.ref(parent)
        body: dict[str, Any] = {"title": _check_title(name), "mimeType": FOLDER_MIME, "parents": [{"id": parent_id}]}
        new_id = self.new_file_id()
        if new_id is not None:
            body["id"] = new_id
        request = self._files().insert(body=body, fields=ITEM_FIELDS, supportsAllDrives=True)
        key_sent = self._add_key_header(request, parent_id)
        data = create_once(self, new_id, lambda http: request.execute(http=http, num_retries=0),
                           file_id=parent_id, key_sent=key_sent, action="create a folder here",
                           fallback=None if new_id is not None else self._folder_named(parent_id, body["title"]))
        return self._seen(data)

    def _folder_named(self, parent_id: str, title: str) -> Callable[[Any], dict[str, Any] | None]:
        """`create_once`'s fallback for a folder made without a chosen ID (Drive gave none): a
        folder of that name in the parent is taken as the one the lost request made. A name is
        all there is to go by then; adopting a same-named folder beats making a second one."""
        from colab_panel.drive.create_once import newest_child, quote

        return lambda http: newest_child(self, http, parent_id,
                                         f"title = '{quote(title)}' and mimeType = '{FOLDER_MIME}'")

    def new_file_id(self) -> str | None:
        """An ID for an item about to be created (files.generateIds, fetched in batches), or None."""
        from colab_panel.drive.create_once import IdPool

        with self._keys_lock:
            pool = self.__dict__.setdefault("_id_pool", IdPool())
        return pool.take(self)

    def rename(self, id_or_link: str | DriveItem, new_title: str) -> DriveItem:
        file_id = self.ref(id_or_link)
        request = self._files().patch(fileId=file_id, body={"title": _check_title(new_title)},
                                             fields=ITEM_FIELDS, supportsAllDrives=True)
        return self._seen(self.execute(request, file_id=file_id, action="rename it"))

    def move(self, id_or_link: str | DriveItem, to: str | DriveItem) -> DriveItem:
        """Move into folder `to` (removed from all its current parents)."""
        item = id_or_link if isinstance(id_or_link, DriveItem) else self.get(id_or_link)
        target = self.ref(to)
        if target == item.id:
            raise DriveError(f"'{item.title}' cannot be moved into itself.", reason="invalidMove")
        request = self._files().patch(fileId=item.id, body={}, addParents=target,
                                             removeParents=",".join(p for p in item.parents if p != target),
                                             fields=ITEM_FIELDS, supportsAllDrives=True)
        return self._seen(self.execute(request, file_id=item.id, action="move it"))

    def trash(self, id_or_link: str | DriveItem) -> DriveItem:
        file_id = self.ref(id_or_link)
        request = self._files().trash(fileId=file_id, fields=ITEM_FIELDS, supportsAllDrives=True)
        return self._seen(self.execute(request, file_id=file_id, action="move it to the trash"))

    def untrash(self, id_or_link: str | DriveItem) -> DriveItem:
        file_id = self.ref(id_or_link)
        request = self._files().untrash(fileId=file_id, fields=ITEM_FIELDS, supportsAllDrives=True)
        return self._seen(self.execute(request, file_id=file_id, action="restore it from the trash"))

    def delete(self, id_or_link: str | DriveItem) -> None:
        """Delete permanently (skips the trash). The tab asks for confirmation before calling this."""
        file_id = self.ref(id_or_link)
        request = self._files().delete(fileId=file_id, supportsAllDrives=True)
        self.execute(request, file_id=file_id, action="delete it")

    def copy(self, id_or_link: str | DriveItem, *, title: str | None = None,
             parent: str | DriveItem | None = None) -> DriveItem:
        """A copy (exactly one, even if an answer is lost and the request resent: `create_once`).
        Without a chosen ID (Drive gave none) a lost answer is reported as
        DriveError(reason="outcomeUnknown"): a copy looks like its source and any earlier copy,
        so nothing else can tell whether it was made."""
        from colab_panel.drive.create_once import create_once

        file_id = self.ref(id_or_link)
        body: dict[str, Any] = {}
        if title is not None:
            body["title"] = _check_title(title)
        if parent is not None:
            body["parents"] = [{"id": self.ref(parent)}]
        new_id = self.new_file_id()
        if new_id is not None:
            body["id"] = new_id
        request = self._files().copy(fileId=file_id, body=body, fields=ITEM_FIELDS, supportsAllDrives=True)
        key_sent = self._add_key_header(request, file_id)
        data = create_once(self, new_id, lambda http: request.execute(http=http, num_retries=0),
                           file_id=file_id, key_sent=key_sent, action="copy it")
        return self._seen(data)

    def insert_shortcut(self, target: str | DriveItem, parent: str | DriveItem = ROOT) -> DriveItem:
        """A shortcut to `target` in `parent` ('Add to My Drive'); see drive/copying.py."""
        from colab_panel.drive.create_once import create_once

        target_id, parent_id = self.ref(target), self.ref(parent)
        item = target if isinstance(target, DriveItem) else None
        body: dict[str, Any] = {"title": item.title if item else target_id, "mimeType": SHORTCUT_MIME,
                                "parents": [{"id": parent_id}], "shortcutDetails": {"targetId": target_id}}
        request = self._files().insert(body=body, fields=ITEM_FIELDS, supportsAllDrives=True)
        key_sent = self._add_key_header(request, target_id)

        def made(http: Any) -> dict[str, Any] | None:
            # No ID can be chosen for a shortcut (generateIds hands out shortcut IDs as a kind of
            # their own; the pool holds file IDs), so a lost answer is checked by what it made: a
            # shortcut of that name in the parent pointing at the same target.
            from colab_panel.drive.create_once import newest_child, quote

            query = f"title = '{quote(body['title'])}' and mimeType = '{SHORTCUT_MIME}'"
            data = newest_child(self, http, parent_id, query)
            return data if data and (data.get("shortcutDetails") or {}).get("targetId") == target_id else None

        data = create_once(self, None, lambda http: request.execute(http=http, num_retries=0),
                           file_id=target_id, key_sent=key_sent, action="add a shortcut to it", fallback=made)
        return self._seen(data)

    # --- bytes (implemented in transfers.py) --------------------------------------------------

    def open_range(self, id_or_link: str | DriveItem, start: int = 0, *, chunk_size: int | None = None) -> RangeStream:
        """A readable stream of the file's bytes from `start`. `stream.offset` is where it really
        starts (0 if Drive ignored the range); `stream.size` the file's total size.
        Without `chunk_size`, each GET is sized to the measured rate (at most `self.chunk_size`);
        with it, every GET asks for exactly that many bytes."""
        from colab_panel.drive.read_sizing import ReadSizer
        from colab_panel.drive.transfers import RangeStream

        if chunk_size:
            return RangeStream(self, self.ref(id_or_link), start, chunk_size)
        return RangeStream(self, self.ref(id_or_link), start, self.chunk_size, sizer=ReadSizer(self.chunk_size))

    def download(self, id_or_link: str | DriveItem, path: str | Path, *, resume: bool = True,
                 progress: Callable[[int, int | None], None] | None = None) -> Path:
        """Download into `path` (a file path, or an existing folder to keep the Drive title).

        Written through `<name>.part`, md5 verified against Drive's `md5Checksum`, then renamed;
        an interrupted download keeps its .part and `resume=True` continues it. Shortcuts are
        followed. `progress(done_bytes, total_bytes)` is called as bytes arrive.
        """
        from colab_panel.drive.transfers import download_file

        user_path(path, "The download path", DriveError)  # the text itself: a trailing '/' means a folder
        return download_file(self, self.resolve(self._item_or_ref(id_or_link)), os.fspath(path), resume=resume,
                             progress=progress)

    def export(self, id_or_link: str | DriveItem, mime_or_label: str, path: str | Path) -> Path:
        """Export a Google Docs/Sheets/Slides file: `mime_or_label` is a MIME type or a label ("pdf")."""
        from colab_panel.drive.transfers import export_file

        user_path(path, "The export path", DriveError)
        if not isinstance(mime_or_label, str):
            raise DriveError(f"The export format must be text such as 'pdf', not {shown(mime_or_label)}.")
        return export_file(self, self.resolve(self._item_or_ref(id_or_link)), mime_or_label, os.fspath(path))

    def upload(self, path: str | Path, parent: str | DriveItem = ROOT, *, title: str | None = None,
               mime_type: str | None = None, progress: Callable[[int, int | None], None] | None = None) -> DriveItem:
        """Upload a local file into `parent`; resumable (in chunks, each retried) above 5 MiB."""
        return self.send_file(path, parent=parent, title=title, mime_type=mime_type, progress=progress).item

    def send_file(self, path: str | Path, *, parent: str | DriveItem | None = None, title: str | None = None,
                  mime_type: str | None = None, replace: DriveItem | None = None,
                  progress: Callable[[int, int | None], None] | None = None) -> Sent:
        """Upload a local file as a new file in `parent`, or as new content of `replace` (same ID,
        so links to it keep working). `Sent.md5` is the md5 of the bytes read for sending, to be
        compared with Drive's (`Sent.verified`): proof for a file that may change while sent."""
        from colab_panel.drive.upload import send_file

        local = user_path(path, "The file to upload", DriveError)
        if replace is not None and not isinstance(replace, DriveItem):
            raise DriveError(f"replace= takes the DriveItem whose content to replace (from get() or list()), "
                             f"not {shown(replace)}.", reason="invalid")
        if replace is None and parent is None:
            raise DriveError("A new file needs the Drive folder to upload into (parent=, a link or ID).",
                             reason="invalid")
        parent_id = None if parent is None else self.ref(parent)
        return send_file(self, local, parent_id=parent_id, title=title, mime_type=mime_type, replace=replace,
                         progress=progress)

    def _item_or_ref(self, id_or_link: str | DriveItem) -> str | DriveItem:
        return id_or_link if isinstance(id_or_link, DriveItem) else self.ref(id_or_link)

    # --- sharing (thin wrappers; the Share tab adds confirmation rules) -------------------------

    def permissions(self, id_or_link: str | DriveItem) -> builtins.list[DrivePermission]:  # `list` is a method here
        file_id = self.ref(id_or_link)
        request = self.service.permissions().list(fileId=file_id, supportsAllDrives=True)
        data = self.execute(request, file_id=file_id, action="read who has access")
        return [DrivePermission.from_api(p) for p in data.get("items", [])]

    def insert_permission(self, id_or_link: str | DriveItem, *, type: str, role: str,  # noqa: A002 - Drive's name
                          email: str | None = None, domain: str | None = None, with_link: bool = False,
                          send_notification: bool = False, message: str | None = None) -> DrivePermission:
        """Grant access: type user|group|domain|anyone, role reader|commenter|writer|owner."""
        file_id = self.ref(id_or_link)
        body: dict[str, Any] = {"type": type, "role": "reader" if role == "commenter" else role, "withLink": with_link}
        if role == "commenter":
            body["additionalRoles"] = ["commenter"]
        if type in ("user", "group"):
            if not email:
                raise DriveError(f"Sharing with a {type} needs an email address.", reason="invalid")
            body["value"] = email
        elif type == "domain":
            if not domain:
                raise DriveError("Sharing with a domain needs the domain name.", reason="invalid")
            body["value"] = domain
        params: dict[str, Any] = {"fileId": file_id, "body": body, "supportsAllDrives": True,
                                  "sendNotificationEmails": send_notification}
        if message and send_notification:
            params["emailMessage"] = message
        request = self.service.permissions().insert(**params)
        return DrivePermission.from_api(self.execute(request, file_id=file_id, action="change sharing"))

    def delete_permission(self, id_or_link: str | DriveItem, permission_id: str) -> None:
        file_id = self.ref(id_or_link)
        request = self.service.permissions().delete(fileId=file_id, permissionId=permission_id, supportsAllDrives=True)
        self.execute(request, file_id=file_id, action="change sharing")


def search_query(name: str) -> str:
    """`q` for "names containing `name`" across Drive, trash left out (Drive v2 says `title`)."""
    return f"title contains '{_quote(name)}' and trashed = false"


def _quote(file_id: str) -> str:
    return file_id.replace("\\", "\\\\").replace("'", "\\'")


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise DriveError("A name cannot be empty.", reason="invalid")
    return title


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _close_http(http: Any) -> None:
    try:
        http.close()
    except Exception:  # a half-broken connection must not break the caller's error path
        _log.debug("drive: closing an Http failed", exc_info=True)


if TYPE_CHECKING:
    def _is_a_drive_client(drive: Drive) -> DriveClient:
        return drive  # mypy fails here if Drive stops having a call the panel needs (interface.py)
