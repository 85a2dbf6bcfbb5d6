"""Links are judged against the destination as it will be after the merge: through links the
user already has in dest, and through chains too long to follow (never a RecursionError)."""

from __future__ import annotations

import os
import stat
import tarfile
from pathlib import Path

import pytest

from colab_panel.errors import UnsafeArchiveError
from colab_panel.staging import extract_archive
from staging_archives import make_dest, snapshot, tar_member, write_tar, write_zip


def links_archive(path: Path, fmt: str, links: list[tuple[str, str]]) -> Path:
    if fmt == "zip":
        return write_zip(path.with_suffix(".zip"), [("aaa.txt", b"ok")] + [(n, t.encode()) for n, t in links],
                         modes={n: stat.S_IFLNK | 0o777 for n, _ in links})
    return write_tar(path.with_suffix(".tar"), [tar_member("aaa.txt", b"ok")] +
                     [tar_member(n, type=tarfile.SYMTYPE, linkname=t) for n, t in links])


def outside_with_flag(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "flag").write_text("secret")
    return outside


@pytest.mark.parametrize("fmt", ["zip", "tar"])
@pytest.mark.parametrize("existing", ["../outside", "ABS"])
def test_link_through_an_existing_link_in_dest_is_refused(tmp_path: Path, fmt: str, existing: str) -> None:
    outside = outside_with_flag(tmp_path)
    dest = make_dest(tmp_path)
    os.symlink(str(outside) if existing == "ABS" else existing, dest / "ext")
    archive = links_archive(tmp_path / "a", fmt, [("x", "ext/flag")])
    before, before_outside = snapshot(dest), snapshot(outside)
    with pytest.raises(UnsafeArchiveError, match="'x'.*outside the destination once merged"):
        extract_archive(archive, dest)
    assert snapshot(dest) == before and snapshot(outside) == before_outside


@pytest.mark.parametrize("fmt", ["zip", "tar"])
def test_link_through_archive_link_then_dest_link_is_refused(tmp_path: Path, fmt: str) -> None:
    outside_with_flag(tmp_path)
    dest = make_dest(tmp_path)
    os.symlink("../outside", dest / "ext")
    archive = links_archive(tmp_path / "a", fmt, [("hop", "ext"), ("x", "hop/flag")])
    with pytest.raises(UnsafeArchiveError, match="outside the destination once merged"):
        extract_archive(archive, dest)


@pytest.mark.parametrize("fmt", ["zip", "tar"])
def test_link_through_an_existing_link_that_stays_inside_is_kept(tmp_path: Path, fmt: str) -> None:
    dest = make_dest(tmp_path)
    os.symlink("keep", dest / "inner")  # the user's own link to their own folder
    os.symlink(str(dest / "keep"), dest / "inner_abs")
    archive = links_archive(tmp_path / "a", fmt, [("x", "inner/mine.txt"), ("y", "inner_abs/mine.txt")])
    extract_archive(archive, dest)
    assert (dest / "x").read_text() == (dest / "y").read_text() == "precious"


@pytest.mark.parametrize("fmt", ["zip", "tar"])
def test_archive_link_replacing_a_dest_link_is_judged_as_the_archive_wrote_it(tmp_path: Path, fmt: str) -> None:
    outside_with_flag(tmp_path)
    dest = make_dest(tmp_path)
    os.symlink("../outside", dest / "ext")  # the archive replaces it with a link inside
    archive = links_archive(tmp_path / "a", fmt, [("ext", "keep"), ("x", "ext/mine.txt")])
    extract_archive(archive, dest)
    assert (dest / "x").read_text() == "precious"


@pytest.mark.parametrize("fmt", ["zip", "tar"])
def test_chain_of_a_thousand_links_is_refused_in_words(tmp_path: Path, fmt: str) -> None:
    chain = [(f"l{i}", f"l{i + 1}") for i in range(1000)] + [("l1000", "aaa.txt")]
    archive = links_archive(tmp_path / "a", fmt, chain)
    dest = make_dest(tmp_path)
    before = snapshot(dest)
    with pytest.raises(UnsafeArchiveError, match="more than 40 links"):
        extract_archive(archive, dest)
    assert snapshot(dest) == before
