"""Real Keras 3 training (JAX on the CPU) with ModelCheckpoint and our callback, kept on the emulated Drive.

`model.fit` saves `epoch-NN.keras` each epoch; `KeepOnDriveCallback` after it pushes it (here with
`wait_s`, so the push is done before the next callback looks at Drive). The watcher's own timer is
an hour, so only the callback can have pushed. At the end Drive holds the newest two checkpoints
(keep_last=2), and `restore_latest` into a fresh folder brings back a file Keras loads with the
trained weights.

Keras and jaxlib are in the latest stack's test extra; Colab's pinned stack installs only the test
tools, so the test is skipped there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from colab_panel.checkpoints import KeepOnDrive, restore_latest
from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from support.drive import child_id

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")


def _model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_keras_fit_keeps_its_checkpoints_on_drive_and_restores_the_newest(
        emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    from colab_panel.checkpoints.keras import KeepOnDriveCallback

    local = tmp_path / "ckpt"
    local.mkdir()
    folder = child_id(emu, "ckpt")
    keeper = KeepOnDrive(local, folder, keep_last=2, pattern="epoch-*.keras", drive=drive, settle_s=0.1,
                         interval_s=3600)
    seen: list[list[str]] = []  # the checkpoints on Drive at each epoch's end, after our callback

    def on_drive() -> list[str]:
        return sorted(item.title for item in emu.store.children(folder)
                      if not emu.store.is_trashed(item) and item.title.startswith("epoch"))

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = _model()
    try:
        model.fit(x, y, epochs=4, batch_size=16, verbose=0, callbacks=[
            keras.callbacks.ModelCheckpoint(str(local / "epoch-{epoch:02d}.keras")),
            KeepOnDriveCallback(keeper, wait_s=30),
            keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(on_drive()))])
        assert seen == [["epoch-01.keras"], ["epoch-01.keras", "epoch-02.keras"],
                        ["epoch-02.keras", "epoch-03.keras"], ["epoch-03.keras", "epoch-04.keras"]]
        assert on_drive() == ["epoch-03.keras", "epoch-04.keras"]
    finally:
        keeper.close(10)

    restored = restore_latest(folder, tmp_path / "next-runtime", drive=drive)
    assert restored.name == "epoch-04.keras"
    assert restored.read_bytes() == (local / "epoch-04.keras").read_bytes()
    again = keras.models.load_model(restored)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
