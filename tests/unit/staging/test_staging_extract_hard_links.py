"""Honest tar hard links (two names of one file from the same archive) are extracted as links;
ones that could alias anything else are refused in words, dest left as it was."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from colab_panel.errors import UnsafeArchiveError
from colab_panel.staging import extract_archive, extract_tar_stream
from staging_archives import make_dest, snapshot, tar_member, write_tar

HARD = tarfile.LNKTYPE


def honest_members() -> list:
    return [tar_member("img/a.png", b"pixels"),
            tar_member("img/b.png", type=HARD, linkname="img/a.png"),  # tar names targets from the root
            tar_member("dup/c.png", type=HARD, linkname="img/a.png"),
            tar_member("run.sh", b"#!/bin/sh\n", mode=0o755),
            tar_member("bin/run", type=HARD, linkname="run.sh")]


@pytest.mark.parametrize("mode", ["w", "w:gz"])
@pytest.mark.parametrize("into", ["fresh", "existing"])
def test_honest_hard_links_are_extracted_as_links(tmp_path: Path, mode: str, into: str) -> None:
    archive = write_tar(tmp_path / "a.tar", honest_members(), mode=mode)
    dest = make_dest(tmp_path) if into == "existing" else tmp_path / "fresh"
    paths = extract_archive(archive, dest)
    assert paths == [dest / p for p in ("img/a.png", "img/b.png", "dup/c.png", "run.sh", "bin/run")]
    a, b, c = (os.stat(dest / p) for p in ("img/a.png", "img/b.png", "dup/c.png"))
    assert a.st_ino == b.st_ino == c.st_ino and a.st_nlink == 3
    assert (dest / "dup/c.png").read_bytes() == b"pixels"
    assert os.access(dest / "bin/run", os.X_OK)


def test_hard_links_from_a_stream(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "a.tar", honest_members(), mode="w:xz")
    with open(archive, "rb") as f:
        extract_tar_stream(f, tmp_path / "dest")
    assert (tmp_path / "dest/img/b.png").read_bytes() == b"pixels"


def test_a_later_copy_of_the_target_leaves_the_link_with_the_bytes_it_named(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "a.tar", [tar_member("a", b"first"), tar_member("b", type=HARD, linkname="a"),
                                             tar_member("a", b"second")])
    extract_archive(archive, tmp_path / "dest")
    assert (tmp_path / "dest/a").read_bytes() == b"second"
    assert (tmp_path / "dest/b").read_bytes() == b"first"


def test_writing_over_a_hard_link_does_not_write_through_it(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "a.tar", [tar_member("a", b"keep"), tar_member("b", type=HARD, linkname="a"),
                                             tar_member("b", b"replaced")])
    extract_archive(archive, tmp_path / "dest")
    assert (tmp_path / "dest/a").read_bytes() == b"keep"
    assert (tmp_path / "dest/b").read_bytes() == b"replaced"


REFUSED = {
    "to a symlink member": [tar_member("s", type=tarfile.SYMTYPE, linkname="a"), tar_member("h", type=HARD, linkname="s")],
    "through a symlink member": [tar_member("d/f", b"x"), tar_member("s", type=tarfile.SYMTYPE, linkname="d"),
                                 tar_member("h", type=HARD, linkname="s/f")],
    "placed through a symlink": [tar_member("d/f", b"x"), tar_member("s", type=tarfile.SYMTYPE, linkname="d"),
                                 tar_member("s/h", type=HARD, linkname="a")],
    "to a later member": [tar_member("h", type=HARD, linkname="z"), tar_member("z", b"later")],
    "to a folder": [tar_member("d", type=tarfile.DIRTYPE), tar_member("h", type=HARD, linkname="d")],
    "to a file already in dest": [tar_member("h", type=HARD, linkname="notes.txt")],
    "to ..": [tar_member("h", type=HARD, linkname="../outside/flag")],
    "to an absolute path": [tar_member("h", type=HARD, linkname=os.devnull)],
}


@pytest.mark.parametrize("members", REFUSED.values(), ids=REFUSED.keys())
def test_dishonest_hard_links_are_refused(tmp_path: Path, members: list) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "flag").write_text("secret")
    archive = write_tar(tmp_path / "a.tar", [tar_member("a", b"ok")] + members)
    dest = make_dest(tmp_path)
    before, outside = snapshot(dest), snapshot(tmp_path / "outside")
    with pytest.raises(UnsafeArchiveError, match="'(s/)?h'"):
        extract_archive(archive, dest)
    assert snapshot(dest) == before and snapshot(tmp_path / "outside") == outside
