"""Transfers between the user's computer and the runtime through the kernel's endpoint (#14).

Rows, each median of `RUNS` side-by-side runs (`repeat_pair`), on a 1 GiB sparse file in /tmp
(deleted after):
- upload: our chunk protocol (8 MiB PUTs on one keep-alive connection, each with its CRC-32,
  the kernel checking it, committing offsets, fsyncing and renaming the file into place, as with
  the browser's page; the client here is Python, not Chromium) vs `curl -T` of the same file as
  one plain PUT to a raw sink route on the same endpoint (no protocol: bytes straight to disk).
  Goal: >= 0.8x the throughput. The sink truncates its last copy inside the clock, and ext4 then
  starts writing the new bytes out at close (its answer to truncate-and-rewrite), so that
  baseline pays for a truncation and the start of its writeback; a third row, recorded, compares
  the same uploads with curl into a new file (the last copy removed before the clock, as ours
  is), which touches no disk at all, where ours ends with an fsync; a fourth, recorded, fsyncs
  that new file before answering, the durability ours gives. The client's per-chunk
  CRC-32s are computed before the clock starts (in real use the browser computes them on the
  user's computer; here they cost ~30 ms per GiB anyway). Timed to the last chunk's answer: the file is then whole and in place.
- the same uploads timed until the kernel knows the file's md5 (hashed from disk behind the
  writer by `Md5Follower`, which starts with the first chunk): what the user waits for to see
  the md5, against the same curl runs. Recorded, not a goal of its own.
- download: a folder holding the file, streamed as a zip (`zip_stream`), vs the file itself
  (sendfile), both fetched with `curl -o /dev/null` from the same endpoint. Goal: >= 0.8x.
- interruption: the connection is cut half-way through a chunk at ~50 %; the client asks where
  the kernel got to and continues. The figure is bytes sent twice over the file's size. Goal
  <= 5 %.

Every upload starts after an `os.sync()`, outside the clock: the sink's 1 GiB of dirty pages
from the run before were being written out during the next run, whichever side it was.

    python -m benchmarks.run transfers
    BENCH_TRANSFERS_RUNS=11 python -m benchmarks.run transfers   # more side-by-side runs
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import time
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from benchmarks.harness import Row, repeat_pair, repeated, repeated_row
from colab_panel.endpoint.server import TOKEN_HEADER, Request
from colab_panel.transfers.routes import TransferService
from colab_panel.transfers.upload import CHUNK_BYTES

SIZE = 1024**3
RUNS = int(os.environ.get("BENCH_TRANSFERS_RUNS") or 5)  # more on a busy machine: the spread is wide
MB = 1_000_000


def _raw_sink(folder: Path, name: str = "raw.bin", *, durable: bool = False):
    def sink(request: Request) -> None:
        remaining = int(request.headers.get("Content-Length") or 0)
        with open(folder / name, "wb") as out:
            while remaining:
                block = request.handler.rfile.read(min(remaining, 1024 * 1024))
                if not block:
                    break
                out.write(block)
                remaining -= len(block)
            if durable:  # on disk before the answer, as an upload's file is before its rename
                out.flush()
                os.fsync(out.fileno())
        request.send_json(200, {"ok": True})
    return sink


def _client_digests(source: Path) -> dict[int, str]:
    """Each chunk's CRC-32 by offset, as the page's X-Chunk-Crc32 header: the browser's work, on
    the user's computer in real use."""
    digests = {}
    with open(source, "rb") as handle:
        for offset in range(0, source.stat().st_size, CHUNK_BYTES):
            digests[offset] = f"{zlib.crc32(os.pread(handle.fileno(), CHUNK_BYTES, offset)):08x}"
    return digests


