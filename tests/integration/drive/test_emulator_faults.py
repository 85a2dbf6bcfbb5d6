"""Auth, resource keys, scripted faults and shutdown, each observed through the real client libraries."""

from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from googleapiclient.errors import HttpError
from oauth2client.client import AccessTokenCredentialsError
from pydrive2.files import ApiRequestError

from colab_panel.drive.emulator import DriveEmulator
from colab_panel.drive.emulator.client import make_http
from support.polling import poll_until


def reason_of(error: HttpError) -> str:
    return error.error_details[0]["reason"]  # type: ignore[no-any-return]


def test_missing_or_wrong_token_is_401_with_www_authenticate(emulator: DriveEmulator) -> None:
    http = make_http(emulator.ca_cert_path)
    url = emulator.api_endpoint + "about"
    resp, body = http.request(url)
    assert resp.status == 401 and resp["www-authenticate"].startswith("Bearer")
    assert json.loads(body)["error"]["errors"][0]["reason"] == "required"
    resp, body = http.request(url, headers={"Authorization": "Bearer wrong"})
    error = json.loads(body)["error"]
    assert (resp.status, error["code"], error["errors"][0]["reason"]) == (401, 401, "authError")
    assert emulator.requests.count(status=401) == 2
    http.close()
    # Through the library: oauth2client cannot refresh a bare access token, and says so.
    with pytest.raises(AccessTokenCredentialsError):
        emulator.build_service("wrong").about().get().execute()


def test_resource_key_required_for_link_only_visitors(emulator: DriveEmulator, known: Any, drive: Any, tmp_path: Path) -> None:
    with pytest.raises(HttpError) as caught:
        emulator.build_service().files().get(fileId=known.keyed_id).execute()
    assert (caught.value.status_code, reason_of(caught.value)) == (404, "notFound")

    service = emulator.build_service()
    request = service.files().get(fileId=known.keyed_id)
    request.headers["X-Goog-Drive-Resource-Keys"] = f"{known.keyed_id}/{known.keyed_key}"
    meta = request.execute()
    assert meta["resourceKey"] == known.keyed_key and meta["userPermission"]["role"] == "reader"

    # PyDrive2 sends the header itself once the metadata carries resourceKey.
    handle = drive.CreateFile({"id": known.keyed_id, "resourceKey": known.keyed_key})
    handle.GetContentFile(str(tmp_path / "k.txt"))
    assert (tmp_path / "k.txt").read_text() == "only with the key\n"

    wrong = service.files().get(fileId=known.keyed_id)
    wrong.headers["X-Goog-Drive-Resource-Keys"] = f"{known.keyed_id}/0-wrong"
    with pytest.raises(HttpError):
        wrong.execute()


@pytest.mark.parametrize(
    ("status", "reason"),
    [(403, "userRateLimitExceeded"), (403, "rateLimitExceeded"), (429, "rateLimitExceeded"), (500, "internalError"), (503, "backendError")],
)
def test_injected_errors_reach_the_client(emulator: DriveEmulator, service: Any, status: int, reason: str) -> None:
    emulator.faults.fail(status=status, reason=None if status >= 500 else reason, times=1, path="/drive/v2/about")
    with pytest.raises(HttpError) as caught:
        service.about().get().execute()
    assert (caught.value.status_code, reason_of(caught.value)) == (status, reason)
    assert not emulator.faults.pending
    assert service.about().get().execute()["rootFolderId"] == emulator.root_id  # one-shot: the next call works


