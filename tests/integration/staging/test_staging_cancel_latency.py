"""Cancel returns promptly at a slow transfer rate, on every download path, and says what was kept.

The emulator caps each media response at `RATE` bytes/s. A timer sets the cancel event while a
file is in flight; `stage()` must raise StagingCancelled well before the download could have
finished (under a fifth of the transfer time still left: a bound a loaded machine cannot break,
the 1 s goal itself is measured by `benchmarks/bench_cancel.py`). Then: no file in `dest` holds
wrong bytes, the message matches the disk, and a rerun without the cap completes.
"""

from __future__ import annotations

import random
import re
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.drive import child_id

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.errors import StagingCancelled
from colab_panel.staging import stage
from colab_panel.units import human_bytes

MiB = 1024 * 1024
RATE = 1_000_000  # bytes/s per connection: the "1 MB/s"


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cancel-seed")
    rng = random.Random(11)
    (root / "one.bin").write_bytes(rng.randbytes(8 * MiB))  # one stream (below the parallel threshold)
    (root / "slow.bin").write_bytes(rng.randbytes(3 * MiB))
    (root / "ranges.bin").write_bytes(rng.randbytes(40 * MiB))  # parallel byte ranges
    four = root / "four"
    four.mkdir()
    for i in range(4):
        (four / f"part{i}.bin").write_bytes(rng.randbytes(8 * MiB))
    inner = root / "inner.bin"
    inner.write_bytes(rng.randbytes(8 * MiB))
    with tarfile.open(root / "pack.tar", "w") as tf:  # extracted while it streams
        tf.add(inner, arcname="pack/inner.bin")
    inner.unlink()
    many = root / "many"
    for i in range(200):
        sub = many / f"c{i % 4}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i:03d}.bin").write_bytes(rng.randbytes(2000 + i))
    return root


@pytest.fixture
def emu(seed: Path) -> Iterator[DriveEmulator]:
    with DriveEmulator(root=seed, max_page_size=1000) as emulator:
        yield emulator


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and not any(part.startswith(".colab_panel") for part in p.relative_to(root).parts)}


def _cancel_after(delay_s: float, cancel: threading.Event) -> dict[str, float]:
    when: dict[str, float] = {}

    def fire() -> None:
        when["set"] = time.monotonic()
        cancel.set()

    threading.Timer(delay_s, fire).start()
    return when


@pytest.mark.parametrize(("title", "rate", "streams", "expected"), [
    ("one.bin", RATE, 1, {"one.bin": "one.bin"}),
    ("slow.bin", 250_000, 1, {"slow.bin": "slow.bin"}),
    ("ranges.bin", RATE, 4, {"ranges.bin": "ranges.bin"}),
    ("four", RATE, 4, {f"part{i}.bin": f"four/part{i}.bin" for i in range(4)}),
    ("pack.tar", RATE, 1, {"pack/inner.bin": "pack.tar"}),
], ids=["one-stream", "one-stream-250kBps", "parallel-ranges", "folder", "tar-stream"])
def test_cancel_returns_long_before_the_transfer_would_end(emu: DriveEmulator, drive: Drive, seed: Path,
                                                          tmp_path: Path, title: str, rate: int, streams: int,
                                                          expected: dict[str, str]) -> None:
    source = seed / title
    total = sum(p.stat().st_size for p in source.rglob("*") if p.is_file()) if source.is_dir() else source.stat().st_size
    emu.faults.bandwidth(rate)
    dest = tmp_path / "out"
    cancel = threading.Event()
    started = time.monotonic()
    delay_s = 2.0
    when = _cancel_after(delay_s, cancel)
    with pytest.raises(StagingCancelled) as raised:
        stage(f"drive:{child_id(emu, title)}", dest, drive=drive, progress=None, cancel=cancel)
    returned = time.monotonic()
    assert "set" in when, "the transfer ended before the cancel: make the file larger"
    latency = returned - when["set"]
    would_end = started + total / (rate * streams)  # the earliest the download could have finished
    left = would_end - when["set"]
    assert left > 3.0
    assert latency < left / 5, f"cancel took {latency:.2f} s with {left:.1f} s of transfer left"

    # Nothing in dest is a half-written file posing as complete; the message tells the truth.
    kept = _files(dest) if dest.exists() else {}
    for rel, data in kept.items():
        original = seed / title / rel if source.is_dir() else None
        assert original is not None and data == original.read_bytes(), rel
    assert "nothing was written" not in str(raised.value) or not kept

    emu.faults.bandwidth(None)
    stage(f"drive:{child_id(emu, title)}", dest, drive=drive, progress=None)
    got = _files(dest)
    for rel, origin in expected.items():
        assert rel in got
        if title != "pack.tar":
            assert got[rel] == (seed / origin).read_bytes()
    if title == "pack.tar":
        with tarfile.open(seed / "pack.tar") as tf:
            member = tf.extractfile("pack/inner.bin")
            assert member is not None and got["pack/inner.bin"] == member.read()


def test_the_cancel_message_says_what_was_kept(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    emu.faults.delay(0.01, media=True)
    cancel = threading.Event()

    def cancel_midway(p: object) -> None:
        if getattr(p, "files_done", 0) >= 40:
            cancel.set()

    dest = tmp_path / "many"
    with pytest.raises(StagingCancelled) as raised:
        stage(f"drive:{child_id(emu, 'many')}", dest, drive=drive, progress=cancel_midway, cancel=cancel)
    message = str(raised.value)
    kept = _files(dest)
    assert 0 < len(kept) < 200
    assert "nothing was written" not in message
    match = re.search(r"Kept (\d+) verified files? \(([^)]+)\)", message)
    assert match is not None, message
    assert int(match.group(1)) == len(kept)
    assert match.group(2) == human_bytes(sum(len(v) for v in kept.values()))
    assert str(dest) in message


def test_a_cancel_before_anything_arrived_says_nothing_was_written(emu: DriveEmulator, drive: Drive,
                                                                    tmp_path: Path) -> None:
    emu.faults.delay(1.5, media=False)  # looking the file up outlasts the cancel: no byte comes
    cancel = threading.Event()
    _cancel_after(0.5, cancel)
    dest = tmp_path / "one"
    with pytest.raises(StagingCancelled) as raised:
        stage(f"drive:{child_id(emu, 'one.bin')}", dest, drive=drive, progress=None, cancel=cancel)
    assert _files(dest) == {} if dest.exists() else True
    assert "nothing" in str(raised.value) and "Kept" not in str(raised.value)


def test_cancel_of_a_url_download_returns_long_before_it_would_end(file_server, tmp_path: Path) -> None:
    body = random.Random(3).randbytes(8 * MiB)
    file_server.files["/data.bin"] = body
    file_server.bytes_per_second = RATE
    cancel = threading.Event()
    started = time.monotonic()
    when = _cancel_after(2.0, cancel)
    dest = tmp_path / "url"
    with pytest.raises(StagingCancelled):
        stage(file_server.url("/data.bin"), dest, progress=None, cancel=cancel)
    latency = time.monotonic() - when["set"]
    left = started + len(body) / RATE - when["set"]
    assert latency < left / 5, f"cancel took {latency:.2f} s with {left:.1f} s of transfer left"
    assert not (dest / "data.bin").exists()
    file_server.bytes_per_second = None
    stage(file_server.url("/data.bin"), dest, progress=None)
    assert (dest / "data.bin").read_bytes() == body
