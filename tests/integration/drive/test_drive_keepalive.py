"""Keep-alive connections the server closed while idle, and answers lost after Drive acted.

The emulator closes a connection idle for `idle_timeout_s` (30 s by default, as front ends do;
here half a second), so these tests wait a real idle gap and then use the same `Drive`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.drive.retry import RetryPolicy
from colab_panel.errors import DriveError
from support.polling import poll_until

IDLE_S = 0.5


@pytest.fixture
def idle_emulator() -> Iterator[DriveEmulator]:
    with DriveEmulator(idle_timeout_s=IDLE_S) as emu:
        yield emu


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def drive(idle_emulator: DriveEmulator, sleeps: list[float]) -> Iterator[Drive]:
    # Backoff sleeps are recorded, not slept: a stale connection must cost no backoff at all.
    policy = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05, sleep=sleeps.append)
    with Drive.for_emulator(idle_emulator.base_url, idle_emulator.token, idle_emulator.ca_cert_path, retry=policy) as d:
        yield d


def _go_idle(emu: DriveEmulator) -> None:
    closes = emu.idle_closes
    assert poll_until(lambda: emu.idle_closes > closes, timeout_s=10 * IDLE_S, every_s=IDLE_S / 5), \
        "the emulator should have closed the idle connection"


def _titles(emu: DriveEmulator) -> list[str]:
    return sorted(item.title for item in emu.store.children(emu.root_id))


def test_every_kind_of_request_survives_a_connection_closed_while_idle(
    idle_emulator: DriveEmulator, drive: Drive, sleeps: list[float], tmp_path: Path
) -> None:
    emu = idle_emulator
    local = tmp_path / "small.txt"
    local.write_bytes(b"small file\n")
    drive.about()

    steps: list[tuple[str, Any]] = [
        ("GET", lambda: drive.list()),
        ("POST create", lambda: drive.mkdir("made")),
        ("POST upload", lambda: drive.upload(local)),
        ("PATCH", lambda: drive.rename(_by_title(emu, "made"), "renamed")),
        ("POST trash", lambda: drive.trash(_by_title(emu, "renamed"))),
        ("DELETE", lambda: drive.delete(_by_title(emu, "renamed"))),
    ]
    for name, step in steps:
        _go_idle(emu)
        before = len(emu.requests.records)
        step()
        sent = emu.requests.records[before:]
        assert all(record.status < 400 for record in sent), (name, [(r.method, r.path, r.status) for r in sent])

    assert _titles(emu) == ["small.txt"]  # one of each create, nothing twice
    creates = [r.path for r in emu.requests.records if r.method == "POST" and r.path.endswith("/v2/files")]
    assert creates == ["/drive/v2/files", "/upload/drive/v2/files"]  # each sent once
    assert sleeps == []  # each stale connection was replaced at once, not retried after a backoff


def _by_title(emu: DriveEmulator, title: str) -> str:
    [item] = [i for i in emu.store.children(emu.root_id) if i.title == title]
    return item.id


def test_a_lost_answer_to_mkdir_is_looked_up_not_made_twice(idle_emulator: DriveEmulator, drive: Drive) -> None:
    emu = idle_emulator
    emu.faults.lose_answer(method="POST", path="/drive/v2/files")
    made = drive.mkdir("only once")
    assert not emu.faults.pending
    [folder] = [i for i in emu.store.children(emu.root_id) if i.title == "only once"]
    assert made.id == folder.id and made.is_folder


def test_a_lost_answer_to_an_upload_is_looked_up_by_its_id(idle_emulator: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    emu = idle_emulator
    local = tmp_path / "weights.bin"
    local.write_bytes(b"\x00\x01" * 1000)
    emu.faults.lose_answer(method="POST", path="/upload/drive/v2/files")
    uploaded = drive.upload(local)
    assert not emu.faults.pending
    assert _titles(emu) == ["weights.bin"] and uploaded.md5 == emu.store.get(uploaded.id).md5


def _no_chosen_ids(emu: DriveEmulator) -> None:
    """Drive refuses files.generateIds (an old server, a restricted token): creates go without an ID."""
    emu.faults.fail(status=403, reason="insufficientPermissions", path="/generateIds", times=None)


def test_without_a_chosen_id_a_lost_mkdir_is_found_by_its_name(idle_emulator: DriveEmulator, drive: Drive) -> None:
    emu = idle_emulator
    _no_chosen_ids(emu)
    emu.faults.lose_answer(method="POST", path="/drive/v2/files")
    made = drive.mkdir("only once")
    [folder] = [i for i in emu.store.children(emu.root_id) if i.title == "only once"]
    assert made.id == folder.id and made.is_folder


def test_without_a_chosen_id_a_lost_upload_is_found_by_name_size_and_md5(
    idle_emulator: DriveEmulator, drive: Drive, tmp_path: Path
) -> None:
    emu = idle_emulator
    local = tmp_path / "weights.bin"
    local.write_bytes(b"\x00\x01" * 1000)
    _no_chosen_ids(emu)
    emu.faults.lose_answer(method="POST", path="/upload/drive/v2/files")
    uploaded = drive.upload(local)
    assert _titles(emu) == ["weights.bin"] and uploaded.md5 == emu.store.get(uploaded.id).md5


def test_an_upload_not_made_is_sent_again(idle_emulator: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    emu = idle_emulator
    (tmp_path / "a.txt").write_bytes(b"new bytes")
    emu.faults.reset(after_bytes=None, method="POST", path="/upload/drive/v2/files")  # dropped before acting
    drive.upload(tmp_path / "a.txt")
    assert _titles(emu) == ["a.txt"]
    assert emu.store.get(_by_title(emu, "a.txt")).size == len(b"new bytes")


def test_a_lost_answer_to_a_copy_is_looked_up_by_its_id(idle_emulator: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    emu = idle_emulator
    (tmp_path / "src.txt").write_bytes(b"source")
    source = drive.upload(tmp_path / "src.txt")
    emu.faults.lose_answer(method="POST", path="/copy")
    made = drive.copy(source, title="the copy")
    assert not emu.faults.pending
    assert _titles(emu) == ["src.txt", "the copy"] and made.id == _by_title(emu, "the copy")


def test_without_a_chosen_id_a_lost_copy_is_reported_not_repeated(
    idle_emulator: DriveEmulator, drive: Drive, tmp_path: Path
) -> None:
    emu = idle_emulator
    (tmp_path / "src.txt").write_bytes(b"source")
    _no_chosen_ids(emu)
    source = drive.upload(tmp_path / "src.txt")
    emu.faults.lose_answer(method="POST", path="/copy")
    with pytest.raises(DriveError) as caught:
        drive.copy(source, title="the copy")
    assert caught.value.reason == "outcomeUnknown" and "Look in Drive" in str(caught.value)
    assert _titles(emu) == ["src.txt", "the copy"]  # Drive made it once; it was not made again


def test_idempotent_in_effect_requests_are_retried_after_a_lost_answer(idle_emulator: DriveEmulator, drive: Drive) -> None:
    emu = idle_emulator
    folder = drive.mkdir("box")
    emu.faults.lose_answer(method="PATCH")
    assert drive.rename(folder, "crate").title == "crate"
    emu.faults.lose_answer(method="POST", path="/permissions")
    drive.insert_permission(folder, type="anyone", role="reader")
    assert [p.type for p in drive.permissions(folder)].count("anyone") == 1


def test_plain_httplib2_would_make_the_folder_twice(idle_emulator: DriveEmulator) -> None:
    """Why DriveHttp exists: httplib2 silently resends any request once after "no status line"."""
    emu = idle_emulator
    service = emu.build_service()
    emu.faults.lose_answer(method="POST", path="/drive/v2/files")
    service.files().insert(body={"title": "twice", "mimeType": "application/vnd.google-apps.folder"}).execute()
    assert _titles(emu) == ["twice", "twice"]


def test_a_lost_answer_to_the_last_chunk_of_a_resumable_upload(
    idle_emulator: DriveEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last chunk's PUT is idempotent: asked again, the completed session answers with the file."""
    import colab_panel.drive.upload as upload

    emu = idle_emulator
    monkeypatch.setattr(upload, "RESUMABLE_THRESHOLD", 0)  # resumable even for this small file
    local = tmp_path / "big.bin"
    local.write_bytes(bytes(range(256)) * 4096)  # 1 MiB: four chunks of 256 KiB
    chunk_puts = []

    def fourth_chunk(info: Any) -> bool:
        if "upload_id" in info.query:
            chunk_puts.append(info)
        return len(chunk_puts) == 4

    emu.faults.lose_answer(method="PUT", path=fourth_chunk)
    policy = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05)
    with Drive.for_emulator(emu.base_url, emu.token, emu.ca_cert_path, retry=policy, upload_chunk_size=256 * 1024) as drive:
        uploaded = drive.upload(local)
    assert not emu.faults.pending
    assert _titles(emu) == ["big.bin"] and emu.store.get(uploaded.id).size == local.stat().st_size


def test_a_lost_answer_to_a_shortcut_is_found_by_name_and_target(idle_emulator: DriveEmulator, drive: Drive) -> None:
    """Shortcuts get no chosen ID (the pool holds file IDs), so the look-up goes by name and target."""
    emu = idle_emulator
    target = drive.mkdir("dataset")
    emu.faults.lose_answer(method="POST", path="/drive/v2/files")
    made = drive.insert_shortcut(target)
    assert not emu.faults.pending
    shortcuts = [i for i in emu.store.children(emu.root_id) if i.shortcut_target == target.id]
    assert [s.id for s in shortcuts] == [made.id]
