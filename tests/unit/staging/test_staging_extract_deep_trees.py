"""Folder chains ~1,000 levels deep: the real error comes out (never RecursionError), nothing of
ours is left inside or next to the destination, and a deep tree merges into an existing one."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import pytest

from colab_panel.errors import StagingError, UnsafeArchiveError
from colab_panel.staging import extract_archive
from colab_panel.staging.staging_area import TMP_PREFIX
from colab_panel.staging.tree_removal import remove_tree
from staging_archives import tar_member, write_tar, write_zip

DEPTH = 1000
CHAIN = "d/" * DEPTH  # 2,000 characters: deep, yet well under PATH_MAX


@pytest.fixture(autouse=True)
def _remove_deep_trees(tmp_path: Path):
    yield
    remove_tree(tmp_path)  # pytest's own cleanup (shutil.rmtree on 3.11) would hit the recursion limit


def ours_left(tmp_path: Path) -> list[str]:
    """Our temporary folders left anywhere a staging area can be made (next to dest or inside it)."""
    places = [tmp_path] + [tmp_path / name for name in ("dest", "fresh") if (tmp_path / name).is_dir()]
    return [f"{p}/{n}" for p in places for n in os.listdir(p) if n.startswith(TMP_PREFIX)]


def deep_tar(path: Path, last: tuple[str, bytes] | None = None) -> Path:
    members = [tar_member(CHAIN[:2 * i], type=b"5") for i in range(1, DEPTH + 1)]
    members.append(tar_member(CHAIN + "leaf.txt", b"leaf"))
    if last is not None:
        members.append(tar_member(*last))
    return write_tar(path, members)


@pytest.mark.parametrize("dest_name", ["fresh", "dest"])  # staging area next to dest / inside dest
def test_tar_error_after_a_deep_chain_is_the_real_error(tmp_path: Path, dest_name: str) -> None:
    archive = deep_tar(tmp_path / "a.tar", ("../evil.txt", b"pwned"))
    (tmp_path / "dest").mkdir()
    (tmp_path / "dest" / "mine.txt").write_text("mine")
    with pytest.raises(UnsafeArchiveError, match="'../evil.txt'"):
        extract_archive(archive, tmp_path / dest_name)
    assert ours_left(tmp_path) == []
    assert sorted(os.listdir(tmp_path / "dest")) == ["mine.txt"]
    assert not (tmp_path / "fresh").exists()


def test_zip_error_after_a_deep_chain_cleans_up(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "a.zip", [(CHAIN + "leaf.txt", b"leaf"), ("zz_bad.txt", b"x" * 100)])
    blob = bytearray(archive.read_bytes())  # corrupt the last member's CRC in the central directory
    at = blob.rfind(b"PK\x01\x02")
    blob[at + 16:at + 20] = (zlib.crc32(b"x" * 100) ^ 1).to_bytes(4, "little")
    archive.write_bytes(bytes(blob))
    (tmp_path / "dest").mkdir()
    (tmp_path / "dest" / "mine.txt").write_text("mine")
    with pytest.raises(StagingError, match="zz_bad.txt"):
        extract_archive(archive, tmp_path / "dest", workers=1)
    assert ours_left(tmp_path) == []
    assert sorted(os.listdir(tmp_path / "dest")) == ["mine.txt"]


def test_deep_tree_merges_into_the_same_deep_tree(tmp_path: Path) -> None:
    archive = deep_tar(tmp_path / "a.tar")
    dest = tmp_path / "dest"
    extract_archive(archive, dest)
    (dest / "mine.txt").write_text("mine")  # dest not empty: the second run merges level by level
    paths = extract_archive(archive, dest)
    assert paths == [dest / CHAIN / "leaf.txt"]
    assert (dest / CHAIN / "leaf.txt").read_bytes() == b"leaf"
    assert ours_left(tmp_path) == []


def test_remove_tree_unlinks_links_and_never_follows_them(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "keep.txt").write_text("keep")
    tree = tmp_path / "tree"
    (tree / "a" / "b").mkdir(parents=True)
    os.symlink(outside, tree / "a" / "to_outside")
    os.symlink(outside / "sub" / "keep.txt", tree / "a" / "b" / "to_file")
    assert remove_tree(tree) is True
    assert not os.path.lexists(tree)
    assert (outside / "sub" / "keep.txt").read_text() == "keep"
    os.symlink(outside, tmp_path / "link")
    assert remove_tree(tmp_path / "link") is True and outside.is_dir()
