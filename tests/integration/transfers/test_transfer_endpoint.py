"""The transfer routes over real HTTP on loopback: keys, chunks, resume, downloads."""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from support.transfers import call

from colab_panel.transfers.routes import TransferService


@pytest.fixture
def service(tmp_path: Path):
    svc = TransferService(default_dest=tmp_path / "in")
    yield svc
    svc.close()


def test_an_upload_goes_through_in_chunks_and_resumes(service: TransferService, tmp_path: Path):
    data = os.urandom(2_500_000)
    spec = {"name": "d/x.bin", "size_bytes": len(data), "last_modified_ms": 1}
    status, _, raw = call(service, "POST", "/transfers/upload", spec)
    up = json.loads(raw)
    assert status == 200 and up["committed_bytes"] == 0
    chunk = 1_000_000
    status, _, _ = call(service, "PUT", f"/transfers/upload/{up['id']}?offset=0", data[:chunk],
                         {"X-Chunk-Crc32": f"{zlib.crc32(data[:chunk]):08x}"})
    assert status == 200
    # the page reloads: it asks again and learns where to continue
    up = json.loads(call(service, "POST", "/transfers/upload", spec)[2])
    assert up["committed_bytes"] == chunk
    status, _, raw = call(service, "PUT", f"/transfers/upload/{up['id']}?offset=0", data[:chunk])
    assert status == 409 and json.loads(raw)["committed_bytes"] == chunk
    for offset in range(chunk, len(data), chunk):
        status, _, raw = call(service, "PUT", f"/transfers/upload/{up['id']}?offset={offset}",
                               data[offset:offset + chunk])
    final = json.loads(raw)
    assert final["done"]
    assert _md5_when_known(service, up["id"]) == hashlib.md5(data).hexdigest()
    assert (tmp_path / "in" / "d" / "x.bin").read_bytes() == data


def _md5_when_known(service: TransferService, upload_id: str) -> str | None:
    """What the page does after the last chunk: ask until the kernel has hashed the file."""
    for _ in range(200):
        answer = json.loads(call(service, "GET", f"/transfers/upload/{upload_id}")[2])
        if answer["md5"] or answer["md5_error"]:
            return answer["md5"]
        time.sleep(0.05)
    return None


def test_a_chunk_damaged_on_the_way_is_refused_then_sent_again(service: TransferService, tmp_path: Path):
    data = os.urandom(300_000)
    spec = {"name": "x.bin", "size_bytes": len(data), "last_modified_ms": 1}
    up = json.loads(call(service, "POST", "/transfers/upload", spec)[2])
    damaged = data[:1000] + bytes([data[1000] ^ 0x10]) + data[1001:]
    sent_crc = {"X-Chunk-Crc32": f"{zlib.crc32(data):08X}"}  # what the browser computed on what it read
    status, _, raw = call(service, "PUT", f"/transfers/upload/{up['id']}?offset=0", damaged, sent_crc)
    assert status == 400 and "damaged" in json.loads(raw)["error"]
    status, _, raw = call(service, "PUT", f"/transfers/upload/{up['id']}?offset=0", data, {"X-Chunk-Crc32": "12"})
    assert status == 400 and "8 hex digits" in json.loads(raw)["error"]
    assert json.loads(call(service, "GET", f"/transfers/upload/{up['id']}")[2])["committed_bytes"] == 0
    status, _, raw = call(service, "PUT", f"/transfers/upload/{up['id']}?offset=0", data, sent_crc)
    assert status == 200 and json.loads(raw)["done"]
    assert _md5_when_known(service, up["id"]) == hashlib.md5(data).hexdigest()
    assert (tmp_path / "in" / "x.bin").read_bytes() == data


def test_uploads_need_a_key(service: TransferService):
    status, _, _ = call(service, "POST", "/transfers/upload", {"name": "x", "size_bytes": 1}, token=False)
    assert status == 403


def test_a_bad_name_is_refused_in_words(service: TransferService):
    status, _, raw = call(service, "POST", "/transfers/upload", {"name": "../x", "size_bytes": 1})
    assert status == 400 and "refused" in json.loads(raw)["error"]


def test_a_download_ticket_works_once(service: TransferService, tmp_path: Path):
    target = tmp_path / "f.bin"
    target.write_bytes(b"x" * 100_000)
    url = service.download_url(target)
    status, headers, raw = call(service, "GET", "/" + url, token=False)
    assert status == 200 and raw == target.read_bytes()
    assert headers["Content-Disposition"].startswith('attachment; filename="f.bin"')
    status, _, _ = call(service, "GET", "/" + url, token=False)
    assert status == 403


def test_a_folder_downloads_as_one_zip(service: TransferService, tmp_path: Path):
    folder = tmp_path / "run"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "w.bin").write_bytes(os.urandom(200_000))
    status, _, raw = call(service, "POST", "/transfers/download-ticket", {"path": str(folder)})
    url = json.loads(raw)["url"]
    status, headers, raw = call(service, "GET", "/" + url, token=False)
    assert status == 200 and headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        assert archive.read("sub/w.bin") == (folder / "sub" / "w.bin").read_bytes()


def test_a_missing_path_is_refused_in_words(service: TransferService, tmp_path: Path):
    status, _, raw = call(service, "POST", "/transfers/download-ticket", {"path": str(tmp_path / "nope")})
    assert status == 400 and "no file or folder" in json.loads(raw)["error"]
