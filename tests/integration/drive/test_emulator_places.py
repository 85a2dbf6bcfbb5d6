"""The Drive tab's places against the emulator over real HTTPS, as Drive API v2 answers them:
shared with me, starred, trash (untrash, emptyTrash), shared drives (drives.list, teamdrives.list,
`includeItemsFromAllDrives`/`supportsAllDrives`) and search by name (`title contains`), paged."""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError

from colab_panel.drive.emulator import DriveEmulator

TEAM_ID = "0ATeamTeamTeamTeamUk9PVA"
TEAM_FILE_ID = "1TeamFileTeamFileTeamFileTeamF00"


@pytest.fixture
def manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    manifest = dict(manifest)
    manifest["items"] = [*manifest["items"],
                         {"title": "starred report.pdf", "starred": True, "content": "r"},
                         {"title": "old draft.txt", "trashed": True, "content": "d"},
                         {"title": "old folder", "trashed": True, "children": [{"title": "inside.txt", "content": "i"}]}]
    manifest["sharedDrives"] = [
        {"name": "Team data", "id": TEAM_ID, "members": [{"email": "me@example.com", "role": "organizer"},
                                                       {"email": "bob@example.com", "role": "reader"}],
         "children": [{"title": "team report.csv", "id": TEAM_FILE_ID, "content": "a,b\n"}]},
        *({"name": f"Drive {n:02d}", "members": [{"email": "me@example.com", "role": "reader"}]} for n in range(9)),
        {"name": "Not mine", "members": [{"email": "alice@example.com", "role": "organizer"}]},
    ]
    return manifest


def titles(service: Any, **params: Any) -> list[str]:
    """Every page of a files.list, as titles."""
    out: list[str] = []
    request = service.files().list(maxResults=1000, fields="items(title),nextPageToken", **params)
    while request is not None:
        answer = request.execute()
        out += [item["title"] for item in answer.get("items", [])]
        request = service.files().list_next(request, answer)
    return sorted(out)


def test_shared_with_me_lists_others_files_not_mine_nor_shared_drive_items(service: Any) -> None:
    found = titles(service, q="sharedWithMe and trashed = false", includeItemsFromAllDrives=True, supportsAllDrives=True)
    assert found == ["alice-shares-with-everyone.txt"]  # link-only items are not "shared with me"


def test_starred_and_trash(service: Any) -> None:
    assert titles(service, q="starred = true and trashed = false") == ["starred report.pdf"]
    # inside.txt is trashed with its folder, not by itself: Drive's Trash shows explicitly trashed items
    assert titles(service, q="trashed = true") == ["inside.txt", "old draft.txt", "old folder"]


def test_untrash_brings_a_file_back(service: Any, emulator: DriveEmulator) -> None:
    draft = next(i for i in emulator.store.items.values() if i.title == "old draft.txt")
    answer = service.files().untrash(fileId=draft.id, fields="labels(trashed)").execute()
    assert answer["labels"]["trashed"] is False
    assert "old draft.txt" not in titles(service, q="trashed = true")


def test_empty_trash_deletes_only_my_trashed_items_for_good(service: Any, emulator: DriveEmulator) -> None:
    alice = emulator.build_service("alice-token")
    alice_file = alice.files().insert(body={"title": "alice trash"}, fields="id").execute()["id"]
    alice.files().trash(fileId=alice_file).execute()

    service.files().emptyTrash().execute()

    assert titles(service, q="trashed = true") == []
    assert not any(i.title in ("old draft.txt", "inside.txt") for i in emulator.store.items.values())
    assert emulator.store.get(alice_file) is not None  # only the caller's trash is emptied


def test_search_by_name_is_word_prefix_and_paged(service: Any, emulator: DriveEmulator) -> None:
    emulator.requests.clear()
    found = titles(service, q="title contains 'f1' and trashed = false")
    assert found == [f"f{i}.txt" for i in range(10, 20)]
    assert emulator.requests.count(method="GET", path="/drive/v2/files") == 2  # 7 + 3
    assert titles(service, q="title contains 'report' and trashed = false") == ["starred report.pdf"]
    everywhere = titles(service, q="title contains 'report' and trashed = false",
                        includeItemsFromAllDrives=True, supportsAllDrives=True, corpora="allDrives")
    assert everywhere == ["starred report.pdf", "team report.csv"]


def test_drives_list_pages_through_my_shared_drives(service: Any) -> None:
    names: list[str] = []
    request = service.drives().list(maxResults=100)
    pages = 0
    while request is not None:
        answer = request.execute()
        pages += 1
        assert answer["kind"] == "drive#driveList"
        names += [d["name"] for d in answer["items"]]
        request = service.drives().list_next(request, answer)
    assert names == ["Team data", *(f"Drive {n:02d}" for n in range(9))]  # not "Not mine"
    assert pages == 2  # the emulator's short pages: 7 + 3
    legacy = service.teamdrives().list(maxResults=2).execute()
    assert legacy["kind"] == "drive#teamDriveList" and legacy["items"][0]["kind"] == "drive#teamDrive"


def test_shared_drive_items_need_the_all_drives_flags(service: Any) -> None:
    q = f"'{TEAM_ID}' in parents and trashed = false"
    assert titles(service, q=q) == []  # without includeItemsFromAllDrives: hidden
    assert titles(service, q=q, includeItemsFromAllDrives=True, supportsAllDrives=True) == ["team report.csv"]
    assert titles(service, q="trashed = false", corpora="drive", driveId=TEAM_ID,
                  includeItemsFromAllDrives=True, supportsAllDrives=True) == ["team report.csv"]
    with pytest.raises(HttpError) as refused:
        service.files().list(corpora="drive", driveId=TEAM_ID).execute()
    assert refused.value.resp.status == 400
    with pytest.raises(HttpError) as hidden:
        service.files().get(fileId=TEAM_FILE_ID).execute()
    assert hidden.value.resp.status == 404
    item = service.files().get(fileId=TEAM_FILE_ID, supportsAllDrives=True).execute()
    assert item["driveId"] == TEAM_ID and "owners" not in item
    root = service.files().get(fileId=TEAM_ID, supportsAllDrives=True).execute()
    assert root["title"] == "Team data" and root["mimeType"].endswith(".folder")


def test_shared_drive_roles_decide_who_may_write(emulator: DriveEmulator) -> None:
    bob = emulator.build_service("bob-token")
    with pytest.raises(HttpError) as refused:
        bob.files().trash(fileId=TEAM_FILE_ID, supportsAllDrives=True).execute()
    assert refused.value.resp.status == 403
    me = emulator.build_service()
    made = me.files().insert(body={"title": "new.txt", "parents": [{"id": TEAM_ID}]}, supportsAllDrives=True,
                             fields="id,driveId").execute()
    assert made["driveId"] == TEAM_ID
    me.files().delete(fileId=made["id"], supportsAllDrives=True).execute()  # organizers may delete
