"""stage() from any fsspec store, here fsspec's in-memory one: files, archives, prefixes, caches, resume."""

from __future__ import annotations

import io
import tarfile
import uuid
import zipfile

import pytest

fsspec = pytest.importorskip("fsspec")

from colab_panel.errors import ChecksumMismatch, StagingError  # noqa: E402
from colab_panel.staging import stage  # noqa: E402
from colab_panel.staging.fsspec_source import FsspecFileSource, is_fsspec_url, md5_from_info  # noqa: E402
from colab_panel.staging.stager import classify  # noqa: E402


@pytest.fixture
def store():
    """A fresh memory:// root per test (the memory filesystem is process-wide)."""
    fs = fsspec.filesystem("memory")
    root = f"/t-{uuid.uuid4().hex[:8]}"
    yield fs, root
    if fs.exists(root):
        fs.rm(root, recursive=True)


def tar_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


@pytest.mark.parametrize("text, kind", [("s3://bucket/key.tgz", "fsspec"), ("gs://b/x", "fsspec"),
                                        ("hf://datasets/org/name/data.zip", "fsspec"), ("memory://x", "fsspec"),
                                        ("https://example.com/x.zip", "url"), ("data/x.zip", "path")])
def test_classify_sends_any_protocol_to_fsspec(text, kind):
    assert classify(text) == kind
    assert is_fsspec_url(text) is (kind == "fsspec")


def test_a_tar_is_extracted_and_a_rerun_is_a_cache_hit(store, tmp_path):
    fs, root = store
    fs.pipe(f"{root}/cats.tar.gz", tar_bytes({"a/1.txt": b"one", "a/2.txt": b"two"}))
    first = stage(f"memory://{root}/cats.tar.gz", tmp_path / "cats", progress=None)
    assert (tmp_path / "cats/a/2.txt").read_bytes() == b"two" and first.files == 2 and not first.cached
    again = stage(f"memory://{root}/cats.tar.gz", tmp_path / "cats", progress=None)
    assert again.cached
    fs.pipe(f"{root}/cats.tar.gz", tar_bytes({"a/1.txt": b"changed"}))
    changed = stage(f"memory://{root}/cats.tar.gz", tmp_path / "cats", progress=None)
    assert not changed.cached and (tmp_path / "cats/a/1.txt").read_bytes() == b"changed"


def test_a_zip_and_a_plain_file(store, tmp_path):
    fs, root = store
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("x/y.txt", "hello")
    fs.pipe(f"{root}/z.zip", out.getvalue())
    fs.pipe(f"{root}/weights.bin", b"\0" * 1000)
    assert (stage(f"memory://{root}/z.zip", tmp_path / "z", progress=None).path / "x/y.txt").read_text() == "hello"
    plain = stage(f"memory://{root}/weights.bin", tmp_path / "w", progress=None)
    assert (plain.path / "weights.bin").stat().st_size == 1000


def test_a_prefix_is_staged_as_a_folder_with_unsafe_keys_made_safe(store, tmp_path):
    fs, root = store
    for i in range(30):
        fs.pipe(f"{root}/ds/train/{i:03}.txt", f"sample {i}".encode())
    fs.pipe(f"{root}/ds/../escape.txt", b"x")  # a key, not a path: it must stay inside dest
    result = stage(f"memory://{root}/ds/", tmp_path / "ds", progress=None, workers=4)
    assert result.files == 31 and (tmp_path / "ds/train/029.txt").read_text() == "sample 29"
    assert not (tmp_path / "escape.txt").exists() and (tmp_path / "ds/_/escape.txt").read_bytes() == b"x"
    assert stage(f"memory://{root}/ds", tmp_path / "ds", progress=None).cached
    fs.pipe(f"{root}/ds/train/new.txt", b"new")
    grown = stage(f"memory://{root}/ds", tmp_path / "ds", progress=None)
    assert not grown.cached and grown.files == 32 and (tmp_path / "ds/train/new.txt").read_text() == "new"


def test_a_prefix_rerun_fetches_only_what_is_missing(store, tmp_path, monkeypatch):
    fs, root = store
    for i in range(10):
        fs.pipe(f"{root}/p/{i}.bin", bytes([i]) * 100)
    stage(f"memory://{root}/p", tmp_path / "p", progress=None)
    (tmp_path / "p/3.bin").unlink()
    fs.pipe(f"{root}/p/extra.bin", b"e")  # the listing changed: not a cache hit
    opened: list[str] = []
    real = FsspecFileSource.open_range
    monkeypatch.setattr(FsspecFileSource, "open_range",
                        lambda self, start: (opened.append(self.path), real(self, start))[1])
    stage(f"memory://{root}/p", tmp_path / "p", progress=None)
    assert sorted(p.rsplit("/", 1)[-1] for p in opened) == ["3.bin", "extra.bin"]


def test_expected_hash_is_checked(store, tmp_path):
    fs, root = store
    fs.pipe(f"{root}/f.bin", b"data")
    with pytest.raises(ChecksumMismatch):
        stage(f"memory://{root}/f.bin", tmp_path / "f", expected_hash="md5:" + "0" * 32, progress=None)
    assert not (tmp_path / "f/f.bin").exists()


def test_a_missing_key_and_an_unknown_protocol_are_errors_in_words(store, tmp_path):
    fs, root = store
    with pytest.raises(StagingError, match="does not exist"):
        stage(f"memory://{root}/nothing.zip", tmp_path / "n", progress=None)
    with pytest.raises(StagingError, match="nosuchstore"):
        stage("nosuchstore://bucket/x.zip", tmp_path / "n", progress=None)


@pytest.mark.parametrize("info, md5", [
    ({"ETag": '"9e107d9d372bb6826bd81d3542a419d6"'}, "9e107d9d372bb6826bd81d3542a419d6"),
    ({"ETag": '"9e107d9d372bb6826bd81d3542a419d6-3"'}, None),  # multipart: not an md5
    ({"ETag": '"9e107d9d372bb6826bd81d3542a419d6"', "ServerSideEncryption": "aws:kms"}, None),
    ({"md5Hash": "nhB9nTcrtoJr2B01QqQZ1g=="}, "9e107d9d372bb6826bd81d3542a419d6"),  # GCS: base64
    ({"size": 3}, None),
])
def test_md5_is_read_where_the_store_has_one(info, md5):
    assert md5_from_info(info) == md5


def test_s3_gets_a_connection_pool_as_large_as_the_requests_in_flight():
    from colab_panel.staging.fsspec_source import _pooled

    assert _pooled("s3://b/k", None, 20) == {"config_kwargs": {"max_pool_connections": 20}}
    mine = {"anon": True, "config_kwargs": {"max_pool_connections": 4, "read_timeout": 9}}
    assert _pooled("s3://b/k", mine, 20) == mine  # the caller's choice stands
    assert _pooled("gs://b/k", {"token": "anon"}, 20) == {"token": "anon"}
