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
        caps = data.get("capabilities") or {}
        shortcut = data.get("shortcutDetails") or {}
        exports = data.get("exportLinks") or {}
        size = data.get("fileSize")
        return cls(
            id=data["id"],
            title=data.get("title", ""),
            mime_type=data.get("mimeType", "application/octet-stream"),
            size_bytes=int(size) if size not in (None, "") else None,
            md5=data.get("md5Checksum"),
            parents=tuple(p["id"] for p in data.get("parents") or () if "id" in p),
            modified=_parse_time(data.get("modifiedDate")),
            export_formats={export_label(mime): mime for mime in exports},
            shortcut_target_id=shortcut.get("targetId"),
            shortcut_target_mime=shortcut.get("targetMimeType"),
            resource_key=data.get("resourceKey"),
            web_view_link=data.get("alternateLink"),
            web_content_link=data.get("webContentLink"),
            embed_link=data.get("embedLink"),
            download_url=data.get("downloadUrl"),
            owners=tuple(DriveUser(o.get("displayName", ""), o.get("emailAddress", "")) for o in data.get("owners") or ()),
            trashed=bool((data.get("labels") or {}).get("trashed", False)),
            shared=bool(data.get("shared", False)),
            can_share=bool(caps.get("canShare", False)),
            can_edit=bool(caps.get("canEdit", False)),
            can_download=bool(caps.get("canDownload", True)),
            can_trash=bool(caps.get("canTrash", False)),
            can_delete=bool(caps.get("canDelete", False)),
            can_rename=bool(caps.get("canRename", False)),
            can_add_children=bool(caps.get("canAddChildren", False)),
            can_copy=bool(caps.get("canCopy", False)),
        )


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
