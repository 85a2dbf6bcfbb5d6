"""`kill -9` of a folder stage, anywhere, costs at most 5 % of the dataset fetched again (issue #11).

A real child process stages a Drive folder (many small files, a few large ones fetched as
parallel ranges) from the emulator and is SIGKILLed once a given share of the dataset was
served; a second process stages the same folder to the end. The emulator counts which bytes of
which file it served to each run, so "fetched again" is what the second run was served that the
first had been served already. What is kept across the kill: large files' `.part`s with their
record of finished pieces, small files' `.part`s, and finished files the manifest had not yet
recorded (verified by their md5 on disk). What is lost: requests in flight at the kill, each
sized to last about half a second (`drive.read_sizing`), so the dataset here is sized to take
about ten seconds, as a real one takes far longer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.drive import child_id
from support.kill_resume import kill_and_resume, seed_folder

from colab_panel.drive.emulator import DriveEmulator

MiB = 1024 * 1024
BANDWIDTH = 512 * 1024  # per response: slow enough that a kill lands mid-transfer
LARGE = 8 * MiB


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DriveEmulator, int, Path]]:
    seed = tmp_path_factory.mktemp("seed")
    total = seed_folder(seed, small_files=400, small_bytes=16 * 1024, big_files=4, big_bytes=LARGE)
    with DriveEmulator(root=seed, max_page_size=1000) as emu:
        emu.faults.bandwidth(BANDWIDTH)
        yield emu, total, seed / "ds"


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.md5(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".colab_panel")
            and ".colab_panel" not in p.parts[len(root.parts):][0]}


@pytest.mark.parametrize("kill_at", [0.3, 0.7])
def test_kill_9_then_stage_again_refetches_at_most_5_percent(
        seeded: tuple[DriveEmulator, int, Path], tmp_path: Path, kill_at: float) -> None:
    emu, total, source = seeded
    dest = tmp_path / "ds"
    result = kill_and_resume(emu, child_id(emu, "ds"), dest, dataset_bytes=total, kill_at=kill_at,
                             workers=8, parallel_min_bytes=4 * MiB)
    assert result.killed, "the first run finished before the kill point: the case proves nothing"
    assert result.refetched_share <= 0.05, (result.refetched_share, result.refetched_by_path)
    assert _digests(dest) == _digests(source)
    assert not (dest / ".colab_panel-download").exists()