def test_googleapiclient_retries_through_rate_limits(emulator: DriveEmulator, service: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("googleapiclient.http.time.sleep", lambda seconds: None)  # no real backoff waits
    emulator.faults.fail(status=403, reason="userRateLimitExceeded", times=2, method="GET")
    emulator.requests.clear()
    assert service.about().get().execute(num_retries=3)["rootFolderId"] == emulator.root_id
    assert [record.status for record in emulator.requests] == [403, 403, 200]


def test_a_share_of_requests_fails_the_same_way_for_the_same_seed(emulator: DriveEmulator, service: Any) -> None:
    def statuses(seed: int) -> list[int]:
        emulator.faults.clear()
        emulator.faults.fail(status=429, times=None, path="/drive/v2/about", share=0.3, seed=seed)
        emulator.requests.clear()
        for _ in range(40):
            try:
                service.about().get().execute()
            except HttpError:
                pass
        return [record.status for record in emulator.requests]

    first = statuses(7)
    assert 4 <= first.count(429) <= 20 and first.count(200) == 40 - first.count(429)
    assert statuses(7) == first


def test_served_spans_count_the_body_bytes_of_each_range(emulator: DriveEmulator, service: Any, child: Any) -> None:
    big = child(emulator.root_id, "big.bin")
    request = service.files().get_media(fileId=big.id)
    request.headers["Range"] = "bytes=1000-2999"
    request.execute()
    request.headers["Range"] = "bytes=2000-4999"
    request.execute()
    assert emulator.requests.served_spans() == {f"/drive/v2/files/{big.id}": [(1000, 5000)]}
    assert emulator.requests.media_bytes_sent == 2000 + 3000


def test_pydrive2_sees_rate_limit_on_download(emulator: DriveEmulator, drive: Any, child: Any, tmp_path: Path) -> None:
    a = child(emulator.root_id, "a.txt")
    emulator.faults.fail(status=403, reason="userRateLimitExceeded", media=True)
    with pytest.raises(ApiRequestError) as caught:
        drive.CreateFile({"id": a.id}).GetContentFile(str(tmp_path / "a"))
    assert caught.value.GetField("reason") == "userRateLimitExceeded"


def test_connection_cut_mid_body_raises(emulator: DriveEmulator, drive: Any, child: Any, tmp_path: Path) -> None:
    big = child(emulator.root_id, "big.bin")
    emulator.faults.reset(after_bytes=50_000, media=True)
    with pytest.raises((http.client.IncompleteRead, ConnectionError, OSError)):
        drive.CreateFile({"id": big.id}).GetContentFile(str(tmp_path / "big"))
    assert not emulator.faults.pending
    # The next download is whole again. A fresh client: httplib2 keeps the cut connection in its
    # pool and the next request on it fails with an SSL EOF (a retry layer must expect that).
    emulator.pydrive2_drive().CreateFile({"id": big.id}).GetContentFile(str(tmp_path / "big"))
    assert (tmp_path / "big").read_bytes() == big.blob.read_bytes()


def test_reset_before_response_is_retried_by_httplib2(emulator: DriveEmulator, service: Any) -> None:
    emulator.faults.reset(after_bytes=None, times=1, path="/drive/v2/about")
    assert service.about().get().execute()["rootFolderId"] == emulator.root_id
    assert [record.status for record in emulator.requests] == [0, 200]


def test_delay_and_bandwidth_cap_keep_bytes_intact(emulator: DriveEmulator, service: Any, child: Any) -> None:
    big = child(emulator.root_id, "big.bin")
    emulator.faults.delay(0.05, times=1)
    emulator.faults.bandwidth(2_000_000)
    assert service.files().get_media(fileId=big.id).execute() == big.blob.read_bytes()
    assert emulator.faults.bytes_per_second == 2_000_000
    assert not emulator.faults.pending


def test_close_leaves_no_thread_or_listening_socket(seed_dir: Path) -> None:
    before = set(threading.enumerate())
    emu = DriveEmulator(root=seed_dir).start()
    service = emu.build_service()
    service.about().get().execute()  # leaves a keep-alive connection open in httplib2
    port, tmp = emu.port, emu.ca_cert_path.parent
    emu.close()
    assert set(threading.enumerate()) == before
    assert not tmp.exists()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    emu.close()  # idempotent


def test_command_line_serves_until_interrupted(seed_dir: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "colab_panel.drive.emulator", "--root", str(seed_dir), "--token", "cli-token"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        printed: dict[str, str] = {}
        while "serving" not in printed:
            line = lines.get(timeout=30)
            key, _, value = line.partition(":")
            printed[key.strip() if value else line.split(";")[0].strip()] = value.strip()
        from colab_panel.drive.emulator.client import build_service

        service = build_service(printed["base URL"], printed["token"], printed["CA cert"])
        assert service.about().get().execute()["rootFolderId"] == printed["root folder ID"]
        service.close()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert not Path(printed["CA cert"]).exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        reader.join(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_idle_connections_are_closed_after_the_idle_timeout(seed_dir: Path) -> None:
    with DriveEmulator(root=seed_dir, idle_timeout_s=0.3) as emu:
        service = emu.build_service()
        service.about().get().execute()
        poll_until(lambda: emu.idle_closes, timeout_s=5)
        assert emu.idle_closes == 1  # the client's pooled connection, closed by the server
        assert service.about().get().execute()["rootFolderId"] == emu.root_id  # httplib2 resends a GET


def test_lose_answer_acts_then_closes_unanswered(emulator: DriveEmulator) -> None:
    emulator.faults.lose_answer(method="POST", path="/drive/v2/files")
    with pytest.raises((http.client.HTTPException, OSError)):
        # plain http.client, not httplib2 (which would send it again): the answer never comes
        conn = http.client.HTTPSConnection("127.0.0.1", emulator.port, context=ssl.create_default_context(cafile=str(emulator.ca_cert_path)))
        conn.request("POST", "/drive/v2/files", body=b'{"title": "acted on"}',
                     headers={"Authorization": f"Bearer {emulator.token}", "Content-Type": "application/json"})
        try:
            conn.getresponse()
        finally:
            conn.close()
    assert [i.title for i in emulator.store.children(emulator.root_id) if i.title == "acted on"] == ["acted on"]
