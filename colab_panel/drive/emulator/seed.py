"""Fill a `Store` from a local directory tree or from a JSON manifest.

Directory: folders become folders, files keep their bytes (served from the original file,
never copied or read whole) and md5. Symlinks are skipped so a link loop cannot hang startup.

Manifest (JSON file or dict) can also declare what a directory cannot::

    {
      "user": {"email": "me@example.com", "name": "Me", "domainSharingPolicy": "allowed"},
      "accounts": [{"email": "alice@example.com", "name": "Alice", "token": "alice-token"}],
      "items": [
        {"title": "data", "folder": true, "id": "1DataFolderIdDataFolderId00000000", "children": [
          {"title": "a.txt", "content": "hello\n"},
          {"title": "b.bin", "contentBase64": "AAEC"},
          {"title": "big.bin", "sourcePath": "blobs/big.bin"},
          {"title": "Notes", "mimeType": "application/vnd.google-apps.document", "content": "text"},
          {"title": "a shortcut", "shortcutTo": "1DataFolderIdDataFolderId00000000"},
          {"title": "old share", "owner": "alice@example.com", "resourceKey": "0-abc",
           "requiresResourceKey": true, "content": "x",
           "permissions": [{"type": "anyone", "role": "reader", "withLink": true},
                           {"type": "user", "role": "reader", "emailAddress": "me@example.com"}]}
        ]}
      ]
    }

A shared drive: ``"sharedDrives": [{"name": "Team", "id": "0A...", "members": [{"email":
"me@example.com", "role": "organizer"}], "children": [...]}]``; its items belong to the drive.

Top-level items go in their owner's My Drive. Every key but `title` is optional; `content`
is UTF-8 text (for Google-native docs, the text their exports are made from).
"""

from __future__ import annotations

import base64
import json
import mimetypes
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from colab_panel.drive.emulator.store import FOLDER_MIME, SHORTCUT_MIME, Item, Permission, Store, new_file_id, permission_id_for


def seed_directory(store: Store, directory: Path, parent_id: str | None = None) -> int:
    """Mirror `directory` under `parent_id` (default: My Drive). Returns the number of items added."""
    directory = Path(directory)
    if not directory.is_dir():
        raise NotADirectoryError(f"seed directory {directory} is not a directory")
    parent_id = parent_id or store.root_id
    owner = store.default_account.email
    added = 0
    with os.scandir(directory) as entries:
        ordered = sorted(entries, key=lambda entry: entry.name)
    for entry in ordered:
        if entry.is_symlink():
            continue
        if entry.is_dir():
            folder = store.add(Item(id=new_file_id(), title=entry.name, mime_type=FOLDER_MIME, parents=[parent_id], owner=owner))
            added += 1 + seed_directory(store, Path(entry.path), folder.id)
        elif entry.is_file():
            mime = mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
            stat = entry.stat()
            moment = datetime.fromtimestamp(stat.st_mtime).astimezone()
            store.add(
                Item(
                    id=new_file_id(),
                    title=entry.name,
                    mime_type=mime,
                    parents=[parent_id],
                    owner=owner,
                    blob=Path(entry.path).resolve(),
                    size=stat.st_size,
                    created=moment,
                    modified=moment,
                )
            )
            added += 1
    return added


def load_manifest(source: Path | dict[str, Any]) -> tuple[dict[str, Any], Path]:
    if isinstance(source, dict):
        return source, Path.cwd()
    path = Path(source)
    return json.loads(path.read_text(encoding="utf-8")), path.parent


def seed_manifest(store: Store, source: Path | dict[str, Any]) -> dict[str, str]:
    """Add a manifest's accounts and items. Returns {token: email} for accounts that declare a token."""
    manifest, base_dir = load_manifest(source)
    tokens: dict[str, str] = {}
    user = manifest.get("user") or {}
    if user.get("name"):
        store.default_account.display_name = user["name"]
    if user.get("domainSharingPolicy"):
        store.default_account.domain_sharing_policy = user["domainSharingPolicy"]
    for spec in manifest.get("accounts", []):
        account = store.add_account(spec["email"], spec.get("name"))
        if spec.get("domainSharingPolicy"):
            account.domain_sharing_policy = spec["domainSharingPolicy"]
        if spec.get("token"):
            tokens[spec["token"]] = account.email
    for spec in manifest.get("items", []):
        _add_item(store, spec, None, base_dir)
    for spec in manifest.get("sharedDrives", []):
        members = {m["email"]: m.get("role", "reader") for m in spec.get("members", [])}
        for email in members:
            store.add_account(email)
        drive = store.add_shared_drive(spec["name"], members, spec.get("id"))
        for child in spec.get("children", []):
            _add_item(store, child, drive.id, base_dir)
    return tokens


def _add_item(store: Store, spec: dict[str, Any], parent_id: str | None, base_dir: Path) -> Item:
    parent_item = store.get(parent_id) if parent_id else None
    drive_id = parent_item.drive_id if parent_item is not None else None
    owner = spec.get("owner") or (parent_item.owner if parent_item is not None and drive_id else store.default_account.email)
    store.add_account(owner)
    parent = parent_id or store.account(owner).root_id
    is_folder = bool(spec.get("folder")) or spec.get("mimeType") == FOLDER_MIME or "children" in spec
    mime = FOLDER_MIME if is_folder else spec.get("mimeType")
    if "shortcutTo" in spec:
        mime = SHORTCUT_MIME
    if mime is None:
        mime = mimetypes.guess_type(spec["title"])[0] or "application/octet-stream"
    item = Item(
        id=spec.get("id") or new_file_id(),
        title=spec["title"],
        mime_type=mime,
        parents=[parent],
        owner=owner,
        description=spec.get("description", ""),
        starred=bool(spec.get("starred", False)),
        explicitly_trashed=bool(spec.get("trashed", False)),
        resource_key=spec.get("resourceKey"),
        requires_resource_key=bool(spec.get("requiresResourceKey", False)),
        shortcut_target=spec.get("shortcutTo"),
        drive_id=drive_id,
    )
    if spec.get("modifiedDate"):
        item.modified = datetime.fromisoformat(spec["modifiedDate"].replace("Z", "+00:00"))
    if item.is_native:
        item.native_text = spec.get("content", "")
    elif "sourcePath" in spec:
        item.blob = (base_dir / spec["sourcePath"]).resolve()
        item.size = item.blob.stat().st_size
    else:
        data = base64.b64decode(spec["contentBase64"]) if "contentBase64" in spec else spec.get("content", "").encode()
        item.blob, item.size, item.md5 = store.write_blob(data)
    for perm in spec.get("permissions", []):
        item.permissions.append(_permission(perm))
    store.add(item)
    for child in spec.get("children", []):
        _add_item(store, child, item.id, base_dir)
    return item


def _permission(spec: dict[str, Any]) -> Permission:
    kind = spec["type"]
    email = spec.get("emailAddress") or (spec.get("value") if kind in ("user", "group") else None)
    domain = spec.get("domain") or (spec.get("value") if kind == "domain" else None)
    with_link = bool(spec.get("withLink", False))
    if kind == "anyone":
        ident = "anyoneWithLink" if with_link else "anyone"
    elif kind == "domain":
        ident = permission_id_for("domain:" + (domain or "")) + ("k" if with_link else "")
    else:
        ident = permission_id_for(email or "")
    return Permission(id=ident, type=kind, role=spec["role"], email=email, domain=domain, with_link=with_link, name=spec.get("name"))
