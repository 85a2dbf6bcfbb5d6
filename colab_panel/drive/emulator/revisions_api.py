"""Handlers for `revisions`: list and get (with `alt=media` for a content revision's bytes).

Each content upload to a file adds a revision (unless `newRevision=false`); old revisions
keep their bytes, since blobs are never changed in place. Revisions are read-only here:
pinning, publishing and deleting them are not emulated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from colab_panel.drive.emulator.access import readable
from colab_panel.drive.emulator.errors import ApiError
from colab_panel.drive.emulator.media import file_media
from colab_panel.drive.emulator.resources import revision_json
from colab_panel.drive.emulator.wire import ApiRequest, ApiResponse, json_response

if TYPE_CHECKING:
    from colab_panel.drive.emulator.api import DriveApi


def list_revisions(api: DriveApi, req: ApiRequest, file_id: str) -> ApiResponse:
    with api.store.lock:
        item, _ = readable(api.store, file_id, req.email, req.resource_keys)
        items = [revision_json(api.store, item, rev, req.base_url, req.email) for rev in api.store.revisions(item)]
    return json_response(req, {
        "kind": "drive#revisionList",
        "etag": f'"{item.id}-revisions-{len(items)}"',
        "selfLink": f"{req.base_url}drive/v2/files/{item.id}/revisions",
        "items": items,
    })


def get_revision(api: DriveApi, req: ApiRequest, file_id: str, revision_id: str) -> ApiResponse:
    with api.store.lock:
        item, _ = readable(api.store, file_id, req.email, req.resource_keys)
        history = api.store.revisions(item)
        if revision_id == "head" and history:
            revision_id = history[-1].id
        for revision in history:
            if revision.id == revision_id:
                break
        else:
            raise ApiError(404, "notFound", f"Revision not found: {revision_id}.", location="revisionId")
        if req.query.get("alt") == "media":
            if revision.blob is None or item.is_native:
                raise ApiError(403, "fileNotDownloadable",
                               "Only revisions with binary content can be downloaded. Use the export links.", location="alt")
            return file_media(revision.blob, revision.size, revision.mime_type, req.headers.get("range"))
        return json_response(req, revision_json(api.store, item, revision, req.base_url, req.email))
