"""Hostile archives of every kind: each must raise UnsafeArchiveError naming the member, and
leave the destination (with its pre-existing files) exactly as it was."""

from __future__ import annotations

import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from colab_panel.errors import UnsafeArchiveError
from colab_panel.staging import extract_archive
from staging_archives import (make_dest, patch_zip_sizes, snapshot, tar_member, tar_with_lying_member,
                              write_tar, write_zip)

GOOD = ("aaa_good.txt", b"written before the bad member is met")


def assert_refused(archive: Path, dest: Path, words: str) -> None:
    before = snapshot(dest)
    outside = snapshot(dest.parent / "outside") if (dest.parent / "outside").exists() else None
    with pytest.raises(UnsafeArchiveError) as err:
        extract_archive(archive, dest)
    assert words in str(err.value)
    assert snapshot(dest) == before
    if outside is not None:
        assert snapshot(dest.parent / "outside") == outside
    assert not (dest.parent / "evil.txt").exists()


# --- zip ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../evil.txt", "sub/../../evil.txt", "/tmp/evil.txt", "..\\evil.txt",
                                  "sub\\..\\..\\evil.txt", "C:/evil.txt", "C:\\evil.txt", "c:evil.txt"])
def test_zip_member_outside_dest_is_refused(tmp_path: Path, name: str) -> None:
    archive = write_zip(tmp_path / "a.zip", [GOOD, (name, b"pwned")])
    assert_refused(archive, make_dest(tmp_path), repr(name))


@pytest.mark.parametrize("target", ["../outside", "/etc", "sub/../../outside", "..\\outside"])
def test_zip_symlink_pointing_outside_is_refused(tmp_path: Path, target: str) -> None:
    archive = write_zip(tmp_path / "a.zip", [GOOD, ("link", target.encode())],
                        modes={"link": stat.S_IFLNK | 0o777})
    assert_refused(archive, make_dest(tmp_path), "'link'")


def test_zip_file_written_through_its_own_symlink_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    archive = write_zip(tmp_path / "a.zip", [("sub/", b""), ("link", b"sub"), ("link/x.txt", b"pwned")],
                        modes={"link": stat.S_IFLNK | 0o777, "sub/": stat.S_IFDIR | 0o755})
    assert_refused(archive, make_dest(tmp_path), "symbolic link 'link'")


def test_zip_device_entry_is_refused(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "a.zip", [GOOD, ("dev", b"")], modes={"dev": stat.S_IFCHR | 0o644})
    assert_refused(archive, make_dest(tmp_path), "'dev'")


def test_zip_bomb_with_lying_declared_size_is_stopped(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "a.zip", [GOOD, ("bomb.bin", bytes(1_000_000))])
    patch_zip_sizes(archive, "bomb.bin", file_size=1000)
    assert_refused(archive, make_dest(tmp_path), "expands past its declared size")


def test_large_zip_bomb_with_lying_declared_size_is_stopped(tmp_path: Path) -> None:
    # Declared 5 MB, so it takes the streaming path; really 40 MB of zeros.
    archive = write_zip(tmp_path / "a.zip", [GOOD, ("bomb.bin", bytes(40_000_000))])
    patch_zip_sizes(archive, "bomb.bin", file_size=5_000_000)
    assert_refused(archive, make_dest(tmp_path), "'bomb.bin' expands past")


def test_stored_member_longer_than_declared_is_stopped(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "a.zip", [GOOD, ("big.bin", bytes(5000))], method=zipfile.ZIP_STORED)
    patch_zip_sizes(archive, "big.bin", file_size=100)
    assert_refused(archive, make_dest(tmp_path), "'big.bin'")


def test_zip_total_past_max_bytes_is_refused(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "a.zip", [GOOD, ("big.bin", bytes(10_000))])
    dest = make_dest(tmp_path)
    before = snapshot(dest)
    with pytest.raises(UnsafeArchiveError, match="limit"):
        extract_archive(archive, dest, max_bytes=5000)
    assert snapshot(dest) == before


def test_zip_name_both_file_and_folder_is_refused(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "a.zip", [("a", b"file"), ("a/b", b"file below a file")])
    assert_refused(archive, make_dest(tmp_path), "'a'")


# --- tar ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../evil.txt", "sub/../../evil.txt", "/tmp/evil.txt", "..\\evil.txt"])
@pytest.mark.parametrize("mode", ["w", "w:gz"])
def test_tar_member_outside_dest_is_refused(tmp_path: Path, name: str, mode: str) -> None:
    archive = write_tar(tmp_path / "a.tar", [tar_member(*GOOD), tar_member(name, b"pwned")], mode=mode)
    assert_refused(archive, make_dest(tmp_path), repr(name))


