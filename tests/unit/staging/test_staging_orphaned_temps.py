"""Temp files of a run that died (kill -9, kernel restart) are swept by the next run: ours only,
by our naming, and only once the process that wrote them is gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from colab_panel.staging.manifest import MANIFEST_NAME, Manifest
from colab_panel.staging.parallel_ranges import _load_done
from colab_panel.staging import extract_archive
from colab_panel.staging.staging_area import TMP_PREFIX
from staging_archives import write_zip


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_manifest_temps_of_dead_runs_are_swept_on_load(tmp_path: Path) -> None:
    dead, alive = dead_pid(), os.getpid()
    names = [f"{MANIFEST_NAME}.{dead}.tmp", f"{MANIFEST_NAME}.{dead}.1234.tmp",  # old and new naming
             f"{MANIFEST_NAME}.{alive}.99.tmp", "notes.tmp", f"{MANIFEST_NAME}.x.tmp", "data.bin.123.tmp"]
    for name in names:
        (tmp_path / name).write_text("{")
    assert Manifest.load(tmp_path) is None
    assert sorted(os.listdir(tmp_path)) == sorted(names[2:])


def test_ranges_sidecar_temps_of_dead_runs_are_swept_on_resume(tmp_path: Path) -> None:
    dead = dead_pid()
    part, sidecar = tmp_path / "big.bin.part", tmp_path / "big.bin.part.ranges"
    part.write_bytes(bytes(100))
    (tmp_path / f"big.bin.part.ranges.{dead}.777.tmp").write_text("{")
    (tmp_path / "big.bin.part.ranges.140077833964416.tmp").write_text("{")  # old naming: no pid, kept
    _load_done(part, sidecar, 100, None)
    assert sorted(os.listdir(tmp_path)) == ["big.bin.part", "big.bin.part.ranges.140077833964416.tmp"]


def test_staging_folders_of_dead_runs_are_swept_next_to_and_inside_dest(tmp_path: Path) -> None:
    dead, alive = dead_pid(), os.getpid()
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "mine.txt").write_text("mine")
    for folder in (tmp_path, dest):
        for name in (f"{TMP_PREFIX}{dead}-0a1b2c3d", f"{TMP_PREFIX}{alive}-0a1b2c3d", f"{TMP_PREFIX}0a1b2c3d"):
            (folder / name / "sub").mkdir(parents=True)
            (folder / name / "sub" / "half.bin").write_bytes(b"x")
    extract_archive(write_zip(tmp_path / "a.zip", [("new.txt", b"new")]), dest)
    for folder in (tmp_path, dest):  # a live run's folder and an old unnamed one are left alone
        left = sorted(n for n in os.listdir(folder) if n.startswith(TMP_PREFIX))
        assert left == sorted([f"{TMP_PREFIX}{alive}-0a1b2c3d", f"{TMP_PREFIX}0a1b2c3d"])
    assert (dest / "new.txt").read_text() == "new"
