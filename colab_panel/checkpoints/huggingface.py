"""Hugging Face: `KeepOnDriveCallback(keeper)` pushes each `checkpoint-N/` the Trainer saves.

    keeper = colab_panel.keep_on_drive(args.output_dir, FOLDER, keep_last=2, pattern="checkpoint-*")
    trainer = Trainer(..., callbacks=[KeepOnDriveCallback(keeper)])

A `transformers.TrainerCallback`: the Trainer calls `on_save(args, state, control)` after a
checkpoint folder is written, and `on_train_end` at the end; the first nudges the watcher, the
second flushes within a bound. Neither changes `control`. transformers is imported on first use.
"""

from __future__ import annotations

from typing import Any

from colab_panel.checkpoints.adapters import FINAL_TIMEOUT_S, Flusher, import_first, lazy_callback

__all__ = ["KeepOnDriveCallback"]  # noqa: F822 (built on first use by __getattr__ below)


def _build() -> type:
    transformers = import_first(("transformers",), "Hugging Face transformers")

    base: Any = transformers.TrainerCallback  # known only once imported: a base mypy cannot see

    class KeepOnDriveCallback(base):
        """Ask the watcher to push after each save, and flush when training ends."""

        def __init__(self, keeper: Any, *, wait_s: float = 0.0, final_timeout_s: float = FINAL_TIMEOUT_S) -> None:
            self._flusher = Flusher(keeper, wait_s, final_timeout_s)

        def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self._flusher.saved()

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self._flusher.finished()

    return KeepOnDriveCallback


__getattr__ = lazy_callback(__name__, _build)
