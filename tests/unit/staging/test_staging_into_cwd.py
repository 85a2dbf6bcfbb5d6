"""Staging into the (empty) current directory keeps the process's working directory alive."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from colab_panel.staging import extract_archive, stage


@pytest.fixture
def in_empty_cwd(tmp_path: Path):
    here = tmp_path / "work"
    here.mkdir()
    before = os.getcwd()
    os.chdir(here)
    try:
        yield here
    finally:
        os.chdir(before)


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("inside.txt", b"x")
    return path


@pytest.mark.parametrize("call", ["stage", "extract_archive"])
def test_the_working_directory_is_filled_not_replaced(in_empty_cwd: Path, tmp_path: Path, call: str) -> None:
    archive = _zip(tmp_path / "ok.zip")
    inode = os.stat(".").st_ino
    if call == "stage":
        stage(str(archive), ".", progress=None)
    else:
        extract_archive(archive, ".")
    assert os.getcwd() == str(in_empty_cwd)  # raised FileNotFoundError: the folder had been swapped
    assert os.stat(".").st_ino == inode and Path("inside.txt").read_bytes() == b"x"
