"""Routing: which handler answers which Drive API v2 method and path.

Paths are those of the v2 discovery document, under `/drive/v2/` for JSON calls and
`/upload/drive/v2/` for media uploads.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from colab_panel.drive.emulator import chosen_ids, drives_api, files_api, permissions_api, revisions_api, uploads
from colab_panel.drive.emulator.errors import ApiError
from colab_panel.drive.emulator.store import Store
from colab_panel.drive.emulator.wire import ApiRequest, ApiResponse

Handler = Callable[..., ApiResponse]

_ID = r"([^/]+)"
_PATHS: list[tuple[str, str, Handler]] = [  # (method, path pattern, handler), first match wins
    ("GET", "/drive/v2/about", files_api.about),
    ("GET", "/drive/v2/files", files_api.list_files),
    ("GET", "/drive/v2/files/generateIds", chosen_ids.generate_ids),
    ("DELETE", "/drive/v2/files/trash", files_api.empty_trash),  # before files/{id}: "trash" is no ID
    ("GET", "/drive/v2/drives", drives_api.list_drives),
    ("GET", f"/drive/v2/drives/{_ID}", drives_api.get_drive),
    ("GET", "/drive/v2/teamdrives", drives_api.list_team_drives),
    ("POST", "/drive/v2/files", lambda api, req: files_api.insert(api, req, req.json_body(), None, None)),
    ("GET", f"/drive/v2/files/{_ID}", files_api.get),
    ("PUT", f"/drive/v2/files/{_ID}", files_api.update_metadata),
    ("PATCH", f"/drive/v2/files/{_ID}", files_api.update_metadata),
    ("DELETE", f"/drive/v2/files/{_ID}", files_api.delete),
    ("POST", f"/drive/v2/files/{_ID}/trash", files_api.trash),
    ("POST", f"/drive/v2/files/{_ID}/untrash", files_api.untrash),
    ("POST", f"/drive/v2/files/{_ID}/copy", files_api.copy),
    ("GET", f"/drive/v2/files/{_ID}/export", files_api.export),
    ("GET", f"/drive/v2/files/{_ID}/permissions", permissions_api.list_permissions),
    ("POST", f"/drive/v2/files/{_ID}/permissions", permissions_api.insert_permission),
    ("GET", f"/drive/v2/files/{_ID}/permissions/{_ID}", permissions_api.get_permission),
    ("DELETE", f"/drive/v2/files/{_ID}/permissions/{_ID}", permissions_api.delete_permission),
    ("GET", f"/drive/v2/permissionIds/{_ID}", permissions_api.permission_id_for_email),
    ("GET", f"/drive/v2/files/{_ID}/revisions", revisions_api.list_revisions),
    ("GET", f"/drive/v2/files/{_ID}/revisions/{_ID}", revisions_api.get_revision),
    ("POST", "/upload/drive/v2/files", lambda api, req: uploads.handle_upload(api, req, None)),
    ("PUT", "/upload/drive/v2/files", lambda api, req: uploads.handle_upload(api, req, None)),
    ("PUT", f"/upload/drive/v2/files/{_ID}", uploads.handle_upload),
    ("POST", f"/upload/drive/v2/files/{_ID}", uploads.handle_upload),
]
_ROUTES = [(method, re.compile(f"^{pattern}$"), handler) for method, pattern, handler in _PATHS]


def is_media_request(method: str, path: str, query: dict[str, str]) -> bool:
    """Downloads and exports: what `media=True` fault rules and the bandwidth cap apply to."""
    return method == "GET" and (query.get("alt") == "media" or path.endswith("/export"))  # revisions' media too


@dataclass
class DriveApi:
    """Everything handlers share: the tree, upload sessions and settings."""

    store: Store
    uploads: uploads.UploadSessions
    max_page_size: int = 7

    @classmethod
    def create(cls, store: Store, scratch_dir: Path, max_page_size: int) -> DriveApi:
        return cls(store=store, uploads=uploads.UploadSessions(scratch_dir), max_page_size=max_page_size)

    def handle(self, req: ApiRequest) -> ApiResponse:
        path_matched = False
        for method, pattern, handler in _ROUTES:
            match = pattern.match(req.path)
            if match is None:
                continue
            path_matched = True
            if method == req.method:
                return handler(self, req, *match.groups())
        if path_matched:
            raise ApiError(405, "methodNotAllowed", f"Method {req.method} is not allowed on {req.path}")
        raise ApiError(404, "notFound", f"Not Found: {req.path}")