def test_tar_pax_path_override_outside_is_refused(tmp_path: Path) -> None:
    info, data = tar_member("innocent.txt", b"pwned")
    info.pax_headers = {"path": "../evil.txt"}
    archive = write_tar(tmp_path / "a.tar", [tar_member(*GOOD), (info, data)])
    assert_refused(archive, make_dest(tmp_path), "'../evil.txt'")


def test_tar_gnu_long_name_outside_is_refused(tmp_path: Path) -> None:
    name = "../" + "x" * 150 + "/evil.txt"
    archive = write_tar(tmp_path / "a.tar", [tar_member(*GOOD), tar_member(name, b"pwned")],
                        format=tarfile.GNU_FORMAT)
    assert_refused(archive, make_dest(tmp_path), "climb out")


@pytest.mark.parametrize("target", ["../outside", "/etc", "sub/../../outside"])
def test_tar_symlink_pointing_outside_is_refused(tmp_path: Path, target: str) -> None:
    archive = write_tar(tmp_path / "a.tar", [tar_member(*GOOD), tar_member("link", type=tarfile.SYMTYPE,
                                                                           linkname=target)])
    assert_refused(archive, make_dest(tmp_path), "'link'")


@pytest.mark.parametrize("target", ["../outside/x", "/etc/passwd", "keep/mine.txt", "hard"])
def test_tar_hardlinks_to_anything_but_an_earlier_member_are_refused(tmp_path: Path, target: str) -> None:
    archive = write_tar(tmp_path / "a.tar", [tar_member(*GOOD), tar_member("hard", type=tarfile.LNKTYPE,
                                                                           linkname=target)])
    assert_refused(archive, make_dest(tmp_path), "'hard' is a hard link")


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE])
def test_tar_device_and_fifo_are_refused(tmp_path: Path, kind: bytes) -> None:
    info, _ = tar_member("dev", type=kind)
    info.devmajor, info.devminor = 1, 3
    archive = write_tar(tmp_path / "a.tar", [tar_member(*GOOD), (info, b"")])
    assert_refused(archive, make_dest(tmp_path), "'dev'")


def test_tar_symlink_then_file_through_it_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    archive = write_tar(tmp_path / "a.tar", [
        tar_member(*GOOD),
        tar_member("sub", type=tarfile.DIRTYPE),
        tar_member("link", type=tarfile.SYMTYPE, linkname="sub"),  # inside: allowed on its own
        tar_member("link/x.txt", b"through the link"),
    ])
    assert_refused(archive, make_dest(tmp_path), "symbolic link 'link'")


def test_tar_file_replacing_its_own_symlink_is_refused(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "a.tar", [
        tar_member("link", type=tarfile.SYMTYPE, linkname="aaa_good.txt"),
        tar_member("link", b"overwrite via the link?"),
    ])
    assert_refused(archive, make_dest(tmp_path), "'link'")


def test_tar_symlink_chain_escaping_only_when_resolved_is_refused(tmp_path: Path) -> None:
    # Lexically `sub/a -> b/../..` stays inside; but `sub/b -> ..` makes the kernel climb out.
    archive = write_tar(tmp_path / "a.tar", [
        tar_member(*GOOD),
        tar_member("sub", type=tarfile.DIRTYPE),
        tar_member("sub/b", type=tarfile.SYMTYPE, linkname=".."),
        tar_member("sub/a", type=tarfile.SYMTYPE, linkname="b/../.."),
    ])
    assert_refused(archive, make_dest(tmp_path), "'sub/a'")


def test_tar_member_claiming_less_than_it_has_is_refused(tmp_path: Path) -> None:
    archive = tar_with_lying_member(tmp_path / "a.tar")
    assert_refused(archive, make_dest(tmp_path), "does not end cleanly after member 'liar.bin'")


def test_tar_file_then_folder_of_same_name_is_refused(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "a.tar", [tar_member("a", b"file"), tar_member("a/b", b"below a file")])
    assert_refused(archive, make_dest(tmp_path), "'a/b'")


def test_tar_past_max_bytes_is_refused(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "a.tar.xz", [tar_member(*GOOD), tar_member("big", bytes(100_000))], mode="w:xz")
    dest = make_dest(tmp_path)
    before = snapshot(dest)
    with pytest.raises(UnsafeArchiveError, match="limit"):
        extract_archive(archive, dest, max_bytes=50_000)
    assert snapshot(dest) == before


# --- the destination itself ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["zip", "tar"])
def test_existing_symlink_in_dest_is_not_written_through(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "outside").mkdir()
    dest = make_dest(tmp_path)
    os.symlink(tmp_path / "outside", dest / "data")
    if fmt == "zip":
        archive = write_zip(tmp_path / "a.zip", [("data/x.txt", b"pwned")])
    else:
        archive = write_tar(tmp_path / "a.tar", [tar_member("data/x.txt", b"pwned")])
    assert_refused(archive, dest, "existing symbolic link")
    assert not (tmp_path / "outside" / "x.txt").exists()
