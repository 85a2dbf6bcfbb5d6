"""`id_of_path` / `path_of_mounted` with real extended attributes on a temporary directory."""

from __future__ import annotations

import os

import pytest

from colab_panel.drive.mount import XATTR, id_of_path, path_of_mounted
from colab_panel.errors import DriveError


@pytest.fixture
def mount(tmp_path):
    probe = tmp_path / "probe"
    probe.write_text("x")
    try:
        os.setxattr(probe, XATTR, b"probe")
    except (OSError, AttributeError) as exc:
        pytest.skip(f"this filesystem does not take user xattrs ({exc})")
    root = tmp_path / "drive"
    (root / "MyDrive" / "data").mkdir(parents=True)
    target = root / "MyDrive" / "data" / "cats.zip"
    target.write_bytes(b"zip")
    os.setxattr(target, XATTR, b"1CatsCatsCatsCatsCatsCatsCats00")
    os.setxattr(root / "MyDrive" / "data", XATTR, b"1DataDataDataDataDataDataData00")
    return root


def test_id_of_path_reads_the_xattr(mount):
    assert id_of_path(mount / "MyDrive" / "data" / "cats.zip") == "1CatsCatsCatsCatsCatsCatsCats00"
    assert id_of_path(mount / "MyDrive" / "data") == "1DataDataDataDataDataDataData00"


def test_paths_without_an_id_are_explained(mount, tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    with pytest.raises(DriveError, match="not inside a mounted Google Drive"):
        id_of_path(plain)
    with pytest.raises(DriveError, match="nothing at"):
        id_of_path(tmp_path / "missing")


def test_path_of_mounted_finds_the_id(mount):
    assert path_of_mounted("1CatsCatsCatsCatsCatsCatsCats00", mount=mount) == mount / "MyDrive" / "data" / "cats.zip"
    assert path_of_mounted("1NopeNopeNopeNopeNopeNopeNope00", mount=mount) is None
    assert path_of_mounted("1CatsCatsCatsCatsCatsCatsCats00", mount=mount / "absent") is None
