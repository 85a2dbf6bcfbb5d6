"""Shared ground for the bad-input tests: a Drive emulator the default `connect()` finds, a web
server that answers every path with an HTML page, and real paths of every awkward kind.

Module scope on purpose: hypothesis calls one test body many times and must not rebuild these.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from colab_panel.drive.auth import ENV_EMULATOR, ENV_EMULATOR_CA, ENV_EMULATOR_TOKEN
from colab_panel.drive.emulator import DriveEmulator

HTML = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Sign in to continue</body></html>"


class _PageHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:  # noqa: N802 - http.server naming
        self._head()

    def do_GET(self) -> None:  # noqa: N802
        self._head()
        self.wfile.write(HTML)

    def _head(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(HTML)))
        self.end_headers()


@dataclass
class Ground:
    """Everything a bad input may point at."""

    tmp: Path
    emulator: DriveEmulator
    folder_id: str  # a real Drive folder (for calls whose other argument is the bad one)
    file_id: str  # a real Drive file
    page_url: str  # an http URL answered with an HTML page
    local_dir: Path  # a real folder with one file
    local_file: Path
    archive: Path  # a real, valid zip
    rows: list  # real folder_table rows
    drive: Any  # a connected `Drive` on the emulator

    def awkward_paths(self) -> list[str]:
        """Paths that are the wrong thing: a folder, missing, unwritable, through a file, too long."""
        return [str(self.local_dir), str(self.tmp / "missing" / "x.zip"), "/proc/version",
                "/proc/colab_panel_cannot_write_here/x", str(self.local_file / "below-a-file"),
                "/" + "a" * 5000, str(self.tmp / ("n" * 300))]


def _forget_default_drive() -> None:
    from colab_panel.drive import default

    old = default._drive
    default.set_default_drive(None)
    if old is not None:
        old.close()


@pytest.fixture(scope="module")
def ground(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ground]:
    import zipfile

    tmp = tmp_path_factory.mktemp("bad-input")
    seed = tmp / "seed"
    (seed / "folder").mkdir(parents=True)
    (seed / "folder" / "a.txt").write_bytes(b"a\n")
    local_dir = tmp / "local"
    local_dir.mkdir()
    (local_dir / "one.txt").write_bytes(b"one\n")
    archive = tmp / "ok.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("inside.txt", b"inside\n")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    saved = {name: os.environ.get(name) for name in (ENV_EMULATOR, ENV_EMULATOR_TOKEN, ENV_EMULATOR_CA)}
    _forget_default_drive()  # share calls without a drive connect again, to this module's emulator
    with DriveEmulator(root=seed) as emu:
        os.environ[ENV_EMULATOR] = emu.base_url
        os.environ[ENV_EMULATOR_TOKEN] = emu.token
        os.environ[ENV_EMULATOR_CA] = str(emu.ca_cert_path)
        try:
            [folder] = [i for i in emu.store.children(emu.root_id) if i.title == "folder"]
            [file] = emu.store.children(folder.id)
            from colab_panel.drive import connect
            from colab_panel.share import folder_table

            rows = folder_table(folder.id)
            cwd = os.getcwd()
            (tmp / "cwd").mkdir()
            os.chdir(tmp / "cwd")  # a relative path that is accepted lands here, not in the checkout
            with connect() as drive:
                yield Ground(tmp, emu, folder.id, file.id,
                             f"http://127.0.0.1:{httpd.server_address[1]}/data/set.zip",
                             local_dir, local_dir / "one.txt", archive, rows, drive)
            os.chdir(cwd)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            _forget_default_drive()
            httpd.shutdown()
            httpd.server_close()
