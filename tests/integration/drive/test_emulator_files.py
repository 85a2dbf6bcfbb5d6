"""Reading Drive through the emulator with unmodified PyDrive2 and googleapiclient over real HTTPS."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import httplib2
import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseDownload, MediaIoBaseUpload

from colab_panel.drive.emulator import DriveEmulator
from colab_panel.drive.emulator.client import make_http
from colab_panel.drive.parse import parse_drive_link


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def reason_of(error: HttpError) -> str:
    return error.error_details[0]["reason"]  # type: ignore[no-any-return]


def test_pydrive2_lists_every_item_across_short_pages(emulator: DriveEmulator, drive: Any, child: Any, known: Any) -> None:
    many = child(emulator.root_id, "many")
    emulator.requests.clear()

    files = drive.ListFile({"q": f"'{many.id}' in parents and trashed = false"}).GetList()

    assert sorted(f["title"] for f in files) == [f"f{i:02d}.txt" for i in range(known.many)]
    assert emulator.requests.count(method="GET", path="/drive/v2/files") == 3  # 7 + 7 + 6


def test_googleapiclient_paginates_with_list_next(emulator: DriveEmulator, service: Any, child: Any, known: Any) -> None:
    many = child(emulator.root_id, "many")
    request = service.files().list(q=f"'{many.id}' in parents", maxResults=1000, fields="items(id,title),nextPageToken")
    pages: list[list[dict[str, Any]]] = []
    while request is not None:
        response = request.execute()
        pages.append(response["items"])
        assert set(response["items"][0]) == {"id", "title"}  # fields= honoured
        request = service.files().list_next(request, response)
    assert [len(page) for page in pages] == [7, 7, 6]
    assert len({item["id"] for page in pages for item in page}) == known.many


def test_root_listing_and_about(emulator: DriveEmulator, service: Any) -> None:
    about = service.about().get().execute()
    assert about["rootFolderId"] == emulator.root_id
    assert about["user"]["emailAddress"] == "me@example.com"
    assert int(about["quotaBytesUsed"]) >= 300_000
    titles = set()
    request = service.files().list(q="'root' in parents and trashed = false")
    while request is not None:
        response = request.execute()
        titles |= {item["title"] for item in response["items"]}
        request = service.files().list_next(request, response)
    assert titles == {"a.txt", "big.bin", "empty.bin", "many", "sub", "Notes", "Budget", "to notes"}


def test_file_metadata_has_v2_shape(emulator: DriveEmulator, service: Any, child: Any) -> None:
    big = child(emulator.root_id, "big.bin")
    meta = service.files().get(fileId=big.id).execute()
    assert meta["title"] == "big.bin"
    assert meta["fileSize"] == "300000"
    assert meta["md5Checksum"] == md5(big.blob.read_bytes())
    assert meta["parents"] == [
        {
            "kind": "drive#parentReference",
            "id": emulator.root_id,
            "selfLink": f"{emulator.api_endpoint}files/{big.id}/parents/{emulator.root_id}",
            "parentLink": f"{emulator.api_endpoint}files/{emulator.root_id}",
            "isRoot": True,
        }
    ]
    assert meta["labels"]["trashed"] is False
    assert meta["downloadUrl"].startswith(emulator.api_endpoint)
    assert parse_drive_link(meta["alternateLink"]).id == big.id
    assert parse_drive_link(meta["webContentLink"]).id == big.id
    assert parse_drive_link(meta["embedLink"]).id == big.id
    assert meta["owners"][0]["emailAddress"] == "me@example.com"
    assert meta["capabilities"]["canEdit"] is True
    partial = service.files().get(fileId=big.id, fields="id,labels/trashed,parents(id)").execute()
    assert partial == {"id": big.id, "labels": {"trashed": False}, "parents": [{"id": emulator.root_id}]}


def test_native_docs_and_shortcuts_look_like_drive(service: Any, known: Any) -> None:
    doc = service.files().get(fileId=known.doc_id).execute()
    assert "md5Checksum" not in doc and "downloadUrl" not in doc
    assert "text/plain" in doc["exportLinks"]
    assert parse_drive_link(doc["alternateLink"]).kind == "document"
    shortcut = service.files().get(fileId=known.shortcut_id).execute()
    assert shortcut["mimeType"] == "application/vnd.google-apps.shortcut"
    assert shortcut["shortcutDetails"] == {"targetId": known.doc_id, "targetMimeType": "application/vnd.google-apps.document"}


def test_get_content_file_bytes_and_md5(emulator: DriveEmulator, drive: Any, tmp_path: Path, child: Any) -> None:
    big = child(emulator.root_id, "big.bin")
    handle = drive.CreateFile({"id": big.id})
    handle.FetchMetadata()
    target = tmp_path / "big.bin"
    emulator.requests.clear()

    handle.GetContentFile(str(target), chunksize=128 * 1024)

    assert target.read_bytes() == big.blob.read_bytes()
    assert md5(target.read_bytes()) == handle["md5Checksum"]
    assert emulator.requests.count(media=True, status=206) == 3  # 128K + 128K + 44K chunks


def test_empty_file_downloads_through_416(emulator: DriveEmulator, drive: Any, tmp_path: Path, child: Any) -> None:
    empty = child(emulator.root_id, "empty.bin")
    emulator.requests.clear()
    drive.CreateFile({"id": empty.id}).GetContentFile(str(tmp_path / "e"))
    assert (tmp_path / "e").read_bytes() == b""
    assert emulator.requests.count(media=True, status=416) == 1


def test_fetch_content_uses_download_url(emulator: DriveEmulator, drive: Any, child: Any) -> None:
    a = child(emulator.root_id, "a.txt")
    handle = drive.CreateFile({"id": a.id})
    handle.FetchMetadata()
    assert handle.GetContentString() == "hello drive\n"
    assert emulator.requests.count(path=f"/drive/v2/files/{a.id}", media=True) == 1


def test_range_requests_206_and_416(emulator: DriveEmulator, child: Any) -> None:
    big = child(emulator.root_id, "big.bin")
    http = make_http(emulator.ca_cert_path)
    url = f"{emulator.api_endpoint}files/{big.id}?alt=media"
    auth = {"Authorization": f"Bearer {emulator.token}"}
    expected = big.blob.read_bytes()

    resp, body = http.request(url, headers={**auth, "Range": "bytes=1000-1999"})
    assert (resp.status, resp["content-range"], body) == (206, "bytes 1000-1999/300000", expected[1000:2000])

    resp, body = http.request(url, headers={**auth, "Range": "bytes=-10"})
    assert (resp.status, body) == (206, expected[-10:])

    resp, body = http.request(url, headers={**auth, "Range": "bytes=300000-"})
    assert (resp.status, resp["content-range"]) == (416, "bytes */300000")

    resp, body = http.request(url, headers=auth)
    assert (resp.status, len(body), resp["accept-ranges"]) == (200, 300_000, "bytes")
    http.close()


def test_export_native_doc(emulator: DriveEmulator, drive: Any, service: Any, tmp_path: Path, known: Any) -> None:
    # PyDrive2 tries alt=media, gets 403 fileNotDownloadable, and falls back to export.
    drive.CreateFile({"id": known.doc_id}).GetContentFile(str(tmp_path / "notes.txt"))
    # as Drive sends it: a byte order mark, then the text with CRLF line breaks
    assert (tmp_path / "notes.txt").read_bytes() == "\ufeffmeeting notes\r\n".encode()
    assert emulator.requests.count(media=True, status=403) == 1

    buffer = io.BytesIO()
    downloader = MediaIoBaseDownload(buffer, service.files().export_media(fileId=known.sheet_id, mimeType="text/csv"))
    done = False
    while not done:
        _, done = downloader.next_chunk()
    assert buffer.getvalue() == b"a,b\n1,2\n"

    sheet = drive.CreateFile({"id": known.sheet_id})
    sheet.FetchMetadata()
    assert sheet.GetContentString(mimetype="text/csv") == "a,b\n1,2\n"  # via exportLinks


def test_download_and_export_errors(emulator: DriveEmulator, service: Any, child: Any, known: Any) -> None:
    with pytest.raises(HttpError) as caught:
        service.files().get_media(fileId=known.doc_id).execute()
    assert (caught.value.status_code, reason_of(caught.value)) == (403, "fileNotDownloadable")

    a = child(emulator.root_id, "a.txt")
    with pytest.raises(HttpError) as caught:
        service.files().export_media(fileId=a.id, mimeType="text/plain").execute()
    assert reason_of(caught.value) == "fileNotExportable"

    with pytest.raises(HttpError) as caught:
        service.files().export_media(fileId=known.doc_id, mimeType="image/gif").execute()
    assert (caught.value.status_code, reason_of(caught.value)) == (400, "badRequest")

    with pytest.raises(HttpError) as caught:
        service.files().get(fileId="1NoSuchFileNoSuchFileNoSuchFile00").execute()
    assert (caught.value.status_code, reason_of(caught.value)) == (404, "notFound")

    with pytest.raises(HttpError) as caught:
        service.files().list(q="title = ").execute()
    assert (caught.value.status_code, reason_of(caught.value)) == (400, "invalid")


def test_untrusted_certificate_is_refused(emulator: DriveEmulator, tmp_path: Path) -> None:
    # The cert really is verified: a client without the CA path cannot connect.
    http = httplib2.Http(ca_certs=str(Path(httplib2.certs.where())))
    with pytest.raises(Exception) as caught:
        http.request(emulator.api_endpoint + "about")
    http.close()
    assert "certificate" in str(caught.value).lower() or "ssl" in type(caught.value).__name__.lower()


def test_convert_on_insert_makes_a_google_doc(emulator: DriveEmulator, service: Any) -> None:
    def insert(data: bytes, mime: str, **params: Any) -> dict[str, Any]:
        media = MediaIoBaseUpload(io.BytesIO(data), mimetype=mime, resumable=False)
        return service.files().insert(body={"title": "in"}, media_body=media, **params).execute()  # type: ignore[no-any-return]

    doc = insert("\ufeffline one\r\nline two".encode(), "text/plain", convert=True)
    assert doc["mimeType"] == "application/vnd.google-apps.document"
    assert "downloadUrl" not in doc and "md5Checksum" not in doc and "text/plain" in doc["exportLinks"]
    exported = service.files().export_media(fileId=doc["id"], mimeType="text/plain").execute()
    assert exported == "\ufeffline one\r\nline two".encode()  # Drive's own BOM and CRLF, not a doubled mark

    sheet = insert(b"a,b\n1,2\n", "text/csv", convert=True)
    assert sheet["mimeType"] == "application/vnd.google-apps.spreadsheet"
    assert service.files().export_media(fileId=sheet["id"], mimeType="text/csv").execute() == b"a,b\n1,2\n"

    kept = insert(b"plain", "text/plain")  # no convert: stored as uploaded
    assert kept["mimeType"] == "text/plain" and kept["md5Checksum"]
    binary = insert(b"\x89PNG\r\n", "image/png", convert=True)  # nothing to import it as: stored as uploaded
    assert binary["mimeType"] == "image/png"

    about = service.about().get().execute()
    assert {"source": "text/plain", "targets": ["application/vnd.google-apps.document"]} in about["importFormats"]
