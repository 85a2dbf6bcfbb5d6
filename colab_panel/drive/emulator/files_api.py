"""Handlers for `about` and the `files` collection: get, list, insert, update/patch, trash, delete, copy, export.

Each handler takes the `DriveApi` (store + settings) and the `ApiRequest` and returns an
`ApiResponse` or raises `ApiError`. Content arrives already decoded by `uploads.py`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from colab_panel.drive.emulator.chosen_ids import chosen_id
from colab_panel.drive.emulator.access import access_for, readable, writable
from colab_panel.drive.emulator.errors import ApiError, insufficient_permissions, invalid, not_found
from colab_panel.drive.emulator.fields import selects
from colab_panel.drive.emulator.media import bytes_media, file_media
from colab_panel.drive.emulator.query import QueryContext, compile_query
from colab_panel.drive.emulator.resources import DOCUMENT_MIME, EXPORT_FORMATS, IMPORT_FORMATS, about_json, file_json, imported_text
from colab_panel.drive.emulator.store import FOLDER_MIME, SHORTCUT_MIME, Item, now
from colab_panel.drive.emulator.wire import ApiRequest, ApiResponse, empty_response, json_response

if TYPE_CHECKING:
    from colab_panel.drive.emulator.api import DriveApi

V2_DEFAULT_PAGE = 100
V2_MAX_PAGE = 1000


def about(api: DriveApi, req: ApiRequest) -> ApiResponse:
    return json_response(req, about_json(api.store, api.store.account(req.email)))


def get(api: DriveApi, req: ApiRequest, file_id: str) -> ApiResponse:
    with api.store.lock:
        item, _ = readable(api.store, _alias(api, req, file_id), req.email, req.resource_keys)
        if item.drive_id is not None and not _supports_all_drives(req):
            raise not_found(file_id)  # Drive hides shared-drive items from clients that do not say they support them
        if req.query.get("alt") == "media":
            return download(api, req, item)
        return json_response(req, file_resource(api, req, item))


def download(api: DriveApi, req: ApiRequest, item: Item) -> ApiResponse:
    if item.is_native or item.blob is None:
        raise ApiError(
            403,
            "fileNotDownloadable",
            "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
            location="alt",
        )
    return file_media(item.blob, item.size, item.mime_type, req.headers.get("range"))


def export(api: DriveApi, req: ApiRequest, file_id: str) -> ApiResponse:
    with api.store.lock:
        item, _ = readable(api.store, file_id, req.email, req.resource_keys)
        formats = EXPORT_FORMATS.get(item.mime_type)
        if formats is None:
            raise ApiError(403, "fileNotExportable", "Export only supports Docs Editors files.")
        mime = req.query.get("mimeType")
        if not mime:
            raise ApiError(400, "required", "Required parameter: mimeType", location="mimeType")
        if mime not in formats:
            raise ApiError(400, "badRequest", "The requested conversion is not supported.", location="convertTo")
        return bytes_media(_export_bytes(item, mime), mime, req.headers.get("range"))


def _export_bytes(item: Item, mime: str) -> bytes:
    """Plain-text formats carry the doc's text; binary formats get a marked stand-in (not a real PDF/docx).

    A Google Doc exported as text/plain comes as Drive sends it: a UTF-8 byte order mark
    first and CRLF line breaks (PyDrive2's `remove_bom` exists for that mark).
    """
    if mime == "text/plain" and item.mime_type == DOCUMENT_MIME:
        return ("\ufeff" + item.native_text.replace("\r\n", "\n").replace("\n", "\r\n")).encode()
    if mime in ("text/plain", "text/csv", "text/tab-separated-values"):
        return item.native_text.encode()
    if mime == "text/html":
        return f"<html><body><pre>{item.native_text}</pre></body></html>".encode()
    return f"emulated export of {item.title!r} as {mime}\n{item.native_text}".encode()


def _supports_all_drives(req: ApiRequest) -> bool:
    return req.flag("supportsAllDrives") or req.flag("supportsTeamDrives")


def _corpus(api: DriveApi, req: ApiRequest) -> Any:
    """Which items a files.list may return, from `corpora`, `driveId` and `includeItemsFromAllDrives`.

    Shared-drive items come only with includeItemsFromAllDrives=true; `corpora=drive` needs a
    `driveId` (and that flag) and limits the answer to that drive.
    """
    include_drives = req.flag("includeItemsFromAllDrives") or req.flag("includeTeamDriveItems")
    corpora = req.query.get("corpora") or req.query.get("corpus") or "user"
    drive_id = req.query.get("driveId") or req.query.get("teamDriveId")
    if corpora not in ("user", "default", "domain", "drive", "allDrives"):
        raise invalid(f"Invalid value '{corpora}'", "corpora")
    if drive_id and not include_drives:
        raise invalid("includeItemsFromAllDrives must be true when driveId is set", "driveId")
    if corpora == "drive":
        if not drive_id:
            raise invalid("driveId is required when corpora is drive", "driveId")
        drive = api.store.drives.get(drive_id)
        if drive is None or req.email.lower() not in drive.members:
            raise ApiError(404, "notFound", f"Shared drive not found: {drive_id}", location="driveId", location_type="parameter")
        return lambda item: item.drive_id == drive_id
    if corpora == "allDrives" and not include_drives:
        raise invalid("includeItemsFromAllDrives must be true when corpora is allDrives", "corpora")
    return lambda item: item.drive_id is None or include_drives


def list_files(api: DriveApi, req: ApiRequest) -> ApiResponse:
    predicate = compile_query(req.query.get("q"))
    in_corpus = _corpus(api, req)
    page_size = _page_size(api, req)
    order = req.query.get("orderBy", "")
    fingerprint = f"{req.query.get('q', '')}|{order}"
    offset = _decode_token(req.query.get("pageToken"), fingerprint)
    with_permissions = selects(req.query.get("fields"), "items", "permissions")
    with api.store.lock:
        store = api.store
        account = store.account(req.email)
        context = QueryContext(
            email=req.email,
            root_id=account.root_id,
            is_trashed=store.is_trashed,
            role_of=lambda item, email: access_for(store, item, email).role,
            link_only=lambda item, email: access_for(store, item, email).link_only,
        )
        matches = [
            item
            for item in store.items.values()
            if not item.is_root and in_corpus(item) and access_for(store, item, req.email).can_read and predicate(item, context)
        ]
        matches.sort(key=_sort_key(order))
        page = matches[offset : offset + page_size]
        items = [file_json(store, item, req.base_url, req.email, with_permissions=with_permissions) for item in page]
    result: dict[str, Any] = {
        "kind": "drive#fileList",
        "etag": f'"list-{len(matches)}"',
        "selfLink": f"{req.base_url}drive/v2/files",
        "incompleteSearch": False,
        "items": items,
    }
    if offset + page_size < len(matches):
        token = _encode_token(offset + page_size, fingerprint)
        result["nextPageToken"] = token
        next_query = {k: v for k, v in req.query.items() if k != "pageToken"}
        next_query["pageToken"] = token
        result["nextLink"] = f"{req.base_url}drive/v2/files?{urlencode(next_query)}"
    return json_response(req, result)


def _page_size(api: DriveApi, req: ApiRequest) -> int:
    raw = req.query.get("maxResults")
    if raw is None:
        requested = V2_DEFAULT_PAGE
    else:
        try:
            requested = int(raw)
        except ValueError:
            raise invalid(f"Invalid value '{raw}'. Values must be within the range: [0, 1000]", "maxResults") from None
        if not 0 <= requested <= V2_MAX_PAGE:
            raise invalid(f"Invalid value '{raw}'. Values must be within the range: [0, 1000]", "maxResults")
    # Deliberately short pages: a client that ignores nextPageToken misses items here, as it would on Drive.
    return max(1, min(requested or V2_DEFAULT_PAGE, api.max_page_size))


def _encode_token(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "f": fingerprint}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str | None, fingerprint: str) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = int(data["o"])
        same_query = data["f"] == fingerprint
    except (ValueError, KeyError, TypeError):
        raise invalid("Invalid Value", "pageToken") from None
    if not same_query or offset < 0:
        raise invalid("Invalid Value: the page token belongs to another query", "pageToken")
    return offset


def _sort_key(order: str) -> Any:
    keys: list[tuple[str, bool]] = []
    for part in [p.strip() for p in order.split(",") if p.strip()]:
        name, _, direction = part.partition(" ")
        keys.append((name, direction.strip().lower() == "desc"))

    def value(item: Item, name: str) -> Any:
        return {
            "folder": 0 if item.is_folder else 1,
            "title": item.title.lower(),
            "modifiedDate": item.modified.timestamp(),
            "createdDate": item.created.timestamp(),
            "quotaBytesUsed": item.size,
            "starred": 0 if item.starred else 1,
        }.get(name, item.title.lower())

    def key(item: Item) -> tuple[Any, ...]:
        parts: list[Any] = []
        for name, desc in keys:
            raw = value(item, name)
            parts.append(-raw if desc and isinstance(raw, (int, float)) else _Reversed(raw) if desc else raw)
        return (*parts, item.title.lower(), item.id)

    return key


class _Reversed:
    """Wraps a string so `sorted` orders it descending inside a mixed key tuple."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return self.value > other.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.value == other.value


# --- writes ----------------------------------------------------------------------------------


def insert(api: DriveApi, req: ApiRequest, metadata: dict[str, Any], content: bytes | None, content_mime: str | None) -> ApiResponse:
    """files.insert: metadata only (folders, shortcuts, empty files) or with uploaded content."""
    item = insert_item(api, req, metadata, content, content_mime)
    with api.store.lock:
        return json_response(req, file_resource(api, req, item))


def insert_item(api: DriveApi, req: ApiRequest, metadata: dict[str, Any], content: bytes | None, content_mime: str | None) -> Item:
    store = api.store
    with store.lock:
        mime = metadata.get("mimeType") or content_mime or ("application/octet-stream" if content is not None else "application/octet-stream")
        item = Item(
            id=chosen_id(store, req.email, metadata.get("id")),
            title=metadata.get("title") or "Untitled",
            mime_type=mime,
            parents=[],
            owner=req.email,
            description=metadata.get("description", ""),
            last_modifying_user=req.email,
        )
        parent_ids = [p.get("id") for p in metadata.get("parents") or [] if isinstance(p, dict)]
        item.parents = _checked_parents(api, req, parent_ids or ["root"], item)
        item.drive_id = _drive_of(store, item.parents)
        labels = metadata.get("labels") or {}
        item.starred = bool(labels.get("starred", False))
        item.explicitly_trashed = bool(labels.get("trashed", False))
        if mime == SHORTCUT_MIME:
            target_id = (metadata.get("shortcutDetails") or {}).get("targetId")
            if not target_id:
                raise invalid("A shortcut needs shortcutDetails.targetId", "shortcutDetails.targetId")
            readable(store, target_id, req.email, req.resource_keys)
            item.shortcut_target = target_id
        source_mime = mime.split(";")[0].strip().lower()
        if content is not None and req.flag("convert") and source_mime in IMPORT_FORMATS:
            item.mime_type = IMPORT_FORMATS[source_mime]
        if not item.is_native:
            item.blob, item.size, item.md5 = store.write_blob(content or b"")
        elif content:
            item.native_text = imported_text(content)
        store.add(item)
        store.record_revision(item, when=item.modified)
        return item


def update(
    api: DriveApi, req: ApiRequest, file_id: str, metadata: dict[str, Any], content: bytes | None = None
) -> ApiResponse:
    """files.update / files.patch: rename, move (parents body or add/removeParents), labels, new content."""
    item = update_item(api, req, file_id, metadata, content)
    with api.store.lock:
        return json_response(req, file_resource(api, req, item))


def update_item(api: DriveApi, req: ApiRequest, file_id: str, metadata: dict[str, Any], content: bytes | None = None) -> Item:
    store = api.store
    with store.lock:
        item, _ = writable(store, file_id, req.email, req.resource_keys)
        if "title" in metadata:
            if not str(metadata["title"]).strip():
                raise invalid("The title of a file cannot be empty", "title")
            item.title = str(metadata["title"])
        if "description" in metadata:
            item.description = str(metadata["description"] or "")
        if "mimeType" in metadata and metadata["mimeType"] and not item.is_native:
            item.mime_type = metadata["mimeType"]
        labels = metadata.get("labels") or {}
        if "starred" in labels:
            item.starred = bool(labels["starred"])
        if "trashed" in labels:
            item.explicitly_trashed = bool(labels["trashed"])
        new_parents: list[str | None] = list(item.parents)  # None: a parent sent without an id
        if "parents" in metadata and metadata["parents"] is not None:
            new_parents = [p.get("id") for p in metadata["parents"] if isinstance(p, dict)]
        new_parents += [p for p in _csv(req.query.get("addParents")) if p not in new_parents]
        removed = _csv(req.query.get("removeParents"))
        new_parents = [p for p in new_parents if p not in removed]
        if new_parents != item.parents:
            if not new_parents:
                raise invalid("A file must keep at least one parent", "parents")
            item.parents = _checked_parents(api, req, new_parents, item)
        if content is not None and not item.is_native:
            history = store.revisions(item)  # the content being replaced becomes history first
            if not req.flag("newRevision", True):
                history.pop()  # v2: newRevision=false overwrites the head revision instead
            item.blob, item.size, item.md5 = store.write_blob(content)
            item.last_modifying_user = req.email
            store.record_revision(item)
            item.version += 1
        item.modified = now()
        item.last_modifying_user = req.email
        item.version += 1
        return item


def update_metadata(api: DriveApi, req: ApiRequest, file_id: str) -> ApiResponse:
    return update(api, req, file_id, req.json_body())


def set_trashed(api: DriveApi, req: ApiRequest, file_id: str, trashed: bool) -> ApiResponse:
    with api.store.lock:
        item, _ = writable(api.store, file_id, req.email, req.resource_keys)
        if item.is_root:
            raise insufficient_permissions()
        item.explicitly_trashed = trashed
        item.modified = now()
        return json_response(req, file_resource(api, req, item))


def trash(api: DriveApi, req: ApiRequest, file_id: str) -> ApiResponse:
    return set_trashed(api, req, file_id, True)


def untrash(api: DriveApi, req: ApiRequest, file_id: str) -> ApiResponse:
    return set_trashed(api, req, file_id, False)


def delete(api: DriveApi, req: ApiRequest, file_id: str) -> ApiResponse:
    """Permanent delete of an item and everything under it; only its owner may."""
    with api.store.lock:
        item, access = readable(api.store, file_id, req.email, req.resource_keys)
        if access.role not in ("owner", "organizer") or item.is_root:
            raise insufficient_permissions()
        api.store.remove(item.id)
    return empty_response(204)


def empty_trash(api: DriveApi, req: ApiRequest) -> ApiResponse:
    """files.emptyTrash: delete for good every trashed item the caller owns (with `driveId`: every
    trashed item of that shared drive, organizers only). Items under a trashed folder go with it."""
    drive_id = req.query.get("driveId")
    with api.store.lock:
        store = api.store
        if drive_id:
            drive = store.drives.get(drive_id)
            if drive is None or req.email.lower() not in drive.members:
                raise ApiError(404, "notFound", f"Shared drive not found: {drive_id}", location="driveId", location_type="parameter")
            if drive.members[req.email.lower()] != "organizer":
                raise insufficient_permissions()
            doomed = [i.id for i in store.items.values() if i.explicitly_trashed and i.drive_id == drive_id]
        else:
            email = req.email.lower()
            doomed = [i.id for i in store.items.values()
                      if i.explicitly_trashed and i.drive_id is None and i.owner.lower() == email]
        for ident in doomed:
            store.remove(ident)
    return empty_response(204)


def copy(api: DriveApi, req: ApiRequest, file_id: str) -> ApiResponse:
    metadata = req.json_body()
    store = api.store
    with store.lock:
        source, _ = readable(store, file_id, req.email, req.resource_keys)
        if source.is_folder:
            raise ApiError(403, "cannotCopyFile", "This file cannot be copied by the user.")
        clone = Item(
            id=chosen_id(store, req.email, metadata.get("id")),
            title=metadata.get("title") or f"Copy of {source.title}",
            mime_type=source.mime_type,
            parents=[],
            owner=req.email,
            description=metadata.get("description", source.description),
            blob=source.blob,  # blobs are immutable, so sharing one is safe
            size=source.size,
            md5=source.md5,
            native_text=source.native_text,
            shortcut_target=source.shortcut_target,
            last_modifying_user=req.email,
        )
        parent_ids = [p.get("id") for p in metadata.get("parents") or [] if isinstance(p, dict)]
        clone.parents = _checked_parents(api, req, parent_ids or ["root"], clone)
        clone.drive_id = _drive_of(store, clone.parents)
        store.add(clone)
        store.record_revision(clone)  # a copy starts its own history
        return json_response(req, file_resource(api, req, clone))


def file_resource(api: DriveApi, req: ApiRequest, item: Item) -> dict[str, Any]:
    """The File resource answering `req`, with `permissions` when its `fields` asks for them."""
    return file_json(api.store, item, req.base_url, req.email, with_permissions=selects(req.query.get("fields"), "permissions"))


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _drive_of(store: Any, parent_ids: list[str]) -> str | None:
    parent = store.get(parent_ids[0]) if parent_ids else None
    return parent.drive_id if parent is not None else None


def _alias(api: DriveApi, req: ApiRequest, file_id: str) -> str:
    return api.store.account(req.email).root_id if file_id == "root" else file_id


def _checked_parents(api: DriveApi, req: ApiRequest, parent_ids: Sequence[str | None], item: Item) -> list[str]:
    """Resolve 'root', and refuse missing, non-folder, read-only or cyclic parents as Drive does."""
    store = api.store
    resolved: list[str] = []
    for raw in parent_ids:
        if not raw:
            raise invalid("A parent reference needs an id", "parents.id")
        parent_id = _alias(api, req, raw)
        parent = store.get(parent_id)
        if parent is None or not access_for(store, parent, req.email).can_read:
            raise not_found(parent_id)
        if parent.mime_type != FOLDER_MIME:
            raise invalid(f"The parent {parent_id} is not a folder", "parents")
        if not access_for(store, parent, req.email).can_write:
            raise insufficient_permissions()
        if parent_id == item.id or any(up.id == item.id for up in store.ancestors(parent)):
            raise invalid("A folder cannot be moved into itself or one of its subfolders", "parents")
        if parent_id not in resolved:
            resolved.append(parent_id)
    return resolved
