"""Writing through the emulator: multipart and resumable uploads, rename, move, trash, delete, copy."""

from __future__ import annotations

import io
import json
import random
from typing import Any

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from colab_panel.drive.emulator import DriveEmulator


def reason_of(error: HttpError) -> str:
    return error.error_details[0]["reason"]  # type: ignore[no-any-return]


def download(service: Any, file_id: str) -> bytes:
    return service.files().get_media(fileId=file_id).execute()  # type: ignore[no-any-return]


def test_multipart_upload(emulator: DriveEmulator, service: Any, child: Any) -> None:
    sub = child(emulator.root_id, "sub")
    payload = bytes(range(256)) * 40 + b"\r\n--tricky--\n"
    media = MediaIoBaseUpload(io.BytesIO(payload), mimetype="application/octet-stream", resumable=False)
    created = service.files().insert(body={"title": "m.bin", "parents": [{"id": sub.id}]}, media_body=media).execute()

    assert (created["title"], created["fileSize"], created["parents"][0]["id"]) == ("m.bin", str(len(payload)), sub.id)
    assert download(service, created["id"]) == payload
    assert emulator.requests.count(method="POST", path="/upload/drive/v2/files") == 1
    assert emulator.requests.records[-2].query["uploadType"] == "multipart"


def test_resumable_upload_in_chunks(emulator: DriveEmulator, service: Any) -> None:
    payload = random.Random(7).randbytes(600 * 1024)
    media = MediaIoBaseUpload(io.BytesIO(payload), mimetype="application/x-data", chunksize=256 * 1024, resumable=True)
    request = service.files().insert(body={"title": "r.bin"}, media_body=media)
    response = None
    progress = []
    while response is None:
        status, response = request.next_chunk()
        if status:
            progress.append(status.resumable_progress)

    assert progress == [256 * 1024, 512 * 1024]
    assert response["fileSize"] == str(len(payload)) and response["mimeType"] == "application/x-data"
    assert download(service, response["id"]) == payload
    assert emulator.requests.count(method="PUT", path="/upload/drive/v2/files", status=308) == 2
    assert emulator.requests.count(method="PUT", path="/upload/drive/v2/files", status=200) == 1


def test_pydrive2_upload_new_and_replace_content(emulator: DriveEmulator, drive: Any, service: Any) -> None:
    handle = drive.CreateFile({"title": "notes.txt", "mimeType": "text/plain"})
    handle.SetContentString("first")
    handle.Upload()
    assert download(service, handle["id"]) == b"first"

    handle.SetContentString("second version")
    handle.Upload()
    meta = service.files().get(fileId=handle["id"]).execute()
    assert (meta["fileSize"], download(service, handle["id"])) == ("14", b"second version")


def test_pydrive2_folder_rename_and_move(emulator: DriveEmulator, drive: Any, service: Any, child: Any) -> None:
    folder = drive.CreateFile({"title": "new folder", "mimeType": "application/vnd.google-apps.folder"})
    folder.Upload()
    a = child(emulator.root_id, "a.txt")

    handle = drive.CreateFile({"id": a.id})
    handle.FetchMetadata()
    handle["title"] = "renamed.txt"
    handle["parents"] = [{"id": folder["id"]}]
    handle.Upload()

    meta = service.files().get(fileId=a.id).execute()
    assert meta["title"] == "renamed.txt"
    assert [p["id"] for p in meta["parents"]] == [folder["id"]]


def test_move_with_add_and_remove_parents(emulator: DriveEmulator, service: Any, child: Any) -> None:
    sub = child(emulator.root_id, "sub")
    a = child(emulator.root_id, "a.txt")
    moved = service.files().patch(fileId=a.id, addParents=sub.id, removeParents=emulator.root_id, body={}).execute()
    assert [p["id"] for p in moved["parents"]] == [sub.id]
    listed = service.files().list(q=f"'{sub.id}' in parents and title = 'a.txt'").execute()["items"]
    assert [item["id"] for item in listed] == [a.id]


def test_moving_a_folder_into_itself_or_a_file_is_refused(emulator: DriveEmulator, service: Any, child: Any) -> None:
    sub = child(emulator.root_id, "sub")
    deeper = child(sub.id, "deeper")
    with pytest.raises(HttpError) as caught:
        service.files().patch(fileId=sub.id, addParents=deeper.id, removeParents=emulator.root_id, body={}).execute()
    assert (caught.value.status_code, reason_of(caught.value)) == (400, "invalid")
    a = child(emulator.root_id, "a.txt")
    with pytest.raises(HttpError) as caught:
        service.files().patch(fileId=sub.id, body={"parents": [{"id": a.id}]}).execute()
    assert caught.value.status_code == 400


