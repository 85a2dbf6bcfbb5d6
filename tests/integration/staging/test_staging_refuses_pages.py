"""A web page where a file was expected is refused in words, never staged as the dataset.

A loopback server plays the sites: a login or error page served at a dataset's URL, and the
pages Google Drive shows instead of a file (virus-scan warning, download quota).
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from colab_panel.errors import StagingError
from colab_panel.staging.stager import stage

LOGIN_PAGE = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Sign in</body></html>\n"
NOT_FOUND_TEXT = b"Sorry, that file is gone."
VIRUS_SCAN_PAGE = (b"<!DOCTYPE html><html><head><title>Google Drive - Virus scan warning</title></head><body>"
                   b"<p>Google Drive can't scan this file for viruses.</p><form id=\"download-form\" "
                   b"action=\"https://drive.usercontent.google.com/download\"></form></body></html>")
QUOTA_PAGE = (b"<html><head><title>Google Drive - Quota exceeded</title></head><body>Too many users have "
              b"viewed or downloaded this file recently. Please try accessing the file again later."
              b"</body></html>")


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", b"hello")
    return buf.getvalue()


def _nothing_staged(dest: Path) -> bool:
    return not dest.exists() or all(p.name.startswith(".colab_panel") for p in dest.iterdir())


@pytest.mark.parametrize(("path", "body", "content_type"), [
    ("/data/set.zip", LOGIN_PAGE, None),                          # sniffed: no Content-Type at all
    ("/data/set.zip", LOGIN_PAGE, "application/octet-stream"),    # sniffed: the header lies
    ("/data/train.csv", NOT_FOUND_TEXT, "text/html; charset=utf-8"),  # the header says page
    ("/data/set.tar.gz", LOGIN_PAGE, "text/html"),                # a tar is streamed: same refusal
    ("/download", b"\xef\xbb\xbf  \n<html><body>hi</body></html>", None),  # BOM and blank lines first
])
def test_a_page_is_refused_where_a_file_was_expected(tmp_path: Path, file_server, path: str, body: bytes,
                                                     content_type: str | None) -> None:
    file_server.files[path] = body
    if content_type:
        file_server.content_types[path] = content_type
    dest = tmp_path / "set"
    with pytest.raises(StagingError) as caught:
        stage(file_server.url(path), dest, progress=None)
    message = str(caught.value)
    assert "web page" in message and file_server.url(path) in message
    assert len(message) <= 500
    assert _nothing_staged(dest)


@pytest.mark.parametrize(("body", "phrase"), [(VIRUS_SCAN_PAGE, "virus"), (QUOTA_PAGE, "quota")])
def test_google_drive_interstitial_pages_are_named(tmp_path: Path, file_server, body: bytes, phrase: str) -> None:
    file_server.files["/uc"] = body
    file_server.content_types["/uc"] = "text/html; charset=utf-8"
    with pytest.raises(StagingError) as caught:
        stage(file_server.url("/uc"), tmp_path / "set", progress=None)
    message = str(caught.value)
    assert phrase in message.lower() and "Drive" in message
    assert _nothing_staged(tmp_path / "set")


def test_a_page_asked_for_by_name_is_staged(tmp_path: Path, file_server) -> None:
    file_server.files["/docs/index.html"] = LOGIN_PAGE
    file_server.content_types["/docs/index.html"] = "text/html"
    result = stage(file_server.url("/docs/index.html"), tmp_path / "site", progress=None)
    assert (tmp_path / "site" / "index.html").read_bytes() == LOGIN_PAGE and result.files == 1


def test_an_archive_mislabelled_as_html_is_judged_by_its_bytes(tmp_path: Path, file_server) -> None:
    file_server.files["/set.zip"] = _zip_bytes()
    file_server.content_types["/set.zip"] = "text/html"  # a misconfigured server: the bytes are a zip
    stage(file_server.url("/set.zip"), tmp_path / "set", progress=None)
    assert (tmp_path / "set" / "a.txt").read_bytes() == b"hello"


def test_a_binary_file_with_no_content_type_is_staged(tmp_path: Path, file_server) -> None:
    body = os.urandom(5000)
    file_server.files["/weights.bin"] = body
    stage(file_server.url("/weights.bin"), tmp_path / "w", progress=None)
    assert (tmp_path / "w" / "weights.bin").read_bytes() == body
