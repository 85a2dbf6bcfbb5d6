"""stage() from local files and folders (the mounted-Drive case): copy, extract, cache, resume."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from colab_panel.errors import ChecksumMismatch, StagingCancelled
from colab_panel.runtime import paths as paths_module
from colab_panel.staging import stager as stage_module
from colab_panel.staging.manifest import MANIFEST_NAME, Manifest
from colab_panel.staging.stager import default_dest, stage
from staging_archives import write_zip

FILES = {f"part{i % 3}/f{i:03d}.txt": os.urandom(3000) for i in range(120)}


def _folder(tmp_path: Path) -> Path:
    src = tmp_path / "mnt" / "dataset"
    for name, data in FILES.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(data)
    return src


def test_folder_copy_then_cache_hit(tmp_path: Path) -> None:
    src = _folder(tmp_path)
    result = stage(src, tmp_path / "out", progress=None)
    assert (result.files, result.bytes, result.cached) == (len(FILES), 3000 * len(FILES), False)
    for name, data in FILES.items():
        assert (tmp_path / "out" / name).read_bytes() == data
    again = stage(src, tmp_path / "out", progress=None)
    assert again.cached and again.files == len(FILES)


def test_folder_rerun_after_interruption_copies_only_the_rest(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    src = _folder(tmp_path)
    cancel = threading.Event()
    copied: list[str] = []
    real_copyfile = stage_module.copy_tree.__globals__["shutil"].copyfile

    def counting_copy(a: str, b: str) -> None:
        copied.append(str(a))
        if len(copied) == 40:
            cancel.set()
        real_copyfile(a, b)

    monkeypatch.setattr("shutil.copyfile", counting_copy)
    with pytest.raises(StagingCancelled):
        stage(src, tmp_path / "out", progress=None, cancel=cancel)
    assert not list((tmp_path / "out").rglob("*.part"))
    done_first = len(Manifest.load(tmp_path / "out").files)
    assert 0 < done_first < len(FILES)
    copied.clear()
    result = stage(src, tmp_path / "out", progress=None)
    assert result.files == len(FILES) and not result.cached
    assert len(copied) == len(FILES) - done_first
    for name, data in FILES.items():
        assert (tmp_path / "out" / name).read_bytes() == data


def test_local_zip_is_extracted_in_place(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "cats.zip", list(FILES.items()))
    result = stage(archive, tmp_path / "out", progress=None)
    assert result.files == len(FILES)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(["part0", "part1", "part2", MANIFEST_NAME])
    assert stage(archive, tmp_path / "out", progress=None).cached
    with pytest.raises(ChecksumMismatch):
        stage(archive, tmp_path / "other", progress=None, expected_hash="md5:" + "0" * 32)
    assert not (tmp_path / "other").exists()


def test_local_plain_file_is_copied(tmp_path: Path) -> None:
    (tmp_path / "model.ckpt").write_bytes(b"w" * 5000)
    result = stage(tmp_path / "model.ckpt", tmp_path / "out", progress=None)
    assert (tmp_path / "out" / "model.ckpt").read_bytes() == b"w" * 5000 and result.files == 1


def test_default_dest_outside_colab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # where datasets go is defined once, in runtime.paths (COLAB_PANEL_DATA would override both)
    monkeypatch.delenv("COLAB_PANEL_DATA", raising=False)
    monkeypatch.setattr(paths_module, "in_colab", lambda: False)
    monkeypatch.chdir(tmp_path)
    assert default_dest("cats") == tmp_path / "data" / "cats"
    monkeypatch.setattr(paths_module, "in_colab", lambda: True)
    assert default_dest("cats") == Path("/content/data/cats")


def test_default_dest_follows_colab_panel_data_like_the_panel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from colab_panel.runtime.paths import default_staging_root

    monkeypatch.setenv("COLAB_PANEL_DATA", str(tmp_path / "elsewhere"))
    assert default_dest("cats") == default_staging_root() / "cats" == tmp_path / "elsewhere" / "cats"
    src = tmp_path / "cats"
    src.mkdir()
    (src / "a.txt").write_bytes(b"meow")
    result = stage(src, progress=None)
    assert result.path == tmp_path / "elsewhere" / "cats" and (result.path / "a.txt").read_bytes() == b"meow"


def test_tqdm_bar_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = write_zip(tmp_path / "cats.zip", list(FILES.items()))
    stage(archive, tmp_path / "out")  # progress="tqdm" by default
    assert "extract" in capsys.readouterr().err
