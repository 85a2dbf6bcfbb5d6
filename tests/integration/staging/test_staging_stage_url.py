"""stage() from http(s) URLs against a loopback server: resume, streaming tar, cache hit, hash."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

from colab_panel.errors import ChecksumMismatch, StagingCancelled
from colab_panel.staging.stager import stage

FILES = {f"imgs/{i:03d}.bin": os.urandom(20_000) for i in range(50)}


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in FILES.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _tgz_bytes() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in FILES.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _assert_files(dest: Path) -> None:
    for name, data in FILES.items():
        assert (dest / name).read_bytes() == data
    assert not list(dest.rglob("*.part"))


def test_zip_download_resumes_after_a_dropped_connection(tmp_path: Path, file_server) -> None:
    body = _zip_bytes()
    file_server.files["/data/set.zip"] = body
    file_server.drop_after["/data/set.zip"] = len(body) // 2
    result = stage(file_server.url("/data/set.zip"), tmp_path / "set", progress=None,
                   expected_hash="sha256:" + hashlib.sha256(body).hexdigest())
    _assert_files(tmp_path / "set")
    assert result.files == len(FILES) and not result.cached
    ranges = file_server.gets("/data/set.zip")
    assert ranges[0] is None and ranges[1] == f"bytes={len(body) // 2}-"  # only the rest fetched again
    assert not (tmp_path / "set" / ".colab_panel-download").exists()


def test_rerun_on_unchanged_source_is_a_cache_hit(tmp_path: Path, file_server) -> None:
    file_server.files["/set.zip"] = _zip_bytes()
    first = stage(file_server.url("/set.zip"), tmp_path / "set", progress=None)
    second = stage(file_server.url("/set.zip"), tmp_path / "set", progress=None)
    assert second.cached and (second.files, second.bytes) == (first.files, first.bytes)
    assert len(file_server.gets("/set.zip")) == 1  # no second download

    buf = io.BytesIO(file_server.files["/set.zip"])
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("new.txt", b"added later")
    file_server.files["/set.zip"] = buf.getvalue()  # new content: new ETag and length
    third = stage(file_server.url("/set.zip"), tmp_path / "set", progress=None)
    assert not third.cached and len(file_server.gets("/set.zip")) == 2


def test_tar_is_extracted_while_streaming_and_survives_a_drop(tmp_path: Path, file_server) -> None:
    body = _tgz_bytes()
    file_server.files["/set.tar.gz"] = body
    file_server.drop_after["/set.tar.gz"] = len(body) // 3
    result = stage(file_server.url("/set.tar.gz"), tmp_path / "set", progress=None,
                   expected_hash="md5:" + hashlib.md5(body).hexdigest())
    _assert_files(tmp_path / "set")
    assert result.files == len(FILES)
    assert file_server.gets("/set.tar.gz")[1] == f"bytes={len(body) // 3}-"
    assert not (tmp_path / "set" / ".colab_panel-download").exists()  # streamed: no archive kept


@pytest.mark.parametrize("path", ["/set.zip", "/set.tar.gz"])
def test_wrong_hash_keeps_nothing(tmp_path: Path, file_server, path: str) -> None:
    file_server.files[path] = _zip_bytes() if path.endswith("zip") else _tgz_bytes()
    dest = tmp_path / "set"
    with pytest.raises(ChecksumMismatch):
        stage(file_server.url(path), dest, progress=None, expected_hash="sha256:" + "0" * 64)
    leftovers = [p for p in dest.rglob("*") if p.name != ".colab_panel-manifest.json"] if dest.exists() else []
    assert [p for p in leftovers if p.is_file()] == []


def test_plain_file_url_lands_as_a_file(tmp_path: Path, file_server) -> None:
    file_server.files["/weights.bin"] = os.urandom(100_000)
    result = stage(file_server.url("/weights.bin"), tmp_path / "w", progress=None)
    assert (tmp_path / "w" / "weights.bin").read_bytes() == file_server.files["/weights.bin"]
    assert result.files == 1 and result.bytes == 100_000


def test_cancel_during_download_is_a_pause_the_next_stage_resumes(tmp_path: Path, file_server) -> None:
    file_server.files["/set.zip"] = body = _zip_bytes()
    file_server.bytes_per_second = max(1, len(body) // 2)  # about two seconds: the cancel lands midway
    cancel = threading.Event()

    def cancel_once_bytes_came(p: object) -> None:
        if getattr(p, "bytes_done", 0) > 0:
            cancel.set()

    with pytest.raises(StagingCancelled, match="partial download"):
        stage(file_server.url("/set.zip"), tmp_path / "set", cancel=cancel, progress=cancel_once_bytes_came)
    [part] = list((tmp_path / "set").rglob("*.part"))
    kept = part.stat().st_size
    assert 0 < kept < len(body)
    assert not list((tmp_path / "set").rglob("*.bin"))  # nothing extracted from half an archive
    file_server.bytes_per_second = None
    stage(file_server.url("/set.zip"), tmp_path / "set", progress=None)
    assert file_server.gets("/set.zip")[-1] == f"bytes={kept}-"  # only the rest was asked for
    assert {n: (tmp_path / "set" / n).read_bytes() for n in FILES} == FILES
