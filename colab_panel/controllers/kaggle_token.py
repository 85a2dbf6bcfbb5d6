"""State of the Staging tab's Kaggle token row: where Kaggle credentials come from now, and storing a new kaggle.json.

The file's bytes arrive once, from the page (`receive`), go straight to `save_kaggle_token`, and
are kept nowhere: not in a trait, not in a message, not in a log. Only the path and the Kaggle
user name are ever shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import traitlets

from colab_panel.controllers.base import Controller
from colab_panel.errors import PanelError

SaveFn = Callable[[bytes], Any]


class KaggleTokenController(Controller):
    """`message` (what the last upload did) and `error` (why it was refused) come from `Controller`."""

    status = traitlets.Unicode("")  # where the kaggle package will find credentials, in words

    def __init__(self, *, save_fn: SaveFn | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if save_fn is None:
            from colab_panel.staging.kaggle_token import save_kaggle_token

            save_fn = save_kaggle_token
        self._save_fn: SaveFn = save_fn
        self.refresh()

    def refresh(self) -> None:
        """Say where credentials are found now (a description, never their value)."""
        from colab_panel.staging.kaggle_source import find_credentials

        try:
            self.status = f"Kaggle credentials: {find_credentials().source}."
        except PanelError:
            self.status = ("No Kaggle token here yet: choose the kaggle.json from "
                           "kaggle.com/settings (API → Create New Token).")
        except Exception as exc:  # an unreadable home folder must not break the tab
            self.status = f"Could not look for Kaggle credentials: {type(exc).__name__}."

    def receive(self, name: str, data: bytes) -> None:
        """Store the chosen file as kaggle.json (0600); the outcome goes to `message` or `error`."""
        self.message = self.error = ""
        try:
            saved = self._save_fn(data)
            self.message = saved.message
        except PanelError as exc:
            self.fail(exc)
        except Exception as exc:  # never a traceback, and never the content in the words (not `in_words`)
            self.error = f"Storing {name} failed: {type(exc).__name__}."
        self.refresh()

    def refuse(self, text: str) -> None:
        """The page's refusal (a file too big, unreadable), in words."""
        self.message = ""
        self.error = f"{text} A Kaggle token (kaggle.json) is under 1 KB."
