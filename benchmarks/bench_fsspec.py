"""Staging a 500-object S3 prefix: `stage("s3://...")` vs `s3fs.get(prefix, dest, recursive=True)`.

Server: moto's S3 app in a process of its own (so its request handling does not share our
interpreter's GIL), on loopback, served by `s3_keepalive_server` (waitress: HTTP/1.1 keep-alive,
as real S3; moto's own `python -m moto.server` closes every connection, which made every GET pay
a TCP connect that no client of real S3 pays). Both sides use s3fs with their defaults and fresh
listings (`invalidate_cache()` before each run) and write into a fresh folder; they alternate
(`repeat_pair`, `RUNS` pairs), and the rows show the medians, the median per-pair speed-up and
its min-max. Ours also verifies every object's md5 (its ETag) and keeps a resumable manifest;
s3fs.get does neither.

Three conditions: straight to the server on loopback, and through `latency_proxy` with each of `RTTS_MS` of round trip per
request, as to a store in another region or continent, where requests in flight count more.
Under each, a "bound" row: the server's CPU for s3fs.get's requests plus two round trips (the
listing, then at least one GET) is the least time any client could take, so s3fs.get's time
over it is the largest speed-up possible there.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from benchmarks.harness import Row, repeat_pair

OBJECTS = 500
OBJECT_BYTES = 16 * 1024
RUNS = 5  # side-by-side pairs per condition (repeat_pair alternates which goes first)
RTTS_MS = (20.0, 100.0)  # another region; another continent
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(endpoint: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _compare(endpoint: str, server_pid: int, work: Path, label: str, rtt_s: float = 0.0) -> list[Row]:
    import s3fs

    from colab_panel.staging import stage

    fs = s3fs.S3FileSystem(endpoint_url=endpoint)
    server = psutil.Process(server_pid)
    server_s: list[float] = []  # the server's CPU during each s3fs.get
    server_ours_s: list[float] = []  # and during each stage()
    client_s: dict[str, list[float]] = {"ours": [], "theirs": []}  # this process's CPU during each
    runs = iter(range(10**6))

    def cpu() -> float:
        t = server.cpu_times()
        return t.user + t.system

    def ours() -> float:
        fs.invalidate_cache()
        dest = work / f"ours-{next(runs)}"
        start, cpu0, own0 = time.perf_counter(), cpu(), time.process_time()
        result = stage("s3://bench/shards", dest, storage_options={"endpoint_url": endpoint}, progress=None)
        took = time.perf_counter() - start
        client_s["ours"].append(time.process_time() - own0)
        server_ours_s.append(cpu() - cpu0)
        assert result.files == OBJECTS and not result.cached
        shutil.rmtree(dest)
        return took

    def theirs() -> float:
        fs.invalidate_cache()
        dest = work / f"s3fs-{next(runs)}"
        start, cpu0, own0 = time.perf_counter(), cpu(), time.process_time()
        fs.get("bench/shards/", str(dest) + "/", recursive=True)
        took = time.perf_counter() - start
        client_s["theirs"].append(time.process_time() - own0)
        server_s.append(cpu() - cpu0)
        assert sum(1 for _ in dest.rglob("*.bin")) == OBJECTS
        shutil.rmtree(dest)
        return took

    figures = repeat_pair(ours, theirs, runs=RUNS)
    speedup = figures.baseline / figures.ours
    print(f"{label}: stage() {figures.ours:.2f} s, s3fs.get {figures.baseline:.2f} s (medians of {RUNS}); "
          f"speed-up per pair {1 / figures.ratio_max:.2f}-{1 / figures.ratio_min:.2f}x; {OBJECTS} x "
          f"{OBJECT_BYTES // 1024} KiB; client CPU stage() {statistics.median(client_s['ours']):.2f} s, s3fs.get "
          f"{statistics.median(client_s['theirs']):.2f} s (medians); server CPU per s3fs.get "
          f"{min(server_s):.2f}-{max(server_s):.2f} s, per stage() "
          f"{min(server_ours_s):.2f}-{max(server_ours_s):.2f} s; "
          f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    # the Row's ratio is the speed-up (baseline / ours), so its min-max are the inverted per-pair ratios
    rows = [Row(name=f"stage {OBJECTS}-object S3 prefix vs s3fs.get(recursive=True), {label} (speed-up)",
                ours=figures.ours, baseline=figures.baseline, unit="s", goal=">= 2x faster", ratio=speedup,
                met=speedup >= 2.0, ratio_min=1 / figures.ratio_max, ratio_max=1 / figures.ratio_min,
                runs=figures.runs)]
    # The server answers in one interpreter (GIL-bound): the CPU it spent serving s3fs.get's
    # requests is a floor on any client's time against it, and any client also waits at least
    # two round trips (the listing, then a GET), so s3fs's time over that sum bounds the speed-up.
    floor_s = statistics.median(server_s) + 2 * rtt_s
    trips = f" + 2 round trips ({2 * rtt_s * 1000:g} ms)" if rtt_s else ""
    rows.append(Row(name=f"  best any client could do, {label}: the server's own CPU for those requests{trips}",
                    ours=floor_s, baseline=figures.baseline, unit="s", goal="(bound)",
                    ratio=figures.baseline / floor_s, met=True))
    return rows


def run() -> list[Row]:
    import boto3

    os.environ.update(CREDENTIALS)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "benchmarks.s3_keepalive_server", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              cwd=Path(__file__).resolve().parents[1])
    endpoint = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="bench-fsspec-"))
    proxies: list[subprocess.Popen] = []
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        _wait_for(endpoint)
        client = boto3.client("s3", endpoint_url=endpoint)
        client.create_bucket(Bucket="bench")
        for i in range(OBJECTS):
            client.put_object(Bucket="bench", Key=f"shards/{i // 100}/{i:04}.bin", Body=os.urandom(OBJECT_BYTES))
        rows = _compare(endpoint, server.pid, work, "loopback")
        for rtt_ms in RTTS_MS:
            proxy_port = _free_port()
            proxy = subprocess.Popen([sys.executable, "-m", "benchmarks.latency_proxy", str(proxy_port), str(port),
                                      str(rtt_ms / 2)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     cwd=Path(__file__).resolve().parents[1])
            proxies.append(proxy)
            assert proxy.stdout is not None and proxy.stdout.readline().strip() == "ready"
            rows += _compare(f"http://127.0.0.1:{proxy_port}", server.pid, work, f"{rtt_ms:g} ms round trip",
                              rtt_ms / 1000)
        return rows
    finally:
        for process in (*proxies, server):
            process.terminate()
            process.wait(timeout=15)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row.cells()))
