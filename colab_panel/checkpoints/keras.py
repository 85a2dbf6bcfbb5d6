"""Keras: `KeepOnDriveCallback(keeper)` pushes after each epoch's checkpoint and at the end of fit.

    keeper = colab_panel.keep_on_drive("/content/ckpt", FOLDER, keep_last=3, pattern="*.keras")
    model.fit(..., callbacks=[keras.callbacks.ModelCheckpoint("/content/ckpt/epoch-{epoch:03d}.keras"),
                              KeepOnDriveCallback(keeper)])   # after ModelCheckpoint: Keras calls them in order

A `keras.callbacks.Callback` (Keras 3, else `tensorflow.keras`): `on_epoch_end(epoch, logs)` nudges
the watcher, `on_train_end(logs)` flushes within a bound. Keras is imported on first use of the name.
"""

from __future__ import annotations

from typing import Any

from colab_panel.checkpoints.adapters import FINAL_TIMEOUT_S, Flusher, import_first, lazy_callback

__all__ = ["KeepOnDriveCallback"]  # noqa: F822 (built on first use by __getattr__ below)


def _build() -> type:
    callbacks = import_first(("keras.callbacks", "tensorflow.keras.callbacks"), "Keras")

    base: Any = callbacks.Callback  # known only once imported: a base mypy cannot see

    class KeepOnDriveCallback(base):
        """Ask the watcher to push after each epoch (ModelCheckpoint saved before us) and at the end."""

        def __init__(self, keeper: Any, *, wait_s: float = 0.0, final_timeout_s: float = FINAL_TIMEOUT_S) -> None:
            super().__init__()
            self._flusher = Flusher(keeper, wait_s, final_timeout_s)

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            self._flusher.saved()

        def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
            self._flusher.finished()

    return KeepOnDriveCallback


__getattr__ = lazy_callback(__name__, _build)
