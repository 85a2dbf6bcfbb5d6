"""Happy paths: every format extracts byte-exact, detected by content, into any kind of dest."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from colab_panel.errors import StagingError
from colab_panel.staging import Progress, declared_size, extract_archive, extract_tar_stream
from staging_archives import make_dest, snapshot, tar_member, write_tar, write_zip

FILES = {
    "data/train/a.txt": b"alpha\n",
    "data/train/b.bin": os.urandom(50_000),
    "data/empty.txt": b"",
    "data/caf\u00e9/\u65e5\u672c.txt": "unicode names".encode(),
    "top.txt": b"top level",
}


def assert_tree(dest: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        assert (dest / name).read_bytes() == data, name


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_zip_every_method_extracts_exactly(tmp_path: Path, method: int) -> None:
    archive = write_zip(tmp_path / "a.zip", list(FILES.items()), method=method)
    paths = extract_archive(archive, tmp_path / "out")
    assert_tree(tmp_path / "out", FILES)
    assert sorted(paths) == sorted(tmp_path / "out" / n for n in FILES)


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz", "w:zst"])
def test_tar_every_compression_extracts_exactly(tmp_path: Path, mode: str) -> None:
    members = [tar_member(n, d) for n, d in FILES.items()]
    archive = write_tar(tmp_path / "a.tar", members, mode=mode)  # no telling extension on purpose
    paths = extract_archive(archive, tmp_path / "out")
    assert_tree(tmp_path / "out", FILES)
    assert paths == [tmp_path / "out" / n for n in FILES]


def test_zst_with_several_frames(tmp_path: Path) -> None:
    import zstandard

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in FILES.items():
            info, _ = tar_member(name, data)
            tf.addfile(info, io.BytesIO(data))
    raw = buf.getvalue()
    half = len(raw) // 2
    c = zstandard.ZstdCompressor()
    (tmp_path / "x.tzst").write_bytes(c.compress(raw[:half]) + c.compress(raw[half:]))
    extract_archive(tmp_path / "x.tzst", tmp_path / "out")
    assert_tree(tmp_path / "out", FILES)


def test_large_members_take_the_streaming_paths(tmp_path: Path) -> None:
    big = os.urandom(1 << 20) * 6  # 6 MB: above the one-shot limit
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        archive = write_zip(tmp_path / f"{method}.zip", [("big.bin", big), ("small", b"s")], method=method)
        extract_archive(archive, tmp_path / f"out{method}")
        assert (tmp_path / f"out{method}" / "big.bin").read_bytes() == big


def test_executable_bit_kept_and_symlink_inside_allowed(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "a.zip", [("bin/run.sh", b"#!/bin/sh\n"), ("bin/link", b"run.sh"),
                                             ("up", b"bin/run.sh")],
                        modes={"bin/run.sh": stat.S_IFREG | 0o755, "bin/link": stat.S_IFLNK | 0o777,
                               "up": stat.S_IFLNK | 0o777})
    out = tmp_path / "out"
    extract_archive(archive, out)
    assert os.access(out / "bin/run.sh", os.X_OK)
    assert os.readlink(out / "bin/link") == "run.sh"
    assert (out / "up").read_bytes() == b"#!/bin/sh\n"

    tar = write_tar(tmp_path / "a.tar", [tar_member("d/f", b"x", mode=0o755),
                                         tar_member("d/l", type=tarfile.SYMTYPE, linkname="../d/f")])
    extract_archive(tar, tmp_path / "out2")
    assert os.access(tmp_path / "out2/d/f", os.X_OK)
    assert (tmp_path / "out2/d/l").read_bytes() == b"x"


def test_extract_merges_into_a_non_empty_dest(tmp_path: Path) -> None:
    dest = make_dest(tmp_path)
    (dest / "data").mkdir()
    (dest / "data" / "old.txt").write_text("stays")
    (dest / "top.txt").write_text("replaced")
    archive = write_zip(tmp_path / "a.zip", list(FILES.items()))
    extract_archive(archive, dest)
    assert_tree(dest, FILES)
    assert (dest / "data/old.txt").read_text() == "stays"
    assert (dest / "keep/mine.txt").read_text() == "precious"
    assert not [p for p in os.listdir(dest) if p.startswith(".colab_panel")]
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".colab_panel")]


def test_extract_into_existing_empty_dest_keeps_it_a_normal_folder(tmp_path: Path) -> None:
    dest = tmp_path / "empty"
    dest.mkdir()
    extract_archive(write_zip(tmp_path / "a.zip", list(FILES.items())), dest)
    assert_tree(dest, FILES)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o777 & ~_umask()
    assert sorted(os.listdir(tmp_path)) == ["a.zip", "empty"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_duplicate_names_later_copy_wins(tmp_path: Path) -> None:
    with pytest.warns(UserWarning):  # zipfile warns about the duplicate name while we build it
        archive = write_zip(tmp_path / "a.zip", [("x.txt", b"first"), ("x.txt", b"second")])
    extract_archive(archive, tmp_path / "z")
    assert (tmp_path / "z/x.txt").read_bytes() == b"second"
    tar = write_tar(tmp_path / "a.tar", [tar_member("x.txt", b"first"), tar_member("x.txt", b"second")])
    extract_archive(tar, tmp_path / "t")
    assert (tmp_path / "t/x.txt").read_bytes() == b"second"


def test_zip_with_a_prefix_is_still_a_zip(tmp_path: Path) -> None:
    inner = write_zip(tmp_path / "inner.zip", list(FILES.items()))
    sfx = tmp_path / "setup.bin"
    sfx.write_bytes(b"#!/bin/sh\necho self-extracting stub\n" * 10 + inner.read_bytes())
    extract_archive(sfx, tmp_path / "out")
    assert_tree(tmp_path / "out", FILES)


def test_extension_is_ignored_in_favour_of_content(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "really_a_targz.zip", [tar_member(n, d) for n, d in FILES.items()], mode="w:gz")
    extract_archive(archive, tmp_path / "out")
    assert_tree(tmp_path / "out", FILES)


def test_not_an_archive_is_a_worded_error(tmp_path: Path) -> None:
    (tmp_path / "notes.zip").write_text("just text")
    with pytest.raises(StagingError, match="not a zip or tar"):
        extract_archive(tmp_path / "notes.zip", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_stream_extraction_from_a_pipe_like_reader(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "a.tgz", [tar_member(n, d) for n, d in FILES.items()], mode="w:gz")

    class OnlyRead:  # no seek, no tell, no peek: like an HTTP response
        def __init__(self, data: bytes) -> None:
            self._f = io.BytesIO(data)

        def read(self, n: int = -1) -> bytes:
            return self._f.read(min(n, 1000) if n > 0 else 1000)

    verified = []
    extract_tar_stream(OnlyRead(archive.read_bytes()), tmp_path / "out", verify=lambda: verified.append(True))
    assert_tree(tmp_path / "out", FILES)
    assert verified == [True]


def test_verify_hook_rejection_leaves_dest_unchanged(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "a.tar", [tar_member(n, d) for n, d in FILES.items()])
    dest = make_dest(tmp_path)
    before = snapshot(dest)

    def reject() -> None:
        raise StagingError("checksum says no")

    with open(archive, "rb") as f, pytest.raises(StagingError, match="checksum says no"):
        extract_tar_stream(f, dest, verify=reject)
    assert snapshot(dest) == before


def test_progress_reports_reach_the_totals(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "a.zip", list(FILES.items()))
    seen: list[Progress] = []
    extract_archive(archive, tmp_path / "out", progress=seen.append)
    last = seen[-1]
    assert last.files_done == last.files_total == len(FILES)
    assert last.bytes_done == last.bytes_total == sum(map(len, FILES.values()))

    tar = write_tar(tmp_path / "a.tar.gz", [tar_member(n, d) for n, d in FILES.items()], mode="w:gz")
    seen.clear()
    extract_archive(tar, tmp_path / "out2", progress=seen.append)
    assert seen[-1].files_done == len(FILES)
    assert seen[-1].bytes_done == seen[-1].bytes_total == tar.stat().st_size


def test_declared_size(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "a.zip", list(FILES.items()))
    assert declared_size(archive) == sum(map(len, FILES.values()))
    tar = write_tar(tmp_path / "a.tar", [tar_member(n, d) for n, d in FILES.items()])
    assert declared_size(tar) == tar.stat().st_size
    assert declared_size(write_tar(tmp_path / "b.tgz", [tar_member("a", b"x")], mode="w:gz")) is None
