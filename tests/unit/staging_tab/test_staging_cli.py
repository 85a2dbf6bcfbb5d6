"""`colab-panel stage` and `colab-panel push` through `cli.main` (real archive, real disk)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from colab_panel.cli import main


def test_stage_prints_the_result_and_a_rerun_is_cached(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "d.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(5):
            zf.writestr(f"a/{i}.txt", "x" * 100)
    assert main(["stage", str(archive), str(tmp_path / "out")]) == 0
    assert f"{tmp_path / 'out'}: 5 files, 500 B" in capsys.readouterr().out
    assert main(["stage", str(archive), str(tmp_path / "out")]) == 0
    assert "already staged" in capsys.readouterr().out


def test_errors_are_one_line_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stage", "kaggle:bad"]) == 1
    err = capsys.readouterr().err
    assert "colab-panel: 'kaggle:bad' is not a Kaggle dataset" in err and "Traceback" not in err
    assert main(["push", str(tmp_path / "missing"), "1AbCdEfGhIjKlMnOpQrStUvWx"]) == 1
    assert "is not a folder on this machine" in capsys.readouterr().err
