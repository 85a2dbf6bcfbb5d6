"""`DriveItem.from_api` fills the instance dict directly (a hot path for 10,000-item folders):
the items it builds must be exactly what the dataclass `__init__` builds, equal, hashable, frozen."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from colab_panel.drive.items import DriveItem, DriveUser

FULL = {
    "id": "f1", "title": "notes", "mimeType": "application/vnd.google-apps.document", "fileSize": "42",
    "md5Checksum": "abc", "parents": [{"id": "p1"}, {"isRoot": True}, {"id": "p2"}],
    "modifiedDate": "2024-05-06T07:08:09.123Z",
    "exportLinks": {"application/pdf": "https://x/pdf", "x/unknown": "https://x/u"},
    "shortcutDetails": {"targetId": "t1", "targetMimeType": "text/plain"}, "resourceKey": "0-key",
    "alternateLink": "https://view", "webContentLink": "https://content", "embedLink": "https://embed",
    "downloadUrl": "https://download",
    "owners": [{"displayName": "Ada", "emailAddress": "ada@example.com"}, {}],
    "labels": {"trashed": True}, "shared": True,
    "capabilities": {"canShare": True, "canEdit": 1, "canDownload": False, "canTrash": True, "canDelete": True,
                     "canRename": True, "canAddChildren": True, "canCopy": True},
}


def _values(item: DriveItem) -> dict[str, object]:
    return {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}


def test_full_resource_maps_every_field() -> None:
    item = DriveItem.from_api(FULL)
    assert _values(item) == _values(DriveItem(
        id="f1", title="notes", mime_type="application/vnd.google-apps.document", size_bytes=42, md5="abc",
        parents=("p1", "p2"), modified=datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=timezone.utc),
        export_formats={"pdf": "application/pdf", "x/unknown": "x/unknown"},
        shortcut_target_id="t1", shortcut_target_mime="text/plain", resource_key="0-key",
        web_view_link="https://view", web_content_link="https://content", embed_link="https://embed",
        download_url="https://download", owners=(DriveUser("Ada", "ada@example.com"), DriveUser("", "")),
        trashed=True, shared=True, can_share=True, can_edit=True, can_download=False, can_trash=True,
        can_delete=True, can_rename=True, can_add_children=True, can_copy=True))
    assert item.can_edit is True  # bool(), not the raw 1


@pytest.mark.parametrize("data", [
    {"id": "bare"},
    {"id": "nulls", "fileSize": None, "parents": None, "owners": None, "labels": None, "capabilities": None,
     "exportLinks": None, "shortcutDetails": None, "modifiedDate": None},
    {"id": "empties", "fileSize": "", "parents": [], "owners": [], "labels": {}, "capabilities": {},
     "exportLinks": {}, "shortcutDetails": {}, "modifiedDate": "not a date"},
])
def test_missing_fields_get_the_dataclass_defaults(data: dict) -> None:
    item = DriveItem.from_api(data)
    assert _values(item) == _values(DriveItem(id=data["id"], title="", mime_type="application/octet-stream"))
    assert item.can_download is True


def test_items_behave_like_constructed_ones() -> None:
    item = DriveItem.from_api(FULL)
    twin = DriveItem(**_values(item))
    assert item == twin and hash(item) == hash(twin) and repr(item) == repr(twin)
    assert dataclasses.replace(item, title="other").title == "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.title = "changed"  # type: ignore[misc]


def test_each_item_gets_its_own_export_formats() -> None:
    a, b = DriveItem.from_api({"id": "a"}), DriveItem.from_api({"id": "b"})
    a.export_formats["pdf"] = "application/pdf"
    assert b.export_formats == {}
