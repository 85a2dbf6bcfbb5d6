"""A folder chain deeper than Python's recursion limit is staged and pushed, not a RecursionError."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from colab_panel.staging import stage
from colab_panel.staging.sync import _ensure_folder

DEPTH = sys.getrecursionlimit() + 200  # 1,200 levels of "d/": 2,400 bytes, within PATH_MAX


def _remove_tree(top: Path) -> None:
    """Post-order removal with a stack: shutil.rmtree (and pytest's own cleanup) recurse per level."""
    stack = [(str(top), False)]
    while stack:
        path, emptied = stack.pop()
        if emptied:
            os.rmdir(path)
            continue
        stack.append((path, True))
        for entry in os.scandir(path):
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, False))
            else:
                os.unlink(entry.path)


@pytest.fixture
def work(tmp_path: Path):
    yield tmp_path
    for child in tmp_path.iterdir():
        _remove_tree(child)


def _deep_tree(root: Path) -> str:
    rel = "/".join(["d"] * DEPTH)
    os.makedirs(root, exist_ok=True)
    here = os.open(root, os.O_RDONLY)
    try:  # made level by level from an fd: os.makedirs itself recurses once per level
        for _ in range(DEPTH):
            os.mkdir("d", dir_fd=here)
            deeper = os.open("d", os.O_RDONLY, dir_fd=here)
            os.close(here)
            here = deeper
        with open(os.open("leaf.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=here), "wb") as f:
            f.write(b"at the bottom\n")
    finally:
        os.close(here)
    return rel + "/leaf.txt"


def test_a_deep_local_folder_is_staged(work: Path) -> None:
    leaf = _deep_tree(work / "src")
    result = stage(str(work / "src"), work / "out", progress=None)
    assert result.files == 1
    assert (work / "out" / leaf).read_bytes() == b"at the bottom\n"


def test_pushing_a_deep_folder_creates_its_drive_folders_without_recursion() -> None:
    made: list[tuple[str, str]] = []

    def mkdir(title: str, parent: str) -> SimpleNamespace:
        made.append((title, parent))
        return SimpleNamespace(id=f"id{len(made)}")

    rel_dir = "/".join(["d"] * DEPTH)
    remote = {"": "root-id"}
    last = _ensure_folder(SimpleNamespace(mkdir=mkdir), remote, rel_dir)
    assert len(made) == DEPTH and made[0] == ("d", "root-id") and last == f"id{DEPTH}"
    assert _ensure_folder(SimpleNamespace(mkdir=mkdir), remote, rel_dir) == last  # known now: nothing made
    assert len(made) == DEPTH
