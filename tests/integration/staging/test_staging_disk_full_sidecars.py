"""Disk full while a sidecar (the manifest, a .part.ranges record) is being saved: the temp file
is removed with the failure, so nothing `*.tmp` outlives the run (a real 2 MB tmpfs)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from colab_panel.staging.manifest import Manifest
from colab_panel.staging.parallel_ranges import _Recorder


def fill(disk: Path, leave: int = 8192) -> Path:
    """Fill `disk` until only about `leave` bytes are free; return the filler to delete later."""
    filler = disk / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError as e:
            assert e.errno == errno.ENOSPC
    return filler


def temp_files(disk: Path) -> list[str]:
    return sorted(p.name for p in disk.rglob("*.tmp"))


def test_manifest_save_on_a_full_disk_leaves_no_tmp(tiny_disk: Path) -> None:
    fill(tiny_disk).unlink()
    dest = tiny_disk / "ds"
    dest.mkdir()
    filler = fill(tiny_disk)
    manifest = Manifest(dest, {"kind": "path", "path": "/data"})
    for i in range(5000):
        manifest.files[f"images/{i:05d}.png"] = {"size": i, "md5": "0" * 32}
    with pytest.raises(OSError) as err:
        manifest.save()
    assert err.value.errno == errno.ENOSPC
    assert temp_files(tiny_disk) == []
    filler.unlink()
    manifest.save()  # the next run, with room again
    assert temp_files(tiny_disk) == [] and (dest / ".colab_panel-manifest.json").exists()


def test_ranges_sidecar_save_on_a_full_disk_leaves_no_tmp(tiny_disk: Path) -> None:
    filler = fill(tiny_disk, leave=0)
    recorder = _Recorder(tiny_disk / "big.bin.part.ranges", 10**12,
                         ("md5", "0" * 32), [(i * 10, i * 10 + 5, 0) for i in range(20_000)])
    with pytest.raises(OSError) as err:
        recorder.save()
    assert err.value.errno == errno.ENOSPC
    assert temp_files(tiny_disk) == []
    filler.unlink()
    recorder.save()
    assert temp_files(tiny_disk) == [] and (tiny_disk / "big.bin.part.ranges").exists()