def _upload(service: TransferService, source: Path, dest: Path, digests: dict[int, str], *,
            cut_at: int | None = None) -> tuple[float, int, str]:
    """Upload `source` with the chunk protocol, sending `digests` (computed beforehand) with the
    chunks; (seconds to the last chunk's answer, bytes put on the wire, the upload's id)."""
    headers = {TOKEN_HEADER: service.endpoint.token}
    spec = {"dest": str(dest), "name": source.name, "size_bytes": source.stat().st_size,
            "last_modified_ms": int(time.time() * 1000)}
    sent = 0
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=60)
    conn.request("POST", "/transfers/upload", json.dumps(spec), {**headers, "Content-Type": "application/json"})
    up = json.loads(conn.getresponse().read())
    offset = up["committed_bytes"]
    with open(source, "rb") as handle, ThreadPoolExecutor(1) as reader:
        def prepare(at: int) -> tuple[bytes, str]:
            return os.pread(handle.fileno(), CHUNK_BYTES, at), digests[at]
        # as the page does: the next chunk is read while this one is on the wire
        ahead: tuple[int, Future] | None = None
        while not up["done"]:
            ready = ahead[1] if ahead and ahead[0] == offset else reader.submit(prepare, offset)
            chunk, digest = ready.result()
            ahead = (offset + len(chunk), reader.submit(prepare, offset + len(chunk)))
            path = f"/transfers/upload/{up['id']}?offset={offset}"
            if cut_at is not None and offset <= cut_at < offset + len(chunk):
                cut_at = None  # once: send half the chunk, then drop the connection
                conn.putrequest("PUT", path)
                for name, value in {**headers, "X-Chunk-Crc32": digest, "Content-Length": str(len(chunk))}.items():
                    conn.putheader(name, value)
                conn.endheaders()
                conn.send(chunk[: len(chunk) // 2])
                sent += len(chunk) // 2
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=60)
                conn.request("POST", "/transfers/upload", json.dumps(spec),
                             {**headers, "Content-Type": "application/json"})
                up = json.loads(conn.getresponse().read())
                offset = up["committed_bytes"]
                continue
            conn.request("PUT", path, chunk, {**headers, "X-Chunk-Crc32": digest})
            sent += len(chunk)
            up = json.loads(conn.getresponse().read())
            offset = up["committed_bytes"]
    conn.close()
    return time.perf_counter() - start, sent, up["id"]


def _curl(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run(["curl", "-sS", "--fail", "-o", "/dev/null", *args], check=True)
    return time.perf_counter() - start


def run() -> list[Row]:
    work = Path(tempfile.mkdtemp(prefix="bench-transfers-", dir="/tmp"))
    try:
        source = work / "big.bin"
        with open(source, "wb") as handle:
            handle.truncate(SIZE)  # sparse: reading it costs no disk
        folder = work / "folder"
        folder.mkdir()
        os.link(source, folder / "big.bin")
        digests = _client_digests(source)
        service = TransferService(default_dest=work / "in")
        service.endpoint.route("PUT", "/bench/raw", _raw_sink(work))
        service.endpoint.route("PUT", "/bench/raw-fresh", _raw_sink(work, "fresh.bin"))  # its own file: the
        # runs above find raw.bin as they did before this row was added
        service.endpoint.route("PUT", "/bench/raw-durable", _raw_sink(work, "durable.bin", durable=True))
        try:
            def ours_up() -> tuple[float, float]:
                """(MB/s to the last chunk's answer, MB/s to the md5 known)."""
                shutil.rmtree(work / "in", ignore_errors=True)
                os.sync()  # the last run's dirty pages go out before the clock, not during this run
                start = time.perf_counter()
                seconds, _, upload_id = _upload(service, source, work / "in", digests)
                hashed = service.store.wait_for_md5(upload_id, 600)
                assert hashed.md5, hashed
                return SIZE / seconds / MB, SIZE / (time.perf_counter() - start) / MB

            def curl_up(route: str = "bench/raw") -> float:
                os.sync()  # as for ours
                seconds = _curl("-T", str(source), "-H", f"{TOKEN_HEADER}: {service.endpoint.token}",
                                f"{service.endpoint.url}{route}")
                return SIZE / seconds / MB

            def curl_up_new(sink: str) -> float:
                """As curl_up, into a new file (the last copy removed before the clock, as ours is):
                sink "fresh" answers at once, "durable" after an fsync (the durability ours gives)."""
                (work / f"{sink}.bin").unlink(missing_ok=True)
                return curl_up(f"bench/raw-{sink}")

            done_rates, md5_rates, curl_rates, fresh_rates, durable_rates = [], [], [], [], []
            for i in range(RUNS):  # alternating, as repeat_pair does: the rows come from the same runs
                if i % 2:
                    curl_rates.append(curl_up())
                    fresh_rates.append(curl_up_new("fresh"))
                    durable_rates.append(curl_up_new("durable"))
                ours = ours_up()
                done_rates.append(ours[0])
                md5_rates.append(ours[1])
                if not i % 2:
                    curl_rates.append(curl_up())
                    fresh_rates.append(curl_up_new("fresh"))
                    durable_rates.append(curl_up_new("durable"))
            up = repeated(done_rates, curl_rates)
            up_md5 = repeated(md5_rates, curl_rates)
            up_fresh = repeated(done_rates, fresh_rates)
            up_durable = repeated(done_rates, durable_rates)

            def zip_down() -> float:
                return SIZE / _curl(service.endpoint.url + service.download_url(folder)) / MB

            def file_down() -> float:
                return SIZE / _curl(service.endpoint.url + service.download_url(source)) / MB

            down = repeat_pair(zip_down, file_down, RUNS)

            resent = []
            for _ in range(RUNS):
                shutil.rmtree(work / "in", ignore_errors=True)
                _, sent, _ = _upload(service, source, work / "in", digests, cut_at=SIZE // 2 + CHUNK_BYTES // 3)
                resent.append((sent - SIZE) / SIZE * 100)
        finally:
            service.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    resent.sort()
    median_resent = resent[len(resent) // 2]
    return [
        repeated_row("upload 1 GiB: chunk protocol (8 MiB, CRC-32 each) vs curl -T raw PUT, same endpoint",
                     up, "MB/s", ">= 0.8x", up.ratio >= 0.8),
        repeated_row("  same uploads, until the kernel knows the file's md5 (hashed behind the writer)",
                     up_md5, "MB/s", "(recorded)", True),
        repeated_row("  same uploads vs curl -T into a new file (the sink's last copy removed before the clock)",
                     up_fresh, "MB/s", "(recorded)", True),
        repeated_row("  same uploads vs curl -T into a new file fsynced before the answer (ours' durability)",
                     up_durable, "MB/s", "(recorded)", True),
        Row("download 1 GiB: folder as streamed zip vs the file (sendfile), curl, same endpoint",
            down.ours, down.baseline, "MB/s", ">= 0.8x", down.ratio, down.ratio >= 0.8,
            down.ratio_min, down.ratio_max, down.runs),
        Row(f"bytes re-sent after a cut mid-chunk at 50 %: median of {RUNS} (min-max "
            f"{resent[0]:.2f}-{resent[-1]:.2f} %) vs the 5 % goal",
            median_resent, 5.0, "%", "<= 5 %", median_resent / 5.0, median_resent <= 5.0),
    ]
