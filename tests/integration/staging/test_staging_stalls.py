"""A download piece whose answer stalls (headers and a few bytes, then silence) is given up after
`Drive.stall_timeout_s` and fetched again on a fresh connection, while the other pieces go on;
it used to hold its worker for the whole socket timeout (60 s)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.drive import child_id, seeded_emulator

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.staging import parallel_ranges, stage

SIZE = 2 * 1024 * 1024
STALL_S = 45.0  # longer than the test should ever take; without stall detection the piece waits it out


DRIVE_OPTIONS = {"chunk_size": 256 * 1024, "stall_timeout_s": 1.0}  # for the `drive` fixture (conftest)


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[DriveEmulator]:
    with seeded_emulator(tmp_path / "seed", {"large.bin": os.urandom(SIZE)}) as e:
        yield e


def test_a_stalled_piece_is_fetched_again_on_a_fresh_connection(emu: DriveEmulator, drive: Drive, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel_ranges, "PARALLEL_MIN_BYTES", 1024 * 1024)
    large_id = child_id(emu, "large.bin")

    seen = []  # media requests the rule was asked about (the emulator asks once per request, under its lock)

    def second_piece(info: object) -> bool:  # the second media request stalls
        # Counted here, as they arrive: the request log has an answer only once it is sent, so
        # with pieces in parallel it may still hold none when the second request comes.
        seen.append(info)
        return len(seen) == 2

    emu.faults.stall(after_bytes=1000, seconds=STALL_S, media=True, path=second_piece)
    dest = tmp_path / "out"
    stage(f"drive:{large_id}", dest, drive=drive, progress=None)
    assert not emu.faults.pending  # the stall really happened
    assert (dest / "large.bin").read_bytes() == emu.store.get(large_id).blob.read_bytes()
    emu.close()  # ends the stalled answer (if the client had not given it up, it would be whole by now)
    media = [r for r in emu.requests if r.media]
    [stalled] = [r for r in media if r.body_bytes == 1000]
    again = [r for r in media if r.headers.get("range") == stalled.headers["range"] and r is not stalled]
    assert [r.status for r in again] == [206], "the stalled piece was not asked for again"
