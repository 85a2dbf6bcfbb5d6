"""JSON views of items, permissions and the account, shaped like Drive API v2 resources.

Links meant for people (alternateLink, webContentLink, embedLink) point at drive.google.com
as Google's do, so link parsing can be tested on them; links meant for programs
(downloadUrl, exportLinks, selfLink) point back at the emulator so clients fetch from it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from colab_panel.drive.emulator.access import WRITE_ROLES, access_for
from colab_panel.drive.emulator.store import SHORTCUT_MIME, Account, Item, Permission, Revision, Store

DOCUMENT_MIME = _DOCUMENT = "application/vnd.google-apps.document"
_SPREADSHEET = "application/vnd.google-apps.spreadsheet"
_PRESENTATION = "application/vnd.google-apps.presentation"
_DRAWING = "application/vnd.google-apps.drawing"

# What each Google-native type can be exported as (a subset of Drive's real table).
EXPORT_FORMATS: dict[str, list[str]] = {
    _DOCUMENT: [
        "text/plain",
        "text/html",
        "application/pdf",
        "application/rtf",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/epub+zip",
        "application/zip",
    ],
    _SPREADSHEET: [
        "text/csv",
        "text/tab-separated-values",
        "application/pdf",
        "application/x-vnd.oasis.opendocument.spreadsheet",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    ],
    _PRESENTATION: [
        "text/plain",
        "application/pdf",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ],
    _DRAWING: ["image/png", "image/jpeg", "image/svg+xml", "application/pdf"],
}

# What `convert=true` turns an upload into (Drive's importFormats, the text-based part of it).
# Office and PDF files are not converted by the emulator: they are stored as uploaded, as
# Drive stores a type it has no import for.
IMPORT_FORMATS: dict[str, str] = {
    "text/plain": _DOCUMENT,
    "text/html": _DOCUMENT,
    "text/markdown": _DOCUMENT,
    "text/csv": _SPREADSHEET,
    "text/tab-separated-values": _SPREADSHEET,
}


def imported_text(content: bytes) -> str:
    """The text a converted upload keeps: decoded, a leading byte order mark dropped, LF line breaks."""
    return content.decode("utf-8-sig", "replace").replace("\r\n", "\n")


_EDITOR_PATHS = {_DOCUMENT: "document", _SPREADSHEET: "spreadsheets", _PRESENTATION: "presentation", _DRAWING: "drawings"}


def rfc3339(moment: Any) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _with_key(url: str, item: Item) -> str:
    if not item.resource_key:
        return url
    return url + ("&" if "?" in url else "?") + "resourcekey=" + quote(item.resource_key)


def user_json(account: Account, *, me: bool) -> dict[str, Any]:
    return {
        "kind": "drive#user",
        "displayName": account.display_name,
        "isAuthenticatedUser": me,
        "permissionId": account.permission_id,
        "emailAddress": account.email,
    }


def permission_json(base_url: str, item: Item, perm: Permission) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "drive#permission",
        "etag": f'"{item.id}-{perm.id}"',
        "id": perm.id,
        "selfLink": f"{base_url}drive/v2/files/{item.id}/permissions/{perm.id}",
        "type": perm.type,
        # v2 has no 'commenter' role: it is reader plus additionalRoles=['commenter'].
        "role": "reader" if perm.role == "commenter" else perm.role,
        "deleted": False,
    }
    if perm.role == "commenter":
        out["additionalRoles"] = ["commenter"]
    if perm.type in ("user", "group"):
        out["emailAddress"] = perm.email
        out["name"] = perm.name or (perm.email or "").partition("@")[0]
        out["domain"] = (perm.email or "").rpartition("@")[2]
    elif perm.type == "domain":
        out["domain"] = perm.domain
        out["name"] = perm.domain
    if perm.type == "anyone" or perm.type == "domain":
        out["withLink"] = perm.with_link
    return out


def owner_permission(store: Store, item: Item) -> Permission:
    account = store.account(item.owner)
    return Permission(id=account.permission_id, type="user", role="owner", email=account.email, name=account.display_name)


def all_permissions(store: Store, item: Item) -> list[Permission]:
    """The item's own (not inherited) grants in the order Drive lists them.

    Drive puts link and audience grants ("anyone", then "domain") before people, and the
    owner before the other people, each group in the order it was granted: a file shared
    with anyone lists `anyoneWithLink` first and the owner second, which clients that
    take `permissions[0]` rely on (PyDrive2's own tests do).
    """
    audiences = [perm for perm in item.permissions if perm.type == "anyone"]
    audiences += [perm for perm in item.permissions if perm.type == "domain"]
    people = [perm for perm in item.permissions if perm.type not in ("anyone", "domain")]
    return [*audiences, owner_permission(store, item), *people]


def file_json(store: Store, item: Item, base_url: str, email: str, *, with_permissions: bool = False) -> dict[str, Any]:
    """The v2 File resource for `item` as `email` sees it.

    `permissions` is not part of the default answer: Drive fills it only when `fields` asks
    for it (or for `*`), and only for someone who may share the item.
    """
    access = access_for(store, item, email)
    role = access.role or "reader"
    writable = role in WRITE_ROLES
    is_owner = role == "owner"
    api = f"{base_url}drive/v2/files/{item.id}"
    owner = store.account(item.owner)
    modifier = store.account(item.last_modifying_user or item.owner)
    trashed = store.is_trashed(item)
    out: dict[str, Any] = {
        "kind": "drive#file",
        "id": item.id,
        "etag": f'"{item.id}-{item.version}"',
        "selfLink": api,
        "title": item.title,
        "mimeType": item.mime_type,
        "description": item.description,
        "labels": {
            "starred": item.starred,
            "hidden": False,
            "trashed": trashed,
            "restricted": False,
            "viewed": True,
        },
        "explicitlyTrashed": item.explicitly_trashed,
        "createdDate": rfc3339(item.created),
        "modifiedDate": rfc3339(item.modified),
        "modifiedByMeDate": rfc3339(item.modified),
        "lastViewedByMeDate": rfc3339(item.modified),
        "markedViewedByMeDate": "1970-01-01T00:00:00.000Z",
        "version": str(item.version),
        "parents": [
            {
                "kind": "drive#parentReference",
                "id": parent_id,
                "selfLink": f"{api}/parents/{parent_id}",
                "parentLink": f"{base_url}drive/v2/files/{parent_id}",
                "isRoot": bool((parent := store.get(parent_id)) and parent.is_root),
            }
            for parent_id in item.parents
        ],
        "userPermission": {"kind": "drive#permission", "id": "me", "type": "user", "role": "reader" if role == "commenter" else role},
        "owners": [user_json(owner, me=owner.email.lower() == email.lower())],
        "ownerNames": [owner.display_name],
        "lastModifyingUser": user_json(modifier, me=modifier.email.lower() == email.lower()),
        "lastModifyingUserName": modifier.display_name,
        "editable": writable,
        "copyable": not item.is_folder,
        "writersCanShare": True,
        "shared": bool(item.permissions),
        "appDataContents": False,
        "spaces": ["drive"],
        "iconLink": f"https://drive-thirdparty.googleusercontent.com/16/type/{item.mime_type}",
        "hasThumbnail": False,  # the emulator renders no thumbnails
        "thumbnailVersion": "0",
        "capabilities": {
            "canCopy": not item.is_folder,
            "canEdit": writable,
            "canComment": role != "reader",
            "canShare": writable,
            "canDownload": True,
            "canTrash": writable,
            "canUntrash": writable,
            "canDelete": is_owner,
            "canRename": writable,
            "canAddChildren": item.is_folder and writable,
            "canListChildren": item.is_folder,
            "canRemoveChildren": item.is_folder and writable,
            "canMoveItemWithinDrive": writable,
            "canReadRevisions": writable,
            "canChangeCopyRequiresWriterPermission": writable,
        },
    }
    if item.drive_id is not None:  # shared-drive items name their drive and have no owner
        out["driveId"] = out["teamDriveId"] = item.drive_id
        del out["owners"], out["ownerNames"]
    if with_permissions and writable:
        out["permissions"] = [permission_json(base_url, item, perm) for perm in all_permissions(store, item)]
    if item.resource_key:
        out["resourceKey"] = item.resource_key
    if item.is_folder:
        out["alternateLink"] = _with_key(f"https://drive.google.com/drive/folders/{item.id}", item)
    elif item.mime_type in _EDITOR_PATHS:
        out["alternateLink"] = _with_key(f"https://docs.google.com/{_EDITOR_PATHS[item.mime_type]}/d/{item.id}/edit?usp=drivesdk", item)
        out["embedLink"] = _with_key(f"https://docs.google.com/{_EDITOR_PATHS[item.mime_type]}/d/{item.id}/preview", item)
        out["exportLinks"] = {
            mime: f"{api}/export?mimeType={quote(mime, safe='')}&alt=media" for mime in EXPORT_FORMATS[item.mime_type]
        }
    elif item.mime_type == SHORTCUT_MIME:
        out["alternateLink"] = f"https://drive.google.com/file/d/{item.id}/view?usp=drivesdk"
        target = store.get(item.shortcut_target or "")
        details: dict[str, Any] = {"targetId": item.shortcut_target}
        if target is not None:
            details["targetMimeType"] = target.mime_type
            if target.resource_key:
                details["targetResourceKey"] = target.resource_key
        out["shortcutDetails"] = details
    else:
        out["alternateLink"] = _with_key(f"https://drive.google.com/file/d/{item.id}/view?usp=drivesdk", item)
        out["embedLink"] = _with_key(f"https://drive.google.com/file/d/{item.id}/preview?usp=drivesdk", item)
    if not item.is_native:
        out["webContentLink"] = _with_key(f"https://drive.google.com/uc?id={item.id}&export=download", item)
        out["downloadUrl"] = f"{api}?alt=media&source=downloadUrl"
        out["fileSize"] = str(item.size)
        out["quotaBytesUsed"] = str(item.size)
        out["md5Checksum"] = store.md5_of(item)
        out["originalFilename"] = item.title
        out["headRevisionId"] = store.revisions(item)[-1].id
        stem, dot, extension = item.title.rpartition(".")
        if dot and stem:
            out["fileExtension"] = extension
            out["fullFileExtension"] = extension
    else:
        out["quotaBytesUsed"] = "0"
    return out


def revision_json(store: Store, item: Item, revision: Revision, base_url: str, email: str) -> dict[str, Any]:
    """A v2 Revision resource: content revisions download by `downloadUrl`, Docs ones by `exportLinks`."""
    api = f"{base_url}drive/v2/files/{item.id}/revisions/{revision.id}"
    user = store.account(revision.user)
    out: dict[str, Any] = {
        "kind": "drive#revision",
        "etag": f'"{item.id}-{revision.id}"',
        "id": revision.id,
        "selfLink": api,
        "mimeType": revision.mime_type,
        "modifiedDate": rfc3339(revision.modified),
        "pinned": False,
        "published": False,
        "lastModifyingUserName": user.display_name,
        "lastModifyingUser": user_json(user, me=user.email.lower() == email.lower()),
    }
    if revision.mime_type in EXPORT_FORMATS:
        files_api = f"{base_url}drive/v2/files/{item.id}"
        out["exportLinks"] = {
            mime: f"{files_api}/export?mimeType={quote(mime, safe='')}&alt=media" for mime in EXPORT_FORMATS[revision.mime_type]
        }
    elif revision.blob is not None:
        out["downloadUrl"] = f"{api}?alt=media"
        out["md5Checksum"] = revision.md5
        out["fileSize"] = str(revision.size)
        out["originalFilename"] = revision.original_filename
    return out


def about_json(store: Store, account: Account) -> dict[str, Any]:
    used = store.bytes_used(account.email)
    return {
        "kind": "drive#about",
        "etag": f'"about-{account.permission_id}"',
        "selfLink": "about",
        "name": account.display_name,
        "user": user_json(account, me=True),
        "quotaBytesTotal": str(account.quota_bytes_total),
        "quotaBytesUsed": str(used),
        "quotaBytesUsedAggregate": str(used),
        "quotaBytesUsedInTrash": "0",
        "quotaType": "LIMITED",
        "rootFolderId": account.root_id,
        "permissionId": account.permission_id,
        "domainSharingPolicy": account.domain_sharing_policy,
        "isCurrentAppInstalled": False,
        "languageCode": "en",
        "exportFormats": [{"source": source, "targets": targets} for source, targets in EXPORT_FORMATS.items()],
        "importFormats": [{"source": source, "targets": [target]} for source, target in IMPORT_FORMATS.items()],
    }
