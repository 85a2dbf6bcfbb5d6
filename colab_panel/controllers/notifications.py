"""'Tell me when it is done': which events become a browser notification, and when they are sent.

    n = NotificationController()        # off by default; the header's bell turns it on
    n.attach(sender)                    # sender(payload) shows it (the Notifier widget's send)
    n.watch(shared)                     # Drive/Staging/Monitor controllers, as the panel builds them
    n.notify("Staging finished", "...") # from any thread
    n.deliver()                         # on the kernel's main thread: the panel's tick, a cell's end

Why a hand-off and a main-thread `deliver()`: Colab drops widget messages sent from background
threads (googlecolab/colabtools#3373), and staging, uploads and the sampler finish on theirs.
So `notify()` sends through a `Handoff` (see controllers/handoff.py), which sends at once only on
the main thread and otherwise keeps the notice; the panel's ticker and IPython's post_run_cell
(both main thread) send what waits. Nothing is kept while notifications are off, so turning them
on never replays old news.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import traitlets

from colab_panel.controllers.handoff import Handoff

__all__ = ["NotificationController", "Notice"]

_log = logging.getLogger(__name__)
_MAX_QUEUED = 20  # a burst (many alerts) is cut, newest kept: nobody reads 200 pop-ups

Notice = dict  # {"title": str, "body": str, "tag": str, "kind": "cell"|"alert"|"staging"|"upload"}


class NotificationController(traitlets.HasTraits):
    enabled = traitlets.Bool(False)  # off until the user turns it on (the browser asks once then)
    sound = traitlets.Bool(False)
    permission = traitlets.Unicode("default")  # what the page reports: default|granted|denied|unsupported
    long_cell_s = traitlets.Float(60.0)  # a cell this long or longer is worth a notification
    sent = traitlets.Int(0)
    last = traitlets.Dict()  # the last notice sent, for the header's tooltip and tests

    def __init__(self, *, shell: Any = None, clock: Callable[[], float] = time.monotonic, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._outbox = Handoff(keep_last=_MAX_QUEUED)  # never live: a notice leaves from the main thread
        self._sender: Callable[[Notice], None] | None = None
        self._shell = shell
        self._clock = clock
        self._cell_started: float | None = None
        self._cell_number: int | None = None
        self._watched: set[int] = set()
        self._unwatch: list[Callable[[], None]] = []
        self._events_registered = False

    # --- sending --------------------------------------------------------------------------------

    def attach(self, sender: Callable[[Notice], None]) -> None:
        self._sender = sender

    def notify(self, title: str, body: str = "", *, kind: str = "info", tag: str = "") -> None:
        """Queue a notice (dropped while off); sent now only when called on the main thread."""
        if not self.enabled:
            return
        notice = {"title": title[:120], "body": body[:300], "kind": kind, "tag": tag or kind}
        self._outbox.deliver(lambda: self._send(notice), now=self._sender is not None)

    def deliver(self) -> int:
        """Send what is queued. Main thread only (Colab drops other threads' widget messages)."""
        if self._sender is None:
            return 0
        return self._outbox.apply()

    @property
    def queued(self) -> int:
        return len(self._outbox)

    def _send(self, notice: Notice) -> None:
        sender = self._sender
        if sender is None:
            return
        sender(notice)  # a failure (a closed widget) is logged by the hand-off, never raised to a tick
        self.sent += 1
        self.last = notice

    @traitlets.observe("enabled")
    def _on_enabled_change(self, change: Any) -> None:
        if not change["new"]:
            self._outbox.clear()

    # --- what is worth a notice -----------------------------------------------------------------

    def cell_started(self, number: int | None = None) -> None:
        self._cell_started, self._cell_number = self._clock(), number

    def cell_ended(self, number: int | None = None, error: str | None = None) -> None:
        if self._cell_started is None:
            return
        took = self._clock() - self._cell_started
        self._cell_started = None
        number = number if number is not None else self._cell_number
        if took < self.long_cell_s:
            return
        label = f"In [{number}]" if number is not None else "A cell"
        if error:
            self.notify(f"{label} failed after {_duration(took)}", error, kind="cell", tag="cell")
        else:
            self.notify(f"{label} finished in {_duration(took)}", "The notebook is ready for the next cell.",
                        kind="cell", tag="cell")

    def watch(self, shared: dict[str, Any]) -> None:
        """Follow the controllers the panel's tabs share (each once): staging and uploads finishing,
        monitor alerts firing. Tabs are built lazily, so the panel calls this on every tick."""
        for name, controller in list(shared.items()):
            if id(controller) in self._watched:
                continue
            watcher = {"staging": self._watch_staging, "drive": self._watch_drive,
                       "monitor": self._watch_monitor}.get(name)
            if watcher is not None:
                self._watched.add(id(controller))
                watcher(controller)

    def _observe(self, controller: Any, handler: Callable[[Any], None], names: str) -> None:
        controller.observe(handler, names=names)
        self._unwatch.append(lambda: controller.unobserve(handler, names=names))

    def _watch_staging(self, c: Any) -> None:
        doing = ["Staging"]  # the tab says "Staging…" or "Pushing…" as it turns busy

        def on_busy(change: Any) -> None:
            if change["new"]:
                doing[0] = "Push" if str(c.message).startswith("Push") else "Staging"
                return
            if change["old"]:
                kind = "upload" if doing[0] == "Push" else "staging"
                if c.error:
                    self.notify(f"{doing[0]} stopped", c.error, kind=kind, tag=kind)
                else:
                    self.notify(f"{doing[0]} finished", c.message or "Done.", kind=kind, tag=kind)
        self._observe(c, on_busy, "busy")

    def _watch_drive(self, c: Any) -> None:
        def on_message(change: Any) -> None:
            text = change["new"] or ""
            if text.startswith("Uploaded "):
                self.notify("Upload finished", text, kind="upload", tag="upload")
        self._observe(c, on_message, "message")

    def _watch_monitor(self, c: Any) -> None:
        def on_alerts(change: Any) -> None:
            before = change["old"] if isinstance(change["old"], (list, tuple)) else []
            for alert in [a for a in change["new"] if a not in before]:
                self.notify("Monitor alert", alert, kind="alert", tag=f"alert:{alert[:40]}")
        self._observe(c, on_alerts, "alerts")

    # --- IPython ---------------------------------------------------------------------------------

    def register_cell_events(self) -> None:
        events = getattr(self._current_shell(), "events", None)
        if events is None or self._events_registered:
            return
        events.register("pre_run_cell", self._on_pre_run_cell)
        events.register("post_run_cell", self._on_post_run_cell)
        self._events_registered = True

    def close(self) -> None:
        for undo in self._unwatch:
            try:
                undo()
            except Exception:
                pass
        self._unwatch.clear()
        events = getattr(self._current_shell(), "events", None)
        if events is not None and self._events_registered:
            for name, callback in (("pre_run_cell", self._on_pre_run_cell),
                                   ("post_run_cell", self._on_post_run_cell)):
                try:
                    events.unregister(name, callback)
                except ValueError:
                    pass
        self._events_registered = False
        self._sender = None

    def _current_shell(self) -> Any:
        if self._shell is None:
            try:
                from IPython import get_ipython
            except ImportError:
                return None
            self._shell = get_ipython()
        return self._shell

    def _on_pre_run_cell(self, info: Any) -> None:
        try:
            if getattr(info, "store_history", True):
                self.cell_started()
        except Exception:
            _log.exception("notifications: pre_run_cell failed")

    def _on_post_run_cell(self, result: Any) -> None:
        try:
            info = getattr(result, "info", None)
            if info is not None and not getattr(info, "store_history", True):
                return
            error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
            words = f"{type(error).__name__}: {error}" if error is not None else None
            self.cell_ended(getattr(result, "execution_count", None), words)
            self.deliver()  # the end of a cell is on the main thread: send whatever waited too
        except Exception:
            _log.exception("notifications: post_run_cell failed")


def _duration(seconds: float) -> str:
    from colab_panel.units import human_duration

    return human_duration(seconds)
