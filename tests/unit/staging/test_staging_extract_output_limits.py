"""The default bound on output: at most `max_ratio` (1,200) times the compressed size above a
floor, for zip and for every tar compression, file or stream; `max_ratio=None` lifts it.
The floor is lowered here so that a few MB show what gigabytes would."""

from __future__ import annotations

import bz2
import gzip
import io
import zipfile
from pathlib import Path

import pytest

from colab_panel.errors import StagingError, UnsafeArchiveError
from colab_panel.staging import extract_archive, extract_tar_stream, output_limit
from staging_archives import make_dest, snapshot, tar_member, write_tar, write_tar_to, write_zip

ZEROS = bytes(8_000_000)


@pytest.fixture(autouse=True)
def small_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output_limit, "RATIO_FLOOR_BYTES", 1_000_000)


def refused(dest: Path, run, words: str = "times its compressed size") -> None:
    before = snapshot(dest)
    with pytest.raises(UnsafeArchiveError, match=words):
        run()
    assert snapshot(dest) == before


def test_zip_past_the_ratio_is_refused_before_writing(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "a.zip", [("zeros.bin", ZEROS)], method=zipfile.ZIP_BZIP2)
    dest = make_dest(tmp_path)
    refused(dest, lambda: extract_archive(archive, dest))
    assert extract_archive(archive, tmp_path / "trusted", max_ratio=None)[0].stat().st_size == len(ZEROS)


@pytest.mark.parametrize("mode, ratio", [("w:gz", 500), ("w:bz2", None), ("w:xz", None), ("w:zst", None)])
def test_compressed_tar_past_the_ratio_is_refused(tmp_path: Path, mode: str, ratio: float | None) -> None:
    archive = write_tar(tmp_path / "a.tar", [tar_member("ok.txt", b"ok"), tar_member("zeros.bin", ZEROS)],
                        mode=mode)
    kwargs = {} if ratio is None else {"max_ratio": ratio}  # gzip's ceiling is ~1,032:1, so ask for less
    dest = make_dest(tmp_path)
    refused(dest, lambda: extract_archive(archive, dest, **kwargs))
    stream = io.BytesIO(archive.read_bytes())
    refused(dest, lambda: extract_tar_stream(stream, dest, **kwargs))
    assert len(extract_archive(archive, tmp_path / "trusted", max_ratio=None)) == 2


def test_tar_followed_by_gigabytes_of_compressed_padding_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    write_tar_to(buf, [tar_member("ok.txt", b"ok")], "w", 0)
    archive = tmp_path / "a.tar.bz2"
    archive.write_bytes(bz2.compress(buf.getvalue() + ZEROS))
    dest = make_dest(tmp_path)
    refused(dest, lambda: extract_archive(archive, dest))


def test_ratio_errors_are_staging_errors_in_words(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "a.zip", [("zeros.bin", ZEROS)], method=zipfile.ZIP_BZIP2)
    with pytest.raises(StagingError) as err:
        extract_archive(archive, tmp_path / "dest")
    assert "max_ratio=None" in str(err.value) and "7.6 MB" in str(err.value)


def test_gzip_trailer_lying_about_the_size_is_unsafe(tmp_path: Path) -> None:
    buf = io.BytesIO()
    write_tar_to(buf, [tar_member("a.bin", bytes(100_000))], "w", 0)
    blob = bytearray(gzip.compress(buf.getvalue()))
    blob[-4:] = (1000).to_bytes(4, "little")  # ISIZE: 1,000 bytes; the CRC still matches
    archive = tmp_path / "a.tgz"
    archive.write_bytes(bytes(blob))
    dest = make_dest(tmp_path)
    refused(dest, lambda: extract_archive(archive, dest), "trailer declares a different size")


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_deflate_at_its_ceiling_is_not_refused(tmp_path: Path, kind: str) -> None:
    if kind == "zip":  # zeros: deflate's best case, ~1,029:1
        archive = write_zip(tmp_path / "a.zip", [("zeros.bin", ZEROS)])
    else:
        archive = write_tar(tmp_path / "a.tar.gz", [tar_member("zeros.bin", ZEROS)], mode="w:gz")
    assert len(ZEROS) / archive.stat().st_size > 1000
    assert (tmp_path / "dest" / "zeros.bin") in extract_archive(archive, tmp_path / "dest")
