"""stage("s3://...") against a real S3 server on loopback (moto in server mode) through s3fs, unmodified."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import uuid

import pytest

pytest.importorskip("s3fs", reason="s3fs is in the test-stores extra (not on Colab's stack)")
pytest.importorskip("moto.server", reason="moto[server] is in the test-stores extra")

from colab_panel.errors import ChecksumMismatch, StagingError  # noqa: E402
from colab_panel.staging import parallel_ranges, stage  # noqa: E402
from colab_panel.staging.fsspec_source import FsspecFileSource  # noqa: E402
from colab_panel.staging.sources import DownloadInterrupted  # noqa: E402
from support.s3_server import s3_server  # noqa: E402


@pytest.fixture(scope="module")
def s3():
    with s3_server() as server:
        yield server


@pytest.fixture
def bucket(s3):
    name = f"b-{uuid.uuid4().hex[:10]}"
    s3.client.create_bucket(Bucket=name)
    return name


def put(s3, bucket, key, data: bytes) -> None:
    s3.client.put_object(Bucket=bucket, Key=key, Body=data)


def tgz(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def test_an_archive_is_md5_checked_extracted_and_then_a_cache_hit(s3, bucket, tmp_path):
    put(s3, bucket, "sets/cats.tar.gz", tgz({"cats/1.txt": b"meow", "cats/2.txt": b"purr"}))
    head = s3.client.head_object(Bucket=bucket, Key="sets/cats.tar.gz")
    url = f"s3://{bucket}/sets/cats.tar.gz"
    first = stage(url, tmp_path / "cats", storage_options=s3.options, progress=None)
    assert (first.path / "cats/2.txt").read_bytes() == b"purr" and not first.cached
    manifest = (first.path / ".colab_panel-manifest.json").read_text()
    assert head["ETag"].strip('"') in manifest  # the object's version is part of the cache identity
    assert stage(url, tmp_path / "cats", storage_options=s3.options, progress=None).cached
    put(s3, bucket, "sets/cats.tar.gz", tgz({"cats/1.txt": b"changed"}))
    again = stage(url, tmp_path / "cats", storage_options=s3.options, progress=None)
    assert not again.cached and (again.path / "cats/1.txt").read_bytes() == b"changed"


def test_a_prefix_is_fetched_in_parallel_and_verified(s3, bucket, tmp_path):
    blobs = {f"ds/train/{i:03}.bin": os.urandom(1000 + i) for i in range(60)}
    for key, data in blobs.items():
        put(s3, bucket, key, data)
    put(s3, bucket, "other/not-this.bin", b"x")
    result = stage(f"s3://{bucket}/ds", tmp_path / "ds", storage_options=s3.options, progress=None, workers=8)
    assert result.files == 60 and result.bytes == sum(map(len, blobs.values()))
    for key, data in blobs.items():
        assert (tmp_path / key).read_bytes() == data
    assert not (tmp_path / "ds/other").exists()
    assert stage(f"s3://{bucket}/ds/", tmp_path / "ds", storage_options=s3.options, progress=None).cached


def test_an_object_that_changes_under_the_download_fails_its_md5_and_leaves_nothing(s3, bucket, tmp_path,
                                                                                   monkeypatch):
    put(s3, bucket, "p/a.bin", b"A" * 5000)
    put(s3, bucket, "p/b.bin", b"B" * 5000)
    real = FsspecFileSource.open_range

    def swap_then_open(self, start):  # listed with one ETag, rewritten before its bytes are read
        if self.path.endswith("b.bin"):
            put(s3, bucket, "p/b.bin", b"C" * 5000)
        return real(self, start)

    monkeypatch.setattr(FsspecFileSource, "open_range", swap_then_open)
    with pytest.raises(ChecksumMismatch):
        stage(f"s3://{bucket}/p", tmp_path / "p", storage_options=s3.options, progress=None, workers=1)
    assert not (tmp_path / "p/b.bin").exists()


def test_a_multipart_object_comes_as_parallel_ranges_checked_by_size(s3, bucket, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel_ranges, "PARALLEL_MIN_BYTES", 1024 * 1024)
    monkeypatch.setattr(parallel_ranges, "DEFAULT_PIECE", 1024 * 1024)
    part = os.urandom(5 * 1024 * 1024)  # S3's smallest part
    upload = s3.client.create_multipart_upload(Bucket=bucket, Key="big/weights.bin")
    etags = [s3.client.upload_part(Bucket=bucket, Key="big/weights.bin", PartNumber=n, UploadId=upload["UploadId"],
                                   Body=part)["ETag"] for n in (1, 2)]
    s3.client.complete_multipart_upload(Bucket=bucket, Key="big/weights.bin", UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": [{"ETag": e, "PartNumber": n}
                                                                   for n, e in zip((1, 2), etags)]})
    assert "-" in s3.client.head_object(Bucket=bucket, Key="big/weights.bin")["ETag"]
    ranges: list[tuple[int, int]] = []
    real = FsspecFileSource.read_range
    monkeypatch.setattr(FsspecFileSource, "read_range",
                        lambda self, start, length: (ranges.append((start, length)), real(self, start, length))[1])
    result = stage(f"s3://{bucket}/big/weights.bin", tmp_path / "w", storage_options=s3.options, progress=None)
    data = (result.path / "weights.bin").read_bytes()
    assert hashlib.sha256(data).digest() == hashlib.sha256(part + part).digest()
    # Pieces of 1 MiB, each fetched in reads sized to the measured rate (so a cancel never waits
    # for a whole piece): the reads tile the object exactly, none larger than a piece.
    spans = sorted(ranges)
    assert spans[0][0] == 0 and all(a + n == b for (a, n), (b, _) in zip(spans, spans[1:]))
    assert sum(n for _, n in spans) == len(part) * 2 and max(n for _, n in spans) <= 1024 * 1024
    assert len(spans) >= 10


def test_a_dropped_download_resumes_from_its_part_file(s3, bucket, tmp_path, monkeypatch):
    blob = os.urandom(3 * 1024 * 1024)
    put(s3, bucket, "model.bin", blob)
    real = FsspecFileSource.open_range
    starts: list[int] = []

    budget = [1024 * 1024]  # bytes the network delivers in the first run, over every reconnect

    class Dropping(io.RawIOBase):
        def __init__(self, inner):
            self.inner = inner

        def read(self, size=-1):
            if budget[0] <= 0:
                raise ConnectionError("connection reset")
            data = self.inner.read(min(size if size and size > 0 else budget[0], 256 * 1024, budget[0]))
            budget[0] -= len(data)
            return data

    def open_dropping(self, start):
        starts.append(start)
        stream, actual = real(self, start)
        return Dropping(stream), actual

    monkeypatch.setattr(FsspecFileSource, "open_range", open_dropping)
    with pytest.raises(DownloadInterrupted):
        stage(f"s3://{bucket}/model.bin", tmp_path / "m", storage_options=s3.options, progress=None)
    kept = list((tmp_path / "m").rglob("*.part"))
    assert kept and kept[0].stat().st_size == 1024 * 1024
    assert starts[0] == 0 and set(starts[1:]) == {1024 * 1024}  # every reconnect asked from where it was
    rerun: list[int] = []
    monkeypatch.setattr(FsspecFileSource, "open_range", lambda self, start: (rerun.append(start), real(self, start))[1])
    result = stage(f"s3://{bucket}/model.bin", tmp_path / "m", storage_options=s3.options, progress=None)
    assert (result.path / "model.bin").read_bytes() == blob
    assert rerun == [1024 * 1024]  # the rerun fetched only the rest


def test_a_missing_bucket_is_an_error_in_words(s3, tmp_path):
    with pytest.raises(StagingError, match="does not exist"):
        stage("s3://no-such-bucket-here/x.zip", tmp_path / "x", storage_options=s3.options, progress=None)
