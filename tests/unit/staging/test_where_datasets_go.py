"""Where a dataset goes without a destination: one definition, `runtime.paths.default_staging_root()`,
followed by `stage()` in a cell and by the panel's Staging tab alike."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from colab_panel.panel import Panel
from colab_panel.staging import default_dest, stage


def _zip(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("set/a.txt", "a\n")
    return path


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("COLAB_PANEL_DATA", raising=False)
    return work


def test_stage_without_a_destination_follows_colab_panel_data(tmp_path: Path, work: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLAB_PANEL_DATA", str(tmp_path / "datasets"))
    staged = stage(_zip(tmp_path / "src" / "cats.zip"), progress=None)
    assert staged.path == tmp_path / "datasets" / "cats"
    assert (tmp_path / "datasets" / "cats" / "set" / "a.txt").read_text() == "a\n"
    assert not (work / "data").exists()
    assert default_dest("dogs") == tmp_path / "datasets" / "dogs"


def test_stage_without_a_destination_or_variable_goes_under_data_here(tmp_path: Path, work: Path) -> None:
    staged = stage(_zip(tmp_path / "src" / "cats.zip"), progress=None)
    assert staged.path == work / "data" / "cats"


def test_the_staging_tab_stages_into_the_panels_staging_dir(tmp_path: Path, work: Path) -> None:
    panel = Panel(staging_dir=tmp_path / "datasets", staging_live=True, transfers=False)
    try:
        panel.show_tab("Staging")
        tab = next(parts.view for parts in panel.tabs if parts.title == "Staging")
        tab.controller.source = str(_zip(tmp_path / "src" / "cats.zip"))
        assert tab.controller.stage() and tab.controller.wait(timeout=30), tab.controller.error
        assert tab.controller.error == ""
        assert tab.controller.result.path == tmp_path / "datasets" / "cats"
        assert not (work / "data").exists()
    finally:
        panel.close()
