"""IDs chosen up front: `files.generateIds`, and the `id` an insert or copy may carry.

Drive v2 hands out IDs for one user and space (`maxResults` 1..1000, default 10); a client
passes one as the `id` of a `files.insert` or `files.copy` body and the new item gets it. An ID
that already names an item is refused with 409 (reason `duplicate`): that is what makes a
retried creation safe, since a resend after a lost answer cannot make a second item. An ID that
was never generated for this user is refused with 400.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from colab_panel.drive.emulator.errors import ApiError, invalid
from colab_panel.drive.emulator.store import Store, new_file_id
from colab_panel.drive.emulator.wire import ApiRequest, ApiResponse, json_response

if TYPE_CHECKING:
    from colab_panel.drive.emulator.api import DriveApi

DEFAULT_COUNT = 10
MAX_COUNT = 1000
SPACES = ("drive", "appDataFolder")
TYPES = ("files", "shortcuts")


def generate_ids(api: DriveApi, req: ApiRequest) -> ApiResponse:
    raw = req.query.get("maxResults", str(DEFAULT_COUNT))
    try:
        count = int(raw)
    except ValueError:
        count = -1
    if not 1 <= count <= MAX_COUNT:
        raise invalid(f"Invalid value '{raw}'. Values must be within the range: [1, {MAX_COUNT}]", "maxResults")
    space = req.query.get("space", "drive")
    if space not in SPACES:
        raise invalid(f"Invalid value '{space}'. Supported values are: {', '.join(SPACES)}", "space")
    kind = req.query.get("type", "files")
    if kind not in TYPES or (kind == "shortcuts" and space != "drive"):
        raise invalid(f"Invalid value '{kind}' for type in space '{space}'.", "type")
    store = api.store
    with store.lock:
        ids: list[str] = []
        while len(ids) < count:
            ident = new_file_id()
            if ident not in store.items and ident not in store.generated_ids:
                store.generated_ids[ident] = req.email.lower()
                ids.append(ident)
    body: dict[str, Any] = {"kind": "drive#generatedIds", "space": space, "ids": ids}
    return json_response(req, body)


def chosen_id(store: Store, email: str, requested: Any) -> str:
    """The new item's ID: a fresh one, or the `requested` one if it was generated for `email` and is free.

    Call with `store.lock` held, and add the item under the same hold (check and add are one step).
    """
    if requested in (None, ""):
        return new_file_id()
    ident = str(requested)
    if ident in store.items:
        raise ApiError(409, "duplicate", "A file already exists with the provided ID.", location="id")
    if store.generated_ids.get(ident) != email.lower():
        raise ApiError(400, "fileIdNotUsable", "The provided file ID is not usable.", location="id")
    return ident
