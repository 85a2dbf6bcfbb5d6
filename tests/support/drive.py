"""Drive clients for tests against the emulator: fast retries, always closed."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.drive.retry import RetryPolicy

# Retries stay real (backoff, fresh connections) but wait milliseconds, not seconds.
FAST_RETRY = dict(max_attempts=6, base_delay_s=0.01, max_delay_s=0.05, max_total_s=30)


@contextmanager
def emulator_drive(emu: DriveEmulator, **options: Any) -> Iterator[Drive]:
    """A `Drive` on `emu` with fast retries; `options` go to `Drive.for_emulator`."""
    drive = Drive.for_emulator(emu.base_url, emu.token, emu.ca_cert_path,
                               retry=RetryPolicy(**FAST_RETRY), **options)
    try:
        yield drive
    finally:
        drive.close()


def child_id(emu: DriveEmulator, title: str) -> str:
    """The ID of the one item called `title` in the emulator's root folder."""
    [item] = [i for i in emu.store.children(emu.root_id) if i.title == title]
    return item.id


@contextmanager
def seeded_emulator(seed: Path, files: dict[str, bytes], **options: Any) -> Iterator[DriveEmulator]:
    """An emulator serving `files` (relative path -> bytes; folders made as needed) written under `seed`.

    Listings come in pages of 1,000 (Drive's largest) unless `options` say otherwise."""
    seed.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        path = seed / rel
        os.makedirs(path.parent, exist_ok=True)
        path.write_bytes(data)
    with DriveEmulator(root=seed, **{"max_page_size": 1000, **options}) as emu:
        yield emu


def drive_fixtures(folder: str, *, seed: Callable[[Path], None] | None = None,
                   **options: Any) -> tuple[Any, Any]:
    """The `emu` and `drive` fixtures for a test module: an emulator whose My Drive holds the
    empty folder `folder` (and what `seed(path)` writes beside it), and a `Drive` on it.

        emu, drive = drive_fixtures("results")

    Listings come in pages of 1,000 (Drive's largest) unless `options` say otherwise."""

    @pytest.fixture
    def emu(tmp_path: Path) -> Iterator[DriveEmulator]:
        root = tmp_path / "seed"
        (root / folder).mkdir(parents=True)
        if seed is not None:
            seed(root)
        with DriveEmulator(root=root, **{"max_page_size": 1000, **options}) as emulator:
            yield emulator

    @pytest.fixture
    def drive(emu: DriveEmulator) -> Iterator[Drive]:
        with emulator_drive(emu) as client:
            yield client

    return emu, drive
