"""Handlers for shared drives: `drives.list` / `drives.get` and their older `teamdrives` names (v2).

Only drives the caller is a member of are listed, in creation order, `maxResults` (1-100,
default 10) per page with a `nextPageToken`. `q` (searching drives by name, domain admin
views) is not emulated: a request with it is answered 400 rather than with a wrong list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from colab_panel.drive.emulator.errors import ApiError, invalid
from colab_panel.drive.emulator.resources import rfc3339
from colab_panel.drive.emulator.store import SharedDrive
from colab_panel.drive.emulator.wire import ApiRequest, ApiResponse, json_response

if TYPE_CHECKING:
    from colab_panel.drive.emulator.api import DriveApi

DEFAULT_PAGE = 10
MAX_PAGE = 100


def drive_json(drive: SharedDrive, role: str, *, legacy: bool = False) -> dict[str, Any]:
    organizer = role == "organizer"
    writer = role in ("organizer", "fileOrganizer", "writer")
    return {
        "kind": "drive#teamDrive" if legacy else "drive#drive",
        "id": drive.id,
        "name": drive.name,
        "createdDate": rfc3339(drive.created),
        "hidden": False,
        "capabilities": {
            "canAddChildren": writer,
            "canEdit": writer,
            "canListChildren": True,
            "canManageMembers": organizer,
            "canDeleteDrive": organizer,
            "canRename": organizer,
            "canShare": organizer,
            "canTrashChildren": writer,
        },
    }


def list_drives(api: DriveApi, req: ApiRequest, *, legacy: bool = False) -> ApiResponse:
    if req.query.get("q"):
        raise invalid("The emulator does not search shared drives; list them without q", "q")
    if req.flag("useDomainAdminAccess"):
        raise ApiError(403, "insufficientPermissions", "The user is not a domain administrator.")
    raw = req.query.get("maxResults", str(DEFAULT_PAGE))
    try:
        size = int(raw)
    except ValueError:
        raise invalid(f"Invalid value '{raw}'. Values must be within the range: [1, 100]", "maxResults") from None
    if not 1 <= size <= MAX_PAGE:
        raise invalid(f"Invalid value '{raw}'. Values must be within the range: [1, 100]", "maxResults")
    token = req.query.get("pageToken") or "0"
    if not token.isdigit():
        raise invalid("Invalid Value", "pageToken")
    offset = int(token)
    email = req.email.lower()
    with api.store.lock:
        size = min(size, api.max_page_size)  # short pages, as files.list: clients must follow tokens
        mine = sorted((d for d in api.store.drives.values() if email in d.members), key=lambda d: (d.created, d.id))
        page = [drive_json(d, d.members[email], legacy=legacy) for d in mine[offset: offset + size]]
    result: dict[str, Any] = {"kind": "drive#teamDriveList" if legacy else "drive#driveList", "items": page}
    if offset + size < len(mine):
        result["nextPageToken"] = str(offset + size)
    return json_response(req, result)


def list_team_drives(api: DriveApi, req: ApiRequest) -> ApiResponse:
    return list_drives(api, req, legacy=True)


def get_drive(api: DriveApi, req: ApiRequest, drive_id: str) -> ApiResponse:
    with api.store.lock:
        drive = api.store.drives.get(drive_id)
        role = drive.members.get(req.email.lower()) if drive is not None else None
        if drive is None or role is None:
            raise ApiError(404, "notFound", f"Shared drive not found: {drive_id}", location="driveId", location_type="parameter")
        return json_response(req, drive_json(drive, role))
