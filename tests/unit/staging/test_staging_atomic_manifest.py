"""PartFile (.part writing, hashing, resume) and the staging manifest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from colab_panel.errors import ChecksumMismatch, StagingError
from colab_panel.disk.atomic import PartFile, parse_expected_hash, part_path
from colab_panel.staging.manifest import MANIFEST_NAME, Manifest


def test_part_file_renames_on_success_and_hashes(tmp_path: Path) -> None:
    final = tmp_path / "sub" / "f.bin"
    with PartFile(final, expected_size=6, expected_hash=("md5", hashlib.md5(b"abcdef").hexdigest())) as part:
        part.write(b"abc")
        assert part_path(final).exists() and not final.exists()
        part.write(b"def")
    assert final.read_bytes() == b"abcdef" and not part_path(final).exists()


def test_checksum_mismatch_removes_the_part(tmp_path: Path) -> None:
    with pytest.raises(ChecksumMismatch, match="expected md5"):
        with PartFile(tmp_path / "f", expected_hash=("md5", "0" * 32)) as part:
            part.write(b"data")
    assert list(tmp_path.iterdir()) == []


def test_wrong_size_removes_the_part(tmp_path: Path) -> None:
    with pytest.raises(StagingError, match="expected 10"):
        with PartFile(tmp_path / "f", expected_size=10) as part:
            part.write(b"short")
    assert list(tmp_path.iterdir()) == []


def test_kept_part_resumes_with_rehash(tmp_path: Path) -> None:
    class Dropped(Exception):
        pass

    final = tmp_path / "f"
    with pytest.raises(Dropped):
        with PartFile(final, keep_on=(Dropped,)) as part:
            part.write(b"hello ")
            raise Dropped
    assert part_path(final).read_bytes() == b"hello "
    with pytest.raises(RuntimeError):  # other errors still clean up... but only a fresh part
        with PartFile(tmp_path / "g") as other:
            other.write(b"x")
            raise RuntimeError
    assert not part_path(tmp_path / "g").exists()

    expected = ("sha256", hashlib.sha256(b"hello world").hexdigest())
    with PartFile(final, resume=True, expected_hash=expected) as part:
        assert part.offset == 6
        part.write(b"world")
    assert final.read_bytes() == b"hello world"


def test_parse_expected_hash() -> None:
    assert parse_expected_hash("sha256:ABC") == ("sha256", "abc")
    assert parse_expected_hash("MD5:" + "a" * 32) == ("md5", "a" * 32)
    assert parse_expected_hash("b" * 32) == ("md5", "b" * 32)
    assert parse_expected_hash(None) is None
    with pytest.raises(ValueError):
        parse_expected_hash("nope:123")


def test_manifest_round_trip_and_identity(tmp_path: Path) -> None:
    ident = {"kind": "url", "url": "https://x/y.zip", "etag": '"1"'}
    m = Manifest(tmp_path, ident)
    (tmp_path / "a.txt").write_text("abc")
    m.record("a.txt", 3, "900150983cd24fb0d6963f7d28e17f72")
    m.mark_complete(1, 3)
    loaded = Manifest.load(tmp_path)
    assert loaded is not None and loaded.complete and loaded.matches(ident)
    assert loaded.is_done("a.txt", 3) and not loaded.is_done("a.txt", 4) and not loaded.is_done("b.txt")
    assert not loaded.matches({**ident, "etag": '"2"'})
    assert Manifest.for_source(tmp_path, {**ident, "etag": '"2"'}).files == {}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".colab")] == [MANIFEST_NAME]


def test_corrupt_manifest_means_start_over(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text("{not json")
    assert Manifest.load(tmp_path) is None
