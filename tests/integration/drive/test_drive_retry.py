"""Faults injected in the emulator, as `Drive` sees them: retried, resumed, or a DriveError in words.

Retries sleep through an injected `sleep` that only records, so no test waits out a backoff.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from colab_panel.drive.auth import emulator_drive
from colab_panel.drive.client import Drive
from colab_panel.drive.retry import RetryPolicy
from colab_panel.errors import DriveAuthError, DrivePermissionDenied, DriveQuotaExceeded


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def backend(emulator, sleeps):
    policy = RetryPolicy(max_attempts=5, sleep=sleeps.append)
    drive = Drive.for_emulator(emulator.base_url, emulator.token, emulator.ca_cert_path, retry=policy)
    yield drive
    drive.close()


def test_5xx_twice_then_success(emulator, backend, sleeps, child):
    emulator.faults.fail(status=503, times=2, path="/drive/v2/files/")
    assert backend.get(child(emulator.root_id, "a.txt").id).title == "a.txt"
    assert not emulator.faults.pending
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0  # backoff grows


def test_rate_limit_forever_ends_in_quota_exceeded_in_words(emulator, backend, sleeps, child):
    emulator.faults.fail(status=403, reason="userRateLimitExceeded", times=None)
    with pytest.raises(DriveQuotaExceeded, match="limiting how fast") as info:
        backend.list(child(emulator.root_id, "many").id)
    assert info.value.reason == "userRateLimitExceeded"
    assert len(sleeps) == 4  # five attempts in all
    assert emulator.requests.count(status=403) == 5


def test_429_honours_retry_after(emulator, backend, sleeps, child):
    emulator.faults.fail(status=429, times=1, retry_after=7)
    assert backend.get(child(emulator.root_id, "a.txt").id)
    assert sleeps == [7.0]


def test_total_time_bound_stops_retrying(emulator, child):
    sleeps: list[float] = []
    drive = Drive.for_emulator(emulator.base_url, emulator.token, emulator.ca_cert_path,
                               retry=RetryPolicy(max_attempts=50, max_total_s=5, sleep=sleeps.append))
    clock = [0.0]
    drive.retry.clock = lambda: clock[0]
    drive.retry.sleep = lambda s: (sleeps.append(s), clock.__setitem__(0, clock[0] + s))
    emulator.faults.fail(status=500, times=None)
    try:
        with pytest.raises(Exception, match="kept failing"):
            drive.get(child(emulator.root_id, "a.txt").id)
    finally:
        drive.close()
    assert sum(sleeps) <= 5 and len(sleeps) < 49


def test_download_quota_is_reported_at_once(emulator, backend, sleeps, child, tmp_path):
    emulator.faults.fail(status=403, reason="downloadQuotaExceeded", times=None, media=True)
    with pytest.raises(DriveQuotaExceeded, match="24 hours"):
        backend.download(child(emulator.root_id, "big.bin").id, tmp_path)
    assert sleeps == []


def test_reset_mid_body_is_retried_on_a_fresh_connection_and_resumed(emulator, backend, sleeps, child, seed_dir, tmp_path):
    backend.chunk_size = 100_000
    big = child(emulator.root_id, "big.bin")
    # the second chunk's connection drops after 5,000 bytes; httplib2 would then reuse the dead socket
    emulator.faults.reset(after_bytes=5_000, media=True, path=lambda info: True, times=1)
    backend.get(big.id)
    emulator.requests.clear()
    path = backend.download(big.id, tmp_path)
    assert path.read_bytes() == (seed_dir / "big.bin").read_bytes()
    assert not emulator.faults.pending and len(sleeps) == 1
    ranges = [r.headers.get("range") for r in emulator.requests.records if r.media]
    assert ranges == ["bytes=0-99999", "bytes=0-99999", "bytes=100000-199999", "bytes=200000-299999"]


def test_reset_in_a_later_chunk_refetches_only_that_chunk(emulator, backend, child, seed_dir, tmp_path):
    backend.chunk_size = 100_000
    big = child(emulator.root_id, "big.bin")
    second_chunk = [0]

    def on_second_media_request(info) -> bool:
        if not info.media:
            return False
        second_chunk[0] += 1
        return second_chunk[0] == 2

    emulator.faults.reset(after_bytes=50_000, path=on_second_media_request, times=1)
    emulator.requests.clear()
    assert backend.download(big.id, tmp_path).read_bytes() == (seed_dir / "big.bin").read_bytes()
    ranges = [r.headers.get("range") for r in emulator.requests.records if r.media]
    assert ranges == ["bytes=0-99999", "bytes=100000-199999", "bytes=100000-199999", "bytes=200000-299999"]


def test_connection_failing_every_time_keeps_the_part_for_a_rerun(emulator, child, seed_dir, tmp_path):
    drive = Drive.for_emulator(emulator.base_url, emulator.token, emulator.ca_cert_path,
                               retry=RetryPolicy(max_attempts=2, sleep=lambda s: None), chunk_size=100_000)
    big = child(emulator.root_id, "big.bin")
    calls = [0]

    def after_first_chunk(info) -> bool:
        if info.media:
            calls[0] += 1
            return calls[0] >= 2
        return False

    rule = emulator.faults.reset(after_bytes=10, path=after_first_chunk, times=None)
    try:
        with pytest.raises(Exception, match="partial file is kept") as info:
            drive.download(big.id, tmp_path)
        assert "DownloadInterrupted" in type(info.value).__name__
        assert (tmp_path / "big.bin.part").stat().st_size == 100_000
        rule.times = rule.used  # the network is back
        emulator.requests.clear()
        assert drive.download(big.id, tmp_path).read_bytes() == (seed_dir / "big.bin").read_bytes()
    finally:
        drive.close()
    assert [r.headers.get("range") for r in emulator.requests.records if r.media][0] == "bytes=100000-199999"


def test_insufficient_permissions_is_permission_denied(emulator, known):
    bob = emulator_drive(emulator.base_url, known.bob_token, emulator.ca_cert_path,
                         retry=RetryPolicy(sleep=lambda s: None))
    try:
        with pytest.raises(DrivePermissionDenied, match="rename it") as info:
            bob.rename(known.alice_file_id, "mine now")
    finally:
        bob.close()
    assert info.value.reason == "insufficientFilePermissions"


def test_wrong_token_is_auth_error_and_no_token_leaks(emulator, caplog):
    secret = "wrong-token-" + "s3cr3t" * 4
    caplog.set_level(logging.DEBUG)
    drive = emulator_drive(emulator.base_url, secret, emulator.ca_cert_path, retry=RetryPolicy(sleep=lambda s: None))
    try:
        with pytest.raises(DriveAuthError) as info:
            drive.list("root")
        shown = [repr(drive), str(drive), str(info.value), repr(info.value), repr(drive.auth),
                 repr(drive.auth.credentials), caplog.text]
    finally:
        drive.close()
    assert "Sign in again" in str(info.value)
    assert not [text for text in shown if secret in text]
    good = Drive.for_emulator(emulator.base_url, emulator.token, emulator.ca_cert_path)
    try:
        good.list("root")
        assert emulator.token not in repr(good) + caplog.text
    finally:
        good.close()


class _TokenServer:
    """A loopback OAuth token endpoint: each refresh grant issues a new token the emulator accepts."""

    def __init__(self, emulator) -> None:
        self.issued: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers.get("content-length") or 0))
                token = f"refreshed-{len(outer.issued)}"
                emulator.tokens[token] = "me@example.com"
                outer.issued.append(token)
                body = json.dumps({"access_token": token, "expires_in": 3600, "token_type": "Bearer"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def test_credentials_refresh_across_token_expiry_without_a_web_flow(emulator, child, monkeypatch):
    """Colab's case: the access token dies after an hour; PyDrive2 must not fall into LocalWebserverAuth."""
    from google.oauth2.credentials import Credentials
    from pydrive2.auth import GoogleAuth

    def no_web_flow(*args, **kwargs):
        raise AssertionError("PyDrive2 fell into its web flow")

    monkeypatch.setattr(GoogleAuth, "LocalWebserverAuth", no_web_flow)
    tokens = _TokenServer(emulator)
    emulator.tokens["first-hour"] = "me@example.com"
    credentials = Credentials(token="first-hour", refresh_token="refresh-me", token_uri=tokens.url,
                              client_id="client", client_secret="secret",
                              expiry=datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(hours=1))
    drive = emulator_drive(emulator.base_url, "", emulator.ca_cert_path, credentials=credentials)
    a = child(emulator.root_id, "a.txt")
    try:
        assert drive.get(a.id).title == "a.txt"
        assert tokens.issued == []
        # an hour later: the client knows its token expired, the server no longer takes it
        credentials.expiry = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=1)
        del emulator.tokens["first-hour"]
        assert drive.get(a.id).title == "a.txt"
        assert tokens.issued == ["refreshed-0"]
        # the server revokes early (client still thinks it is valid): a 401, one refresh, a retry
        del emulator.tokens["refreshed-0"]
        assert [item.title for item in drive.list("root")]
        assert tokens.issued == ["refreshed-0", "refreshed-1"]
        # PyDrive2's own objects go through the same credentials (its LoadAuth checks expiry first)
        credentials.expiry = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=1)
        file = drive.pydrive.CreateFile({"id": a.id})
        file.FetchMetadata()
        assert file["title"] == "a.txt" and tokens.issued[-1] == "refreshed-2"
    finally:
        drive.close()
        tokens.close()
