"""Disk full on a real, tiny filesystem (a 2 MB tmpfs; needs root, skipped otherwise)."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from colab_panel.errors import InsufficientSpace
from colab_panel.staging import extract_archive
from colab_panel.staging import zip_extract


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _random_files(count: int, size: int) -> list[tuple[str, bytes]]:
    return [(f"d/f{i}.bin", os.urandom(size)) for i in range(count)]


def test_tar_stream_filling_the_disk_cleans_up(tmp_path: Path, tiny_disk: Path) -> None:
    archive = tmp_path / "a.tgz"  # compressed tar: no declared size, so the disk fills mid-way
    with tarfile.open(archive, "w:gz") as tf:
        for name, data in _random_files(30, 100_000):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    dest = tiny_disk / "data"
    dest.mkdir()
    (dest / "mine.txt").write_text("keep me")
    before = _listing(tiny_disk)
    with pytest.raises(InsufficientSpace, match="filled up") as err:
        extract_archive(archive, dest)
    assert "a.tgz" in str(err.value)
    assert _listing(tiny_disk) == before
    assert (dest / "mine.txt").read_text() == "keep me"


def test_zip_too_big_is_refused_before_writing(tmp_path: Path, tiny_disk: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in _random_files(30, 100_000):
            zf.writestr(name, data)
    with pytest.raises(InsufficientSpace, match=r"needs 2\.\d MB, only 2\.0 MB free on "):
        extract_archive(archive, tiny_disk / "data")
    assert _listing(tiny_disk) == []


def test_zip_workers_hitting_enospc_clean_up(tmp_path: Path, tiny_disk: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Skip the up-front check so the real filesystem runs out under the parallel writers.
    monkeypatch.setattr(zip_extract, "check_space", lambda dest, needed: None)
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in _random_files(60, 50_000):
            zf.writestr(name, data)
    (tiny_disk / "mine.txt").write_text("keep me")
    with pytest.raises(InsufficientSpace, match="filled up"):
        extract_archive(archive, tiny_disk, workers=4)
    assert _listing(tiny_disk) == ["mine.txt"]
