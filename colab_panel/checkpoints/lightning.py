"""PyTorch Lightning: `KeepOnDriveCallback(keeper)` pushes what ModelCheckpoint saved, and at the end.

    keeper = colab_panel.keep_on_drive("/content/ckpt", FOLDER, keep_last=3, pattern="*.ckpt")
    trainer = L.Trainer(callbacks=[ModelCheckpoint(dirpath="/content/ckpt"), KeepOnDriveCallback(keeper)])

A `lightning.pytorch.Callback` (else `pytorch_lightning.Callback`). Lightning runs checkpoint
callbacks after all others in a hook and calls `on_save_checkpoint` *before* the file is written,
so the push is asked for at the next moment the file is surely whole: `on_train_epoch_start`,
when the previous epoch's checkpoint is written. `on_train_end` (after the last save) and
`on_exception` flush within a bound. Lightning is imported on first use of the name.
"""

from __future__ import annotations

from typing import Any

from colab_panel.checkpoints.adapters import FINAL_TIMEOUT_S, Flusher, import_first, lazy_callback

__all__ = ["KeepOnDriveCallback"]  # noqa: F822 (built on first use by __getattr__ below)


def _build() -> type:
    module = import_first(("lightning.pytorch", "pytorch_lightning"), "PyTorch Lightning")

    base: Any = module.Callback  # known only once imported: a base mypy cannot see

    class KeepOnDriveCallback(base):
        """Ask the watcher to push once each saved checkpoint is whole, and flush when training ends."""

        def __init__(self, keeper: Any, *, wait_s: float = 0.0, final_timeout_s: float = FINAL_TIMEOUT_S) -> None:
            super().__init__()
            self._flusher = Flusher(keeper, wait_s, final_timeout_s)

        def on_train_epoch_start(self, trainer: Any, pl_module: Any) -> None:
            if getattr(trainer, "current_epoch", 0):  # epoch 0: nothing saved yet
                self._flusher.saved()

        def on_train_end(self, trainer: Any, pl_module: Any) -> None:
            self._flusher.finished()

        def on_exception(self, trainer: Any, pl_module: Any, exception: BaseException) -> None:
            self._flusher.finished()  # interrupted training: keep what was saved so far

    return KeepOnDriveCallback


__getattr__ = lazy_callback(__name__, _build)
