"""`colab-panel restore DRIVE_FOLDER [LOCAL]` through `cli.main`, against the emulator."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from colab_panel.cli import main
from colab_panel.drive.auth import ENV_EMULATOR, ENV_EMULATOR_CA, ENV_EMULATOR_TOKEN
from colab_panel.drive.emulator import DriveEmulator
from support.drive import child_id


@pytest.fixture
def emu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DriveEmulator]:
    seed = tmp_path / "seed"
    (seed / "ckpt").mkdir(parents=True)
    (seed / "ckpt" / "epoch-1.pt").write_bytes(b"one")
    (seed / "ckpt" / "notes.txt").write_text("not a checkpoint")
    with DriveEmulator(root=seed, max_page_size=1000) as emulator:
        monkeypatch.setenv(ENV_EMULATOR, emulator.base_url)
        monkeypatch.setenv(ENV_EMULATOR_TOKEN, emulator.token)
        monkeypatch.setenv(ENV_EMULATOR_CA, str(emulator.ca_cert_path))
        yield emulator


def test_restore_prints_where_the_checkpoint_now_is(emu: DriveEmulator, tmp_path: Path, capsys) -> None:
    folder = child_id(emu, "ckpt")
    later = tmp_path / "epoch-2.pt"
    later.write_bytes(b"two")
    time.sleep(0.01)
    assert main(["drive", "upload", str(later), "--parent", folder]) == 0  # uploaded after epoch-1: newer on Drive
    capsys.readouterr()
    assert main(["restore", folder, str(tmp_path / "back"), "--pattern", "epoch-*.pt"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("restored ") and out.endswith("epoch-2.pt")
    assert Path(out.removeprefix("restored ")).read_bytes() == b"two"


def test_an_empty_folder_is_one_line_in_words(emu: DriveEmulator, tmp_path: Path, capsys) -> None:
    assert main(["restore", child_id(emu, "ckpt"), str(tmp_path), "--pattern", "*.ckpt"]) == 1
    err = capsys.readouterr().err
    assert "no complete checkpoint matching '*.ckpt'" in err and "Traceback" not in err
