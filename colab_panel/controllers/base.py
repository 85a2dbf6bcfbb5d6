"""`Controller`: what every tab's controller shares -- busy/error/message, one error policy, one hand-off.

    class ThingController(Controller):
        def fetch(self) -> None:
            with self.action("Fetching..."):   # busy meanwhile; a PanelError becomes `error`, in words
                self.message = f"Fetched {backend.fetch()}."

The error policy (`in_words`): a `PanelError` -- or a `ValueError` a parser raised about the
user's input -- is shown as its own sentence; anything else is a bug, logged with its traceback
and shown as "Unexpected failure: <type>: <text>", never raised into the front end. Results of
worker threads reach the traits only through `self.handoff` (see `handoff.py`: Colab drops
widget messages sent from other threads), applied by `poll()`. A change that needs the user's
yes waits as one `Confirmation` in `asking` until `confirm()` (or `cancel()`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import traitlets

from colab_panel.controllers.confirmation import Confirmation
from colab_panel.controllers.handoff import Handoff
from colab_panel.errors import PanelError

__all__ = ["UNEXPECTED", "Controller", "in_words"]

_log = logging.getLogger(__name__)

UNEXPECTED = "Unexpected failure"


def in_words(exc: BaseException, failed: str = UNEXPECTED) -> str:
    """What the user reads for `exc`: its own words when it is a mistake they can fix (a
    `PanelError`, or a parser's `ValueError`); otherwise `failed` and what the bug was."""
    if isinstance(exc, (PanelError, ValueError)):
        return str(exc)
    return f"{failed + ': ' if failed else ''}{type(exc).__name__}: {exc}"


class Controller(traitlets.HasTraits):
    """Busy/error/message traits, the error policy, and the worker hand-off. Safe without widgets."""

    busy = traitlets.Bool(False)  # a verb (or its worker) is running
    error = traitlets.Unicode("")  # the last failure, in words ("" once something succeeds)
    message = traitlets.Unicode("")  # what the last verb did, or is doing, in words
    asking = traitlets.Instance(Confirmation, allow_none=True)  # a change waiting for confirm()/cancel()

    def __init__(self, *, live: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.handoff = Handoff(live=live)

    def poll(self) -> None:
        """Apply what workers delivered (the panel's tick calls this on the main thread)."""
        self.handoff.apply()

    def take_asked(self) -> Confirmation | None:
        """The confirmation that waited (None if none), which no longer waits."""
        asked, self.asking = self.asking, None
        return asked

    def close(self) -> None:
        """Stop what this controller started (the panel calls it); nothing to stop here."""

    @contextmanager
    def action(self, doing: str = "", *, at: str = "") -> Iterator[None]:
        """Run a verb's body: `busy` meanwhile, `message` says `doing`; a failure becomes `error`
        in words (see `fail`) instead of an exception out of a click."""
        with self.handoff.lock:  # a worker's result is never applied halfway through a verb
            self.busy, self.error = True, ""
            if doing:
                self.message = doing
            try:
                yield
            except Exception as exc:  # the policy: words for mistakes, a logged bug otherwise
                self.fail(exc, at=at)
            finally:
                self.busy = False

    def fail(self, exc: BaseException, *, at: str = "") -> None:
        """Show `exc` as `error` in words (`in_words`); what `message` said no longer holds. `at`
        names the control the error belongs to, for controllers whose view shows it there."""
        if not isinstance(exc, (PanelError, ValueError)):
            _log.error("%s: unexpected failure", type(self).__name__, exc_info=exc)
        self.error = in_words(exc)
        self.message = ""
