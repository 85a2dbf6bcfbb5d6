"""The staging area is flagged "top of a folder tree" while it fills, and the destination never keeps the flag."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from colab_panel.staging import extract_tar_stream
from colab_panel.staging.folder_spread import TOPDIR_FLAG, folder_flags, set_top_of_tree
from colab_panel.staging.staging_area import TMP_PREFIX


def _flag_supported(folder: Path) -> bool:
    probe = folder / "probe"
    probe.mkdir()
    try:
        return set_top_of_tree(probe)
    finally:
        probe.rmdir()


def _tar(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = 1000
            tf.addfile(info, io.BytesIO(b"x" * 1000))
    return buf.getvalue()


class _Watching(io.RawIOBase):
    """A tar stream that, at each read, records the flags of the staging areas it can see in `where`."""

    def __init__(self, data: bytes, where: Path) -> None:
        self._data = io.BytesIO(data)
        self._where = where
        self.seen: list[int | None] = []

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        for area in self._where.glob(TMP_PREFIX + "*"):
            self.seen.append(folder_flags(area))
        return self._data.read(size if size and size > 0 else 10_000)


@pytest.mark.parametrize("dest_has_content", [False, True])
def test_area_is_flagged_while_extracting_and_the_flag_never_reaches_dest(tmp_path: Path,
                                                                          dest_has_content: bool) -> None:
    if not _flag_supported(tmp_path):
        pytest.skip("this filesystem has no FS_TOPDIR_FL (not ext2/3/4)")
    dest = tmp_path / "out"
    if dest_has_content:
        dest.mkdir()
        (dest / "kept.txt").write_bytes(b"kept")
    stream = _Watching(_tar([f"set/{i:02d}/f{i}.bin" for i in range(40)]), dest if dest_has_content else tmp_path)

    extract_tar_stream(stream, dest, compression=None)

    assert stream.seen, "the stream never saw the staging area"
    assert all(flags is not None and flags & TOPDIR_FLAG for flags in stream.seen)
    assert (dest / "set" / "07" / "f7.bin").read_bytes() == b"x" * 1000
    flags = folder_flags(dest)
    assert flags is not None and not flags & TOPDIR_FLAG
    assert not list(tmp_path.glob(TMP_PREFIX + "*")) and not list(dest.glob(TMP_PREFIX + "*"))


def test_setting_the_flag_where_it_cannot_be_set_is_a_quiet_no(tmp_path: Path) -> None:
    assert set_top_of_tree(tmp_path / "missing") is False
    assert folder_flags(tmp_path / "missing") is None
    a_file = tmp_path / "file"
    a_file.write_bytes(b"")
    assert set_top_of_tree(a_file) is False  # not a folder: O_DIRECTORY refuses it
    if os.path.isdir("/proc/self"):
        assert set_top_of_tree("/proc/self") is False  # procfs has no inode flags
