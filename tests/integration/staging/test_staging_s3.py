"""stage("s3://...") against a real S3 server on loopback (moto in server mode) through s3fs, unmodified."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tarfile
import threading
import time
import uuid

import pytest

pytest.importorskip("s3fs", reason="s3fs is in the test-stores extra (not on Colab's stack)")
pytest.importorskip("moto.server", reason="moto[server] is in the test-stores extra")

from colab_panel.errors import ChecksumMismatch, StagingCancelled, StagingError  # noqa: E402
from colab_panel.staging import fsspec_batch, parallel_ranges, stage  # noqa: E402
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


class HoldObjectGets:
    """WSGI middleware: each GET of an object under `prefix` waits until `wanted` have arrived (or `wait_s`).

    `most` is then how many the client had in flight at once.
    """

    def __init__(self, app, prefix: str, wanted: int, wait_s: float = 20) -> None:
        self.app, self.prefix, self.wanted, self.wait_s = app, prefix, wanted, wait_s
        self.arrived = self.waiting = self.most = 0
        self.cond = threading.Condition()

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] != "GET" or not environ["PATH_INFO"].startswith(self.prefix):
            return self.app(environ, start_response)
        with self.cond:
            self.arrived += 1
            self.waiting += 1
            self.most = max(self.most, self.waiting)
            self.cond.notify_all()
            self.cond.wait_for(lambda: self.arrived >= self.wanted, timeout=self.wait_s)
            self.waiting -= 1
        return self.app(environ, start_response)


class SlowObjectGets:
    """WSGI middleware: each GET of an object under `prefix` takes `delay_s` more, all at once or one at a time.

    `most` is how many the client had in flight at once (waiting or answered here).
    """

    def __init__(self, app, prefix: str, delay_s: float, one_at_a_time: bool) -> None:
        self.app, self.prefix, self.delay_s = app, prefix, delay_s
        self.server = threading.Lock() if one_at_a_time else contextlib.nullcontext()
        self.count = threading.Lock()
        self.in_flight = self.most = 0

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] != "GET" or not environ["PATH_INFO"].startswith(self.prefix):
            return self.app(environ, start_response)
        with self.count:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        try:
            with self.server:
                time.sleep(self.delay_s)
                return self.app(environ, start_response)
        finally:
            with self.count:
                self.in_flight -= 1


def most_in_flight(tmp_path, objects: int, delay_s: float, one_at_a_time: bool) -> int:
    slow: list[SlowObjectGets] = []

    def wrap(app):
        slow.append(SlowObjectGets(app, "/paced/ds/", delay_s, one_at_a_time))
        return slow[0]

    with s3_server(wrap=wrap) as s3:
        s3.client.create_bucket(Bucket="paced")
        blobs = {f"ds/{i:03}.bin": os.urandom(100 + i) for i in range(objects)}
        for key, data in blobs.items():
            put(s3, "paced", key, data)
        seen: list = []
        result = stage("s3://paced/ds", tmp_path / "ds", storage_options=s3.options, progress=seen.append)
    assert result.files == objects and all((tmp_path / k).read_bytes() == d for k, d in blobs.items())
    last = seen[-1]
    assert (last.files_done, last.bytes_done) == (objects, sum(map(len, blobs.values())))
    return slow[0].most


def test_requests_in_flight_grow_where_each_get_waits_a_round_trip(tmp_path):
    # A store far away answers many at once, each a round trip late: more in flight, fewer round trips.
    assert most_in_flight(tmp_path, 60, delay_s=0.2, one_at_a_time=False) > fsspec_batch.FIRST_WINDOW


def test_requests_in_flight_stay_few_where_the_server_answers_one_at_a_time(tmp_path):
    # A busy server (one GIL, one CPU) answers no faster for more requests queued: each one more
    # only makes it work harder (64 in flight cost moto 1.5-3.6 s of CPU for 500 GETs, 16 cost 0.9 s).
    assert most_in_flight(tmp_path, 100, delay_s=0.005, one_at_a_time=True) <= fsspec_batch.IN_FLIGHT // 2


def test_workers_caps_the_requests_in_flight(tmp_path):
    holds: list[HoldObjectGets] = []

    def wrap(app):
        holds.append(HoldObjectGets(app, "/few/ds/", wanted=12, wait_s=0.5))  # never reached with 3
        return holds[0]

    with s3_server(wrap=wrap) as s3:
        s3.client.create_bucket(Bucket="few")
        for i in range(12):
            put(s3, "few", f"ds/{i:02}.bin", b"x" * (10 + i))
        result = stage("s3://few/ds", tmp_path / "ds", storage_options=s3.options, progress=None, workers=3)
    assert result.files == 12 and holds[0].most == 3


def test_a_cancel_stops_at_once_and_the_rerun_fetches_only_what_is_not_on_disk(tmp_path):
    cancel, release = threading.Event(), threading.Event()
    gets: list[str] = []
    rerun_gets: list[str] = []  # told apart by user agent: the first run's held GETs may land after it starts

    class CancelAfterTen:  # ten objects answer; from the eleventh on they wait, and the user cancels
        def __init__(self, app):
            self.app = app

        def __call__(self, environ, start_response):
            if environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"].startswith("/halt/ds/"):
                if "colab-panel-rerun" in environ.get("HTTP_USER_AGENT", ""):
                    rerun_gets.append(environ["PATH_INFO"])
                    return self.app(environ, start_response)
                gets.append(environ["PATH_INFO"])
                if len(gets) > 10 and not release.is_set():
                    cancel.set()
                    release.wait(30)
            return self.app(environ, start_response)

    with s3_server(wrap=CancelAfterTen) as s3:
        s3.client.create_bucket(Bucket="halt")
        blobs = {f"ds/{i:02}.bin": os.urandom(200 + i) for i in range(30)}
        for key, data in blobs.items():
            put(s3, "halt", key, data)
        with pytest.raises(StagingCancelled):
            stage("s3://halt/ds", tmp_path / "ds", storage_options=s3.options, progress=None, cancel=cancel)
        assert not release.is_set()  # it returned while its requests were still held
        release.set()
        kept = {p.relative_to(tmp_path).as_posix() for p in (tmp_path / "ds").glob("*.bin")}
        assert all((tmp_path / k).read_bytes() == blobs[k] for k in kept)  # what is there is whole
        assert not list((tmp_path / "ds").rglob("*.part"))
        rerun = {**s3.options, "config_kwargs": {"user_agent_extra": "colab-panel-rerun"}}
        result = stage("s3://halt/ds", tmp_path / "ds", storage_options=rerun, progress=None)
    assert result.files == 30 and all((tmp_path / k).read_bytes() == d for k, d in blobs.items())
    assert sorted(g.removeprefix("/halt/") for g in rerun_gets) == sorted(set(blobs) - kept)


def test_an_object_that_changes_under_the_download_fails_its_md5_and_leaves_nothing(tmp_path):
    class RewriteOnFirstGet:  # listed with one ETag, rewritten on the server before its bytes are sent
        def __init__(self, app):
            self.app, self.rewritten = app, False

        def __call__(self, environ, start_response):
            if environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"] == "/swap/p/b.bin" and not self.rewritten:
                self.rewritten = True
                put(s3, "swap", "p/b.bin", b"C" * 5000)
            return self.app(environ, start_response)

    with s3_server(wrap=RewriteOnFirstGet) as s3:
        s3.client.create_bucket(Bucket="swap")
        put(s3, "swap", "p/a.bin", b"A" * 5000)
        put(s3, "swap", "p/b.bin", b"B" * 5000)
        with pytest.raises(ChecksumMismatch):
            stage("s3://swap/p", tmp_path / "p", storage_options=s3.options, progress=None, workers=1)
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
