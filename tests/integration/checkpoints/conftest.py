"""The checkpoint tests' Drive: an emulator whose My Drive holds one empty folder, "ckpt"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.drive import emulator_drive

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[DriveEmulator]:
    seed = tmp_path / "seed"
    (seed / "ckpt").mkdir(parents=True)
    with DriveEmulator(root=seed, max_page_size=1000) as emulator:
        yield emulator


@pytest.fixture
def drive(emu: DriveEmulator) -> Iterator[Drive]:
    with emulator_drive(emu) as d:
        yield d
