"""A blank source or destination is refused in words: "" must never mean the current directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from colab_panel.cli import main
from colab_panel.errors import StagingError
from colab_panel.staging import stage
from colab_panel.staging.sync import PeriodicSync, push

BLANKS = ["", "   ", "\t\n"]


class _NoDrive:
    """Any Drive call fails the test: a blank argument must be refused before connecting."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"Drive.{name} was used for a blank argument")


@pytest.fixture
def cwd_with_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    (work / "secret.txt").write_text("not a dataset")
    monkeypatch.chdir(work)
    return work


@pytest.mark.parametrize("blank", BLANKS)
def test_stage_refuses_a_blank_source(blank: str, cwd_with_a_file: Path, tmp_path: Path) -> None:
    with pytest.raises(StagingError, match="source is empty") as caught:
        stage(blank, tmp_path / "out", progress=None)
    assert not isinstance(caught.value, ValueError)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("blank", BLANKS)
def test_stage_refuses_a_blank_destination(blank: str, cwd_with_a_file: Path, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("a")
    with pytest.raises(StagingError, match="destination is empty"):
        stage(str(src), blank, progress=None)
    assert sorted(os.listdir(cwd_with_a_file)) == ["secret.txt"]


@pytest.mark.parametrize("blank", BLANKS)
def test_push_refuses_a_blank_local_folder_or_drive_folder(blank: str, cwd_with_a_file: Path) -> None:
    with pytest.raises(StagingError, match="local folder is empty"):
        push(blank, "1AbCdEfGhIjKlMnOpQrStUvWx", drive=_NoDrive(), progress=None)
    with pytest.raises(StagingError, match="Drive folder is empty"):
        push(str(cwd_with_a_file), blank, drive=_NoDrive(), progress=None)
    with pytest.raises(StagingError, match="local folder is empty"):
        PeriodicSync(blank, "1AbCdEfGhIjKlMnOpQrStUvWx", 60, drive=_NoDrive())


def test_cli_refuses_blank_arguments_in_words(cwd_with_a_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stage", ""]) == 1
    assert "source is empty" in capsys.readouterr().err
    assert main(["stage", str(cwd_with_a_file), " "]) == 1
    assert "destination is empty" in capsys.readouterr().err
    assert main(["push", "", "1AbCdEfGhIjKlMnOpQrStUvWx"]) == 1
    err = capsys.readouterr().err
    assert "local folder is empty" in err and "Traceback" not in err
    assert sorted(os.listdir(cwd_with_a_file)) == ["secret.txt"]
