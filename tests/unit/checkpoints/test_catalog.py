"""What a checkpoint is (catalog.py), and the watcher's runtime-age threshold kept equal to the Monitor's."""

from __future__ import annotations

import os
import time
from pathlib import Path

from colab_panel.checkpoints.catalog import CATALOG_NAME, Catalog, is_checkpoint_name, local_checkpoints


def _touch(path: Path, age_s: float, body: bytes = b"x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    t = time.time() - age_s
    os.utime(path, (t, t))


def test_checkpoints_are_top_level_entries_newest_first(tmp_path: Path) -> None:
    _touch(tmp_path / "epoch-1.pt", 30)
    _touch(tmp_path / "checkpoint-500" / "model.bin", 50)
    _touch(tmp_path / "checkpoint-500" / "sub" / "opt.bin", 10)  # a folder is as new as its newest file
    _touch(tmp_path / "epoch-2.pt.part", 1)
    _touch(tmp_path / CATALOG_NAME, 1)
    (tmp_path / "empty").mkdir()
    found = local_checkpoints(tmp_path, None)
    assert [c.name for c in found] == ["checkpoint-500", "epoch-1.pt"]
    assert found[0].files == ("checkpoint-500/model.bin", "checkpoint-500/sub/opt.bin")
    assert [c.name for c in local_checkpoints(tmp_path, "epoch-*")] == ["epoch-1.pt"]


def test_names_we_never_call_checkpoints() -> None:
    assert not is_checkpoint_name(CATALOG_NAME, None)
    assert not is_checkpoint_name("x.pt.tmp", None)
    assert is_checkpoint_name("last.ckpt", "*.ckpt") and not is_checkpoint_name("train.log", "*.ckpt")


def test_catalog_round_trip_and_unreadable_text(tmp_path: Path) -> None:
    cat = Catalog({"a": {"mtime_s": 2.0, "files": {"a": "m1"}}, "b": {"mtime_s": 3.0, "files": {"b/x": "m2"}}},
                  {"old": 1.0})
    cat.save(tmp_path / "c.json")
    again = Catalog.load(tmp_path / "c.json")
    assert again == cat and again.newest_first() == ["b", "a"]
    assert again.verified_on("b", {"b/x": "m2"}) and not again.verified_on("b", {"b/x": "other"})
    assert Catalog.from_json("{not json") == Catalog()
    assert Catalog.load(tmp_path / "missing.json") is None


def test_the_watcher_warns_when_the_monitor_does() -> None:
    from colab_panel.checkpoints.watcher import SESSION_WARN_S
    from colab_panel.controllers.monitor_alerts import SESSION_WARN_S as MONITOR_WARN_S

    assert SESSION_WARN_S == MONITOR_WARN_S
