"""The Keras, Lightning and Hugging Face callbacks against their documented callback contracts.

torch, TensorFlow/Keras and transformers are too heavy to install for this suite, so each test puts a
minimal stand-in of the framework's base class in `sys.modules` and drives the callback the way the
framework's documentation says it is driven (hook names, arguments, call order). What the fakes
check: the callback is an instance of the framework's base class, accepts the documented
arguments, asks for a push only when the saved file is whole, and never changes the framework's
control flow.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from colab_panel.errors import PanelError, StagingError


class FakeKeeper:
    """Records each flush and whether the newest saved file was whole at that moment."""

    def __init__(self, watch: Path | None = None, size: int = 0) -> None:
        self.calls: list[float] = []
        self.whole_at_flush: list[bool] = []
        self.watch, self.size = watch, size

    def flush(self, timeout_s: float = 60.0) -> bool:
        self.calls.append(timeout_s)
        if self.watch is not None:
            files = sorted(self.watch.glob("*"))
            self.whole_at_flush.append(bool(files) and files[-1].stat().st_size == self.size)
        return True


def _fresh(module_name: str, monkeypatch: pytest.MonkeyPatch, fakes: dict[str, types.ModuleType]) -> Any:
    for name, module in fakes.items():
        monkeypatch.setitem(sys.modules, name, module)
    module = importlib.import_module(module_name)
    monkeypatch.delitem(module.__dict__, "KeepOnDriveCallback", raising=False)  # rebuild on the fake base
    return module


def _keras_fakes() -> dict[str, types.ModuleType]:
    keras = types.ModuleType("keras")
    callbacks = types.ModuleType("keras.callbacks")

    class Callback:  # keras.callbacks.Callback: no-op hooks, set_model/set_params
        def __init__(self) -> None:
            self.model = None
            self.params: dict[str, Any] = {}

        def set_model(self, model: Any) -> None:
            self.model = model

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            pass

        def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
            pass

    callbacks.Callback = Callback  # type: ignore[attr-defined]
    keras.callbacks = callbacks  # type: ignore[attr-defined]
    return {"keras": keras, "keras.callbacks": callbacks}


def test_keras_callback_pushes_after_model_checkpoint_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fakes = _keras_fakes()
    module = _fresh("colab_panel.checkpoints.keras", monkeypatch, fakes)
    Callback = fakes["keras.callbacks"].Callback

    class FakeModelCheckpoint(Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            (tmp_path / f"epoch-{epoch:03d}.keras").write_bytes(b"w" * 100)

    keeper = FakeKeeper(tmp_path, 100)
    ours = module.KeepOnDriveCallback(keeper, final_timeout_s=5)
    assert isinstance(ours, Callback)
    callbacks = [FakeModelCheckpoint(), ours]  # Keras's CallbackList calls them in list order
    for cb in callbacks:
        cb.set_model(object())
    for epoch in range(3):
        for cb in callbacks:
            cb.on_epoch_end(epoch, logs={"loss": 1.0})
    for cb in callbacks:
        cb.on_train_end(logs={})
    assert keeper.calls == [0.0, 0.0, 0.0, 5] and all(keeper.whole_at_flush)


def test_lightning_callback_waits_until_the_checkpoint_is_written(monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = types.ModuleType("lightning")
    pl = types.ModuleType("lightning.pytorch")

    class Callback:  # lightning.pytorch.Callback: hooks take (trainer, pl_module, ...)
        def on_train_epoch_start(self, trainer: Any, pl_module: Any) -> None:
            pass

        def on_train_end(self, trainer: Any, pl_module: Any) -> None:
            pass

        def on_exception(self, trainer: Any, pl_module: Any, exception: BaseException) -> None:
            pass

        def on_save_checkpoint(self, trainer: Any, pl_module: Any, checkpoint: dict[str, Any]) -> None:
            pass

    pl.Callback = Callback  # type: ignore[attr-defined]
    pkg.pytorch = pl  # type: ignore[attr-defined]
    module = _fresh("colab_panel.checkpoints.lightning", monkeypatch, {"lightning": pkg, "lightning.pytorch": pl})
    keeper = FakeKeeper()
    ours = module.KeepOnDriveCallback(keeper, wait_s=2, final_timeout_s=7)
    assert isinstance(ours, Callback)
    trainer = types.SimpleNamespace(current_epoch=0)
    checkpoint: dict[str, Any] = {"state_dict": {}}
    ours.on_save_checkpoint(trainer, None, checkpoint)  # before the file is written: no push, dict untouched
    assert keeper.calls == [] and checkpoint == {"state_dict": {}}
    for epoch in range(3):
        trainer.current_epoch = epoch
        ours.on_train_epoch_start(trainer, None)
    ours.on_exception(trainer, None, KeyboardInterrupt())
    ours.on_train_end(trainer, None)
    assert keeper.calls == [2, 2, 7, 7]


def test_huggingface_callback_pushes_on_save_and_leaves_control_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    transformers = types.ModuleType("transformers")

    class TrainerCallback:  # transformers.TrainerCallback: event(args, state, control, **kwargs)
        def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            pass

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            pass

        def on_log(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            pass

    transformers.TrainerCallback = TrainerCallback  # type: ignore[attr-defined]
    module = _fresh("colab_panel.checkpoints.huggingface", monkeypatch, {"transformers": transformers})
    keeper = FakeKeeper()
    ours = module.KeepOnDriveCallback(keeper)
    assert isinstance(ours, TrainerCallback)
    control = types.SimpleNamespace(should_save=False, should_training_stop=False)

    def handler(event: str) -> Any:  # like CallbackHandler.call_event: a non-None result replaces control
        result = getattr(ours, event)(None, types.SimpleNamespace(global_step=500), control, model=object(),
                                      tokenizer=None, optimizer=None, lr_scheduler=None)
        return control if result is None else result

    assert handler("on_log") is control and handler("on_save") is control and handler("on_train_end") is control
    assert keeper.calls == [0.0, 120.0]


def test_a_missing_framework_is_said_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)  # import fails, as if not installed
    module = importlib.import_module("colab_panel.checkpoints.huggingface")
    monkeypatch.delitem(module.__dict__, "KeepOnDriveCallback", raising=False)
    with pytest.raises(PanelError, match="Hugging Face transformers is not installed"):
        module.KeepOnDriveCallback  # noqa: B018 - the attribute access builds the class


def test_the_callback_needs_a_watcher(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _fresh("colab_panel.checkpoints.keras", monkeypatch, _keras_fakes())
    with pytest.raises(StagingError, match="keep_on_drive"):
        module.KeepOnDriveCallback("/content/ckpt")
