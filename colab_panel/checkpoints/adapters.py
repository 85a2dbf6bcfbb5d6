"""What the framework callbacks share: when to ask the watcher for a push, and how to import lazily.

At the end of an epoch (or a save) the callback *nudges* the watcher by default (`wait_s=0`): the
push starts at once in the watcher's thread and training goes on; a file the framework is still
writing is left for the next run. `wait_s > 0` blocks training up to that long until the push is
done. At the end of training the callback flushes within `final_timeout_s`. Neither ever raises
into the training loop: a failed push is in the watcher's `last_error`.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Callable

from colab_panel.errors import PanelError, StagingError
from colab_panel.inputs import shown, user_number

FINAL_TIMEOUT_S = 120.0


def import_first(names: tuple[str, ...], what: str) -> ModuleType:
    """The first of `names` that imports; a PanelError naming `what` when none does."""
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise PanelError(f"{what} is not installed here, so its callback cannot be made; install it, or call "
                     "keeper.flush() yourself after each save.")


def lazy_callback(module_name: str, build: Callable[[], type]) -> Callable[[str], Any]:
    """A module `__getattr__` that builds `KeepOnDriveCallback` on first use (the framework is
    imported then, not when the module is) and keeps it in the module."""
    def __getattr__(name: str) -> Any:
        if name == "KeepOnDriveCallback":
            import sys

            value = build()
            setattr(sys.modules[module_name], name, value)
            return value
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    return __getattr__


class Flusher:
    """The framework-neutral part of a callback: a watcher and the two moments it is asked to push."""

    def __init__(self, keeper: Any, wait_s: float = 0.0, final_timeout_s: float = FINAL_TIMEOUT_S) -> None:
        if not callable(getattr(keeper, "flush", None)):
            raise StagingError(f"The callback needs the watcher keep_on_drive(...) returns, not {shown(keeper)}.")
        user_number(wait_s, "wait_s", StagingError, minimum=0, maximum=24 * 3600)
        user_number(final_timeout_s, "final_timeout_s", StagingError, minimum=0, maximum=24 * 3600)
        self.keeper = keeper
        self.wait_s = wait_s
        self.final_timeout_s = final_timeout_s

    def saved(self) -> None:
        self.keeper.flush(self.wait_s)

    def finished(self) -> None:
        self.keeper.flush(self.final_timeout_s)
