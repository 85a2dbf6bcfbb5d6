"""Shared fixtures for staging integration tests: a loopback HTTP file server with Range support and
an injectable mid-body drop, a tiny real filesystem for disk-full cases, and `drive`: a `Drive` on
the test module's own `emu` fixture (its seed differs per module), built with the module's
`DRIVE_OPTIONS` (e.g. `{"chunk_size": 64 * 1024}`) if it has any."""

from __future__ import annotations

import hashlib
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.drive import emulator_drive

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator


@dataclass
class FileServer:
    files: dict[str, bytes] = field(default_factory=dict)
    drop_after: dict[str, int] = field(default_factory=dict)  # path -> bytes sent before the first GET is cut
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # (method, path, Range)
    content_types: dict[str, str] = field(default_factory=dict)  # path -> Content-Type (none sent otherwise)
    bytes_per_second: int | None = None  # a cap on each GET body, paced in tenths of a second
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def gets(self, path: str) -> list[str | None]:
        return [rng for method, p, rng in self.requests if method == "GET" and p == path]


def _handler(server: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _send_head(self) -> tuple[bytes, int] | None:
            body = server.files.get(self.path)
            if body is None:
                self.send_error(404)
                return None
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
            start = 0
            rng = self.headers.get("Range")
            if_range = self.headers.get("If-Range")
            if rng and rng.startswith("bytes=") and (if_range is None or if_range == etag):
                start = int(rng[6:].split("-")[0])
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(body) - start))
            self.send_header("ETag", etag)
            self.send_header("Accept-Ranges", "bytes")
            if self.path in server.content_types:
                self.send_header("Content-Type", server.content_types[self.path])
            self.end_headers()
            return body, start

        def do_HEAD(self) -> None:  # noqa: N802 - http.server naming
            server.requests.append(("HEAD", self.path, None))
            self._send_head()

        def do_GET(self) -> None:  # noqa: N802
            server.requests.append(("GET", self.path, self.headers.get("Range")))
            sent = self._send_head()
            if sent is None:
                return
            body, start = sent
            cut = server.drop_after.pop(self.path, None)
            if cut is not None:
                self.wfile.write(body[start:start + cut])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)  # the network drops mid-body
                return
            if server.bytes_per_second is None:
                self.wfile.write(body[start:])
                return
            step = max(1, server.bytes_per_second // 10)
            began, sent = time.monotonic(), 0
            try:
                for at in range(start, len(body), step):
                    self.wfile.write(body[at:at + step])
                    sent += min(step, len(body) - at)
                    time.sleep(max(0.0, sent / server.bytes_per_second - (time.monotonic() - began)))
            except OSError:  # the client went away (a cancel): nothing more to send
                self.close_connection = True

    return Handler


@pytest.fixture
def file_server() -> Iterator[FileServer]:
    state = FileServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MB filesystem (tmpfs; needs root), so disk-full is the kernel's ENOSPC, not a mock."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, timeout=30)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True, timeout=30)


@pytest.fixture
def drive(emu: DriveEmulator, request: pytest.FixtureRequest) -> Iterator[Drive]:
    with emulator_drive(emu, **getattr(request.module, "DRIVE_OPTIONS", {})) as d:
        yield d
