"""`DriveItem`: one Drive file or folder as the rest of colab_panel sees it (frozen, typed).

Built from a Drive API v2 File resource with `DriveItem.from_api(json)`. Only the fields in
`ITEM_FIELDS` are requested (a partial response is several times smaller than the full
resource, which matters for 10,000-item folders).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["DriveItem", "DrivePermission", "DriveUser", "FOLDER_MIME", "SHORTCUT_MIME", "NATIVE_PREFIX", "ITEM_FIELDS",
           "LIST_FIELDS", "export_label"]

FOLDER_MIME = "application/vnd.google-apps.folder"
SHORTCUT_MIME = "application/vnd.google-apps.shortcut"
NATIVE_PREFIX = "application/vnd.google-apps."

# The partial-response selector for one item; LIST_FIELDS wraps it for files.list.
ITEM_FIELDS = (
    "id,title,mimeType,fileSize,md5Checksum,parents(id),modifiedDate,exportLinks,"
    "shortcutDetails,resourceKey,alternateLink,webContentLink,embedLink,downloadUrl,"
    "owners(displayName,emailAddress),labels(trashed),shared,"
    "capabilities(canShare,canEdit,canDownload,canTrash,canDelete,canRename,canAddChildren,canCopy)"
)
LIST_FIELDS = f"nextPageToken,items({ITEM_FIELDS})"

# Short labels users recognise for export MIME types (the tab and CLI show these).
_EXPORT_LABELS = {
    "text/plain": "txt",
    "text/html": "html",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/pdf": "pdf",
    "application/rtf": "rtf",
    "application/zip": "zip (html)",
    "application/epub+zip": "epub",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/x-vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.google-apps.script+json": "json",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/svg+xml": "svg",
}


def export_label(mime: str) -> str:
    """`'application/pdf' -> 'pdf'`; unknown types keep their MIME type as the label."""
    return _EXPORT_LABELS.get(mime, mime)


@dataclass(frozen=True)
class DriveUser:
    name: str
    email: str


@dataclass(frozen=True)
class DriveItem:
    """A file, folder, shortcut or Google-native document. Sizes in bytes; None when Drive has none."""

    id: str
    title: str
    mime_type: str
    size_bytes: int | None = None
    md5: str | None = None
    parents: tuple[str, ...] = ()
    modified: datetime | None = None
    export_formats: dict[str, str] = field(default_factory=dict, hash=False)  # label -> MIME type
    shortcut_target_id: str | None = None
    shortcut_target_mime: str | None = None
    resource_key: str | None = None
    web_view_link: str | None = None
    web_content_link: str | None = None
    embed_link: str | None = None
    download_url: str | None = None
    owners: tuple[DriveUser, ...] = ()
    trashed: bool = False
    shared: bool = False
    can_share: bool = False
    can_edit: bool = False
    can_download: bool = True
    can_trash: bool = False
    can_delete: bool = False
    can_rename: bool = False
    can_add_children: bool = False
    can_copy: bool = False

    @property
    def is_folder(self) -> bool:
        return self.mime_type == FOLDER_MIME

    @property
    def is_shortcut(self) -> bool:
        return self.mime_type == SHORTCUT_MIME

    @property
    def is_native(self) -> bool:
        """A Google Docs/Sheets/Slides/... file: no bytes of its own, only exports."""
        return self.mime_type.startswith(NATIVE_PREFIX) and not (self.is_folder or self.is_shortcut)

    @property
    def kind(self) -> str:
        """A one-word type for lists: folder, shortcut, document, spreadsheet, ..., or file."""
        if self.is_folder:
            return "folder"
        if self.is_shortcut:
            return "shortcut"
        if self.mime_type.startswith(NATIVE_PREFIX):
            return self.mime_type[len(NATIVE_PREFIX):]
        return "file"

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> DriveItem:
        """The item for one v2 File resource (any subset of its fields; missing ones get defaults).

        Hot path: a 10,000-child folder builds 10,000 of these, so this skips the frozen
        dataclass `__init__` (one `object.__setattr__` per field, most of the cost) and fills the
        instance dict in one step, with the same values `__init__` would store. Owners are shared
        between items (frozen, and a listing's items mostly have the same owner).
        """
        get = data.get
        caps = get("capabilities") or _EMPTY
        cap = caps.get
        shortcut = get("shortcutDetails") or _EMPTY
        exports = get("exportLinks")
        labels = get("labels")
        size = get("fileSize")
        parents = get("parents")
        owners = get("owners")
        item = _new(cls)
        item.__dict__.update({
            "id": data["id"],
            "title": get("title", ""),
            "mime_type": get("mimeType", "application/octet-stream"),
            "size_bytes": int(size) if size is not None and size != "" else None,
            "md5": get("md5Checksum"),
            "parents": tuple(p["id"] for p in parents if "id" in p) if parents else (),
            "modified": _parse_time(get("modifiedDate")),
            "export_formats": {export_label(mime): mime for mime in exports} if exports else {},
            "shortcut_target_id": shortcut.get("targetId"),
            "shortcut_target_mime": shortcut.get("targetMimeType"),
            "resource_key": get("resourceKey"),
            "web_view_link": get("alternateLink"),
            "web_content_link": get("webContentLink"),
            "embed_link": get("embedLink"),
            "download_url": get("downloadUrl"),
            "owners": tuple(_user(o) for o in owners) if owners else (),
            "trashed": bool(labels.get("trashed", False)) if labels else False,
            "shared": bool(get("shared", False)),
            "can_share": bool(cap("canShare", False)),
            "can_edit": bool(cap("canEdit", False)),
            "can_download": bool(cap("canDownload", True)),
            "can_trash": bool(cap("canTrash", False)),
            "can_delete": bool(cap("canDelete", False)),
            "can_rename": bool(cap("canRename", False)),
            "can_add_children": bool(cap("canAddChildren", False)),
            "can_copy": bool(cap("canCopy", False)),
        })
        return item


_EMPTY: dict[str, Any] = {}
_new = object.__new__
_USERS: dict[tuple[str, str], DriveUser] = {}  # (name, email) -> the one DriveUser for them
_MAX_USERS = 4096  # bounded: a long session browsing many owners' files must not grow this forever


def _user(data: dict[str, Any]) -> DriveUser:
    key = (data.get("displayName", ""), data.get("emailAddress", ""))
    user = _USERS.get(key)
    if user is None:
        if len(_USERS) >= _MAX_USERS:
            _USERS.clear()
        user = _USERS[key] = DriveUser(*key)
    return user


@dataclass(frozen=True)
class DrivePermission:
    """One grant on an item. `role` is reader|commenter|writer|owner (v2's reader+commenter folded in)."""

    id: str
    type: str  # user | group | domain | anyone
    role: str
    email: str | None = None
    domain: str | None = None
    name: str | None = None
    with_link: bool = False

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> DrivePermission:
        role = data.get("role", "reader")
        if role == "reader" and "commenter" in (data.get("additionalRoles") or ()):
            role = "commenter"
        return cls(id=data.get("id", ""), type=data.get("type", ""), role=role, email=data.get("emailAddress"),
                   domain=data.get("domain"), name=data.get("name"), with_link=bool(data.get("withLink", False)))


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
