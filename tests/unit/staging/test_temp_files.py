"""`replace_with_text`: the new text whole or the old, and with `mode`, never readable more widely."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from colab_panel.staging.temp_files import replace_with_text


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0)  # the loosest: nothing is taken off a mode asked for
    yield
    os.umask(old)


def test_the_mode_is_the_files_from_its_first_byte(tmp_path: Path, open_umask: None, monkeypatch):
    target = tmp_path / "secret.json"
    target.write_text("old")
    target.chmod(0o644)
    leftover = tmp_path / f"secret.json.{os.getpid()}.{threading.get_ident()}.tmp"
    leftover.write_text("stale")  # a temp of the same name, left readable to all
    leftover.chmod(0o666)
    seen = []
    real_replace = os.replace

    def replace(src, dst):
        seen.append(_mode(Path(src)))  # the temp, full and about to become the file
        real_replace(src, dst)
    monkeypatch.setattr("colab_panel.staging.temp_files.os.replace", replace)
    replace_with_text(target, '{"key": "k"}', fsync=True, mode=0o600)
    assert seen == [0o600]
    assert target.read_text() == '{"key": "k"}' and _mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.json"]


def test_without_a_mode_the_umask_decides_as_for_any_new_file(tmp_path: Path, open_umask: None):
    replace_with_text(tmp_path / "a.json", "{}")
    assert _mode(tmp_path / "a.json") == 0o666


def test_a_failed_write_leaves_the_old_text_and_no_temp(tmp_path: Path, monkeypatch):
    target = tmp_path / "a.json"
    target.write_text("old")

    def full(*_args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("colab_panel.staging.temp_files.os.replace", full)
    with pytest.raises(OSError):
        replace_with_text(target, "new", mode=0o600)
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]