def test_trash_untrash_delete(emulator: DriveEmulator, drive: Any, service: Any, child: Any) -> None:
    sub = child(emulator.root_id, "sub")
    nested = child(sub.id, "nested.txt")
    handle = drive.CreateFile({"id": sub.id})
    handle.Trash()
    assert service.files().get(fileId=nested.id).execute()["labels"]["trashed"] is True  # trashed with its folder
    visible = service.files().list(q="'root' in parents and trashed = false", maxResults=100).execute()
    assert "sub" not in {item["title"] for item in visible["items"]}

    handle.UnTrash()
    assert service.files().get(fileId=nested.id).execute()["labels"]["trashed"] is False

    handle.Delete()
    for gone in (sub.id, nested.id):
        with pytest.raises(HttpError) as caught:
            service.files().get(fileId=gone).execute()
        assert reason_of(caught.value) == "notFound"


def test_copy(emulator: DriveEmulator, drive: Any, service: Any, child: Any) -> None:
    a = child(emulator.root_id, "a.txt")
    sub = child(emulator.root_id, "sub")
    copied = drive.CreateFile({"id": a.id}).Copy(target_folder=drive.CreateFile({"id": sub.id}), new_title="copy.txt")
    assert copied["title"] == "copy.txt" and copied["id"] != a.id
    assert [p["id"] for p in copied["parents"]] == [sub.id]
    assert download(service, copied["id"]) == b"hello drive\n"
    assert copied["md5Checksum"] == service.files().get(fileId=a.id).execute()["md5Checksum"]


def test_revisions_keep_each_uploaded_content(emulator: DriveEmulator, service: Any, child: Any) -> None:
    def upload(data: bytes, **params: Any) -> dict[str, Any]:
        media = MediaIoBaseUpload(io.BytesIO(data), mimetype="text/plain", resumable=False)
        if "fileId" in params:
            return service.files().update(media_body=media, **params).execute()  # type: ignore[no-any-return]
        return service.files().insert(body={"title": "v.txt"}, media_body=media).execute()  # type: ignore[no-any-return]

    created = upload(b"one")
    upload(b"two", fileId=created["id"])
    upload(b"three", fileId=created["id"], body={"title": "renamed.txt"})
    service.files().patch(fileId=created["id"], body={"description": "metadata only: no revision"}).execute()
    revisions = service.revisions().list(fileId=created["id"]).execute()["items"]

    assert [r["fileSize"] for r in revisions] == ["3", "3", "5"]
    assert [r["originalFilename"] for r in revisions] == ["v.txt", "v.txt", "renamed.txt"]
    assert service.files().get(fileId=created["id"]).execute()["headRevisionId"] == revisions[-1]["id"]
    oldest = service.revisions().get(fileId=created["id"], revisionId=revisions[0]["id"]).execute()
    assert oldest["md5Checksum"] == "f97c5d29941bfb1b2fdab0874906ab82"  # md5(b"one")
    resp, body = service._http.request(oldest["downloadUrl"])
    assert (resp.status, body) == (200, b"one")

    upload(b"four", fileId=created["id"], newRevision=False)  # replaces the head instead of adding one
    revisions = service.revisions().list(fileId=created["id"]).execute()["items"]
    assert [r["fileSize"] for r in revisions] == ["3", "3", "4"]
    with pytest.raises(HttpError) as caught:
        service.revisions().get(fileId=created["id"], revisionId="0BNoSuchRevision").execute()
    assert (caught.value.status_code, reason_of(caught.value)) == (404, "notFound")

    seeded = child(emulator.root_id, "a.txt")  # a seeded file has its one revision from the start
    [only] = service.revisions().list(fileId=seeded.id).execute()["items"]
    assert only["fileSize"] == str(seeded.size) and only["id"] == service.files().get(fileId=seeded.id).execute()["headRevisionId"]
    sub = child(emulator.root_id, "sub")
    assert service.revisions().list(fileId=sub.id).execute()["items"] == []  # folders have no content


def test_pydrive2_get_revisions(drive: Any) -> None:
    handle = drive.CreateFile({"title": "empty"})
    handle.Upload()  # metadata only: still one (empty) revision, as on Drive
    [revision] = handle.GetRevisions()
    assert revision["kind"] == "drive#revision" and revision["fileSize"] == "0" and handle["revisions"] == [revision]


def test_a_completed_upload_session_answers_with_its_file(emulator: DriveEmulator, service: Any) -> None:
    """As Drive does: a client whose answer to the last chunk was lost asks again and gets the file."""
    payload = b"x" * (300 * 1024)
    media = MediaIoBaseUpload(io.BytesIO(payload), mimetype="application/x-data", chunksize=256 * 1024, resumable=True)
    request = service.files().insert(body={"title": "once.bin"}, media_body=media)
    response = None
    while response is None:
        _, response = request.next_chunk()
    resp, body = service._http.request(request.resumable_uri, "PUT",
                                       headers={"Content-Length": "0", "Content-Range": f"bytes */{len(payload)}"})
    assert resp.status == 200 and json.loads(body)["id"] == response["id"]
    assert [item.title for item in emulator.store.children(emulator.root_id)].count("once.bin") == 1
