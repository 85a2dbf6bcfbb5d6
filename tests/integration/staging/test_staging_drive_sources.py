"""stage() from the Drive emulator over real HTTPS: folders, archives, faults, resume, cache hits, cancel.

Every test talks to a `DriveEmulator` through the real `Drive` backend (PyDrive2 +
googleapiclient, unmodified) with a fast retry policy, so injected faults are retried quickly.
"""

from __future__ import annotations

import hashlib
import io
import random
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.drive import child_id
from support.kill_resume import wait_for_quiet

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.errors import ChecksumMismatch, StagingCancelled, StagingError
from colab_panel.staging import drive_source, stage
from colab_panel.staging.pacing import AdaptiveLimit
from colab_panel.staging.progress import Progress

SMALL_FILES = 1000


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _leftovers(root: Path) -> list[str]:
    """Partial files or our temp folders anywhere under root."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.name.endswith(".part") or p.name.startswith((".colab_panel-download", ".colab_panel-tmp")))


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("drive-seed")
    rng = random.Random(5)
    many = root / "many"
    for i in range(SMALL_FILES):
        sub = many / f"class_{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"img_{i:04d}.bin").write_bytes(rng.randbytes(rng.randint(300, 3000)))
    (root / "big.bin").write_bytes(rng.randbytes(12 * 1024 * 1024))
    small = root / "small"
    (small / "nested").mkdir(parents=True)
    for i in range(30):
        (small / ("nested" if i % 2 else "") / f"f{i}.txt").write_bytes(rng.randbytes(500 + i))
    with zipfile.ZipFile(root / "cats.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(50):
            zf.writestr(f"cats/{i:03d}.txt", f"cat {i}\n" * 50)
    with tarfile.open(root / "dogs.tar.gz", "w:gz") as tf:
        for i in range(40):
            data = rng.randbytes(2000)
            info = tarfile.TarInfo(f"dogs/{i:03d}.bin")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return root


@pytest.fixture
def emu(seed: Path) -> Iterator[DriveEmulator]:
    with DriveEmulator(root=seed, max_page_size=1000) as emulator:
        yield emulator


def test_folder_of_1000_files_survives_faults_with_every_md5_right(emu: DriveEmulator, drive: Drive,
                                                                   seed: Path, tmp_path: Path) -> None:
    emu.faults.fail(status=403, reason="userRateLimitExceeded", times=6, media=True)
    emu.faults.fail(status=429, times=2, media=True)
    emu.faults.fail(status=503, times=4, media=True)
    emu.faults.reset(after_bytes=100, times=4, media=True)
    emu.faults.delay(0.002, media=True)
    dest = tmp_path / "many"
    result = stage(f"drive:{child_id(emu, 'many')}", dest, drive=drive, progress=None)
    assert not [r for r in emu.faults.pending if r.kind != "delay"]  # every scripted fault really fired
    assert result.files == SMALL_FILES and not result.cached
    got = _tree(dest)
    expected = {str(p.relative_to(seed / "many")): p.read_bytes() for p in (seed / "many").rglob("*") if p.is_file()}
    assert got.keys() - {".colab_panel-manifest.json"} == expected.keys()
    assert all(_md5(got[k]) == _md5(v) for k, v in expected.items())
    assert _leftovers(dest) == []


def test_a_few_percent_of_requests_refused_for_rate_slow_only_those_requests(
        emu: DriveEmulator, drive: Drive, seed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    limits: list[AdaptiveLimit] = []

    class Recorded(AdaptiveLimit):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            limits.append(self)

    monkeypatch.setattr(drive_source, "AdaptiveLimit", Recorded)
    emu.faults.fail(status=403, reason="userRateLimitExceeded", times=None, share=0.015, seed=1)
    emu.faults.fail(status=429, times=None, share=0.015, seed=2)
    dest = tmp_path / "many"
    result = stage(f"drive:{child_id(emu, 'many')}", dest, drive=drive, progress=None)
    refused = emu.requests.count(status=403) + emu.requests.count(status=429)
    assert refused >= 10  # the faults really fired
    [limit] = limits
    assert limit.refusals >= 10 and limit.shrinks == 0 and limit.limit == limit.cap  # no pool-wide back-off
    assert result.files == SMALL_FILES
    got = _tree(dest)
    expected = {str(p.relative_to(seed / "many")): p.read_bytes() for p in (seed / "many").rglob("*") if p.is_file()}
    assert got.keys() - {".colab_panel-manifest.json"} == expected.keys()  # nothing twice, nothing missing
    assert all(got[k] == v for k, v in expected.items())
    assert _leftovers(dest) == []


def test_unchanged_folder_rerun_is_a_cache_hit_without_media_requests(emu: DriveEmulator, drive: Drive,
                                                                       tmp_path: Path) -> None:
    link = f"https://drive.google.com/drive/folders/{child_id(emu, 'small')}?usp=sharing"
    first = stage(link, tmp_path / "s", drive=drive, progress=None)
    emu.requests.clear()
    again = stage(link, tmp_path / "s", drive=drive, progress=None)
    assert again.cached and (again.files, again.bytes) == (first.files, first.bytes) == (30, first.bytes)
    assert emu.requests.count(media=True) == 0
    assert emu.requests.count() >= 1  # it did look at the listing


def test_changed_folder_refetches_only_the_changed_file(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    folder_id = child_id(emu, "small")
    stage(f"drive:{folder_id}", tmp_path / "s", drive=drive, progress=None)
    [changed] = [i for i in emu.store.children(folder_id) if i.title == "f0.txt"]
    drive.upload(_write(tmp_path / "f0.txt", b"new content"), folder_id)  # a second f0.txt on Drive
    emu.requests.clear()
    result = stage(f"drive:{folder_id}", tmp_path / "s", drive=drive, progress=None)
    assert not result.cached and result.files == 31
    assert emu.requests.count(media=True) == 1, [(r.method, r.path, r.query) for r in emu.requests if r.media]  # only the new file's bytes
    assert (tmp_path / "s" / "f0.txt").read_bytes() != b"new content"  # the original keeps its name
    [dup] = [p for p in (tmp_path / "s").glob("f0~*.txt")]
    assert dup.read_bytes() == b"new content" and changed.id not in dup.name


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_interrupted_large_download_resumes_fetching_only_the_rest(emu: DriveEmulator, drive: Drive,
                                                                   seed: Path, tmp_path: Path) -> None:
    drive.chunk_size = 1024 * 1024
    emu.faults.bandwidth(8 * 1024 * 1024)
    size = (seed / "big.bin").stat().st_size
    broken = threading.Event()

    def break_network(p: Progress) -> None:
        if p.phase == "download" and p.bytes_done >= size // 2 and not broken.is_set():
            broken.set()
            emu.faults.reset(after_bytes=10, times=None, media=True)  # every request from now on drops

    dest = tmp_path / "big"
    with pytest.raises(StagingError):
        stage(f"drive:{child_id(emu, 'big.bin')}", dest, drive=drive, progress=break_network)
    parts = list(dest.rglob("*.part"))
    assert len(parts) == 1 and size // 2 <= parts[0].stat().st_size < size
    kept = parts[0].stat().st_size
    assert not (dest / "big.bin").exists()
    emu.faults.clear()
    emu.requests.clear()
    result = stage(f"drive:{child_id(emu, 'big.bin')}", dest, drive=drive, progress=None)
    assert (dest / "big.bin").read_bytes() == (seed / "big.bin").read_bytes() and result.files == 1
    ranges = [r.headers.get("range", "") for r in emu.requests if r.media]
    assert ranges and ranges[0].startswith(f"bytes={kept}-")  # continued from the kept bytes
    assert len(ranges) <= -(-(size - kept) // drive.chunk_size) + 1
    assert _leftovers(dest) == []


def test_zip_from_a_drive_link_is_verified_and_extracted(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    link = f"https://drive.google.com/file/d/{child_id(emu, 'cats.zip')}/view?usp=drive_link"
    result = stage(link, tmp_path / "cats", drive=drive, progress=None)
    assert result.files == 50
    assert (tmp_path / "cats" / "cats" / "007.txt").read_text() == "cat 7\n" * 50
    assert _leftovers(tmp_path / "cats") == []


def test_tar_gz_from_drive_extracts_while_downloading(emu: DriveEmulator, drive: Drive, seed: Path,
                                                      tmp_path: Path) -> None:
    result = stage(f"drive:{child_id(emu, 'dogs.tar.gz')}", tmp_path / "dogs", drive=drive, progress=None)
    assert result.files == 40
    with tarfile.open(seed / "dogs.tar.gz") as tf:
        first = tf.extractfile("dogs/000.bin").read()  # type: ignore[union-attr]
    assert (tmp_path / "dogs" / "dogs" / "000.bin").read_bytes() == first
    assert not (tmp_path / "dogs" / ".colab_panel-download").exists()  # streamed: no archive copy on disk


def test_wrong_md5_on_drive_keeps_nothing(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    item = emu.store.get(child_id(emu, "dogs.tar.gz"))
    item.md5 = "0" * 32
    dest = tmp_path / "dogs"
    with pytest.raises(ChecksumMismatch):
        stage(f"drive:{item.id}", dest, drive=drive, progress=None)
    assert not dest.exists() or [p.name for p in dest.iterdir()] in ([], [".colab_panel-manifest.json"])


def test_cancel_is_a_pause_the_next_stage_resumes_the_partial_file(emu: DriveEmulator, drive: Drive, seed: Path,
                                                                    tmp_path: Path) -> None:
    emu.faults.bandwidth(2 * 1024 * 1024)
    drive.chunk_size = 256 * 1024
    cancel = threading.Event()

    def cancel_midway(p: Progress) -> None:
        if p.bytes_done > 1024 * 1024:
            cancel.set()

    dest = tmp_path / "big"
    big_id = child_id(emu, "big.bin")
    with pytest.raises(StagingCancelled, match=r"1 partial download \(.*resumed next time\)"):
        stage(f"drive:{big_id}", dest, drive=drive, progress=cancel_midway, cancel=cancel)
    assert not (dest / "big.bin").exists()  # nothing half-written under the dataset's name
    [part] = [p for p in dest.rglob("*.part")]
    kept = part.stat().st_size
    assert kept > 1024 * 1024
    emu.faults.bandwidth(None)
    wait_for_quiet(emu)  # the cancelled request's answer may still be going out
    emu.requests.clear()
    stage(f"drive:{big_id}", dest, drive=drive, progress=None)
    assert (dest / "big.bin").read_bytes() == (seed / "big.bin").read_bytes()
    assert emu.requests.served_spans()[f"/drive/v2/files/{big_id}"] == [(kept, (seed / "big.bin").stat().st_size)]
    assert _leftovers(dest) == []


def test_cancel_of_a_folder_keeps_only_whole_verified_files(emu: DriveEmulator, drive: Drive, seed: Path,
                                                            tmp_path: Path) -> None:
    emu.faults.delay(0.01, media=True)
    cancel = threading.Event()

    def cancel_midway(p: Progress) -> None:
        if p.files_done >= 50:
            cancel.set()

    dest = tmp_path / "many"
    with pytest.raises(StagingCancelled):
        stage(f"drive:{child_id(emu, 'many')}", dest, drive=drive, progress=cancel_midway, cancel=cancel)
    assert all(p.startswith(".colab_panel-download") for p in _leftovers(dest))  # partial files wait there
    got = {k: v for k, v in _tree(dest).items() if not k.startswith(".colab_panel")}
    assert 0 < len(got) < SMALL_FILES
    assert all(v == (seed / "many" / k).read_bytes() for k, v in got.items())
    emu.requests.clear()
    stage(f"drive:{child_id(emu, 'many')}", dest, drive=drive, progress=None)  # the rerun fetches only the rest
    assert emu.requests.count(media=True) <= SMALL_FILES - len(got)
    assert _tree(dest).keys() - {".colab_panel-manifest.json"} == {
        str(p.relative_to(seed / "many")) for p in (seed / "many").rglob("*") if p.is_file()}
    assert _leftovers(dest) == []


def test_a_google_doc_is_refused_in_words(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    doc = drive.service.files().insert(body={"title": "Notes", "mimeType": "application/vnd.google-apps.document"}).execute()
    with pytest.raises(StagingError, match="Google document: it has no file to stage"):
        stage(f"drive:{doc['id']}", tmp_path / "d", drive=drive, progress=None)
