"""`Handoff`: the one way a worker thread's results reach a controller's traits.

Colab drops widget messages sent from background threads (googlecolab/colabtools#3373): a trait
set there never reaches the page. So a worker never sets a trait. It delivers a closure that
does, and the kernel's main thread applies it: the panel's tick, the next click, or
`settle()`/`wait()` in a script. Where the front end does show other threads' updates
(JupyterLab, Notebook 7, Voila: `live=True`), a delivery is applied at once by the worker, so
progress moves while a cell runs.

    handoff = Handoff(live=not in_colab())
    handoff.deliver(lambda: setattr(controller, "message", "Done."))   # any thread
    handoff.deliver(show_progress, key="progress")   # replaces an older "progress" not yet applied
    handoff.apply()                                   # main thread (or live): runs what waits, in order
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

__all__ = ["Handoff", "on_main_thread"]

_log = logging.getLogger(__name__)

Apply = Callable[[], None]


def on_main_thread() -> bool:
    """True on the kernel's main thread: the only thread whose widget messages Colab delivers."""
    return threading.current_thread() is threading.main_thread()


class Handoff:
    """Closures from workers, applied in order on the main thread (or at once when `live`)."""

    def __init__(self, *, live: bool = False, keep_last: int | None = None) -> None:
        self.live = live
        # Held while applying. A controller holds it for a whole verb too, so a worker applying
        # (live) never interleaves with a click's changes. Re-entrant: a verb applies what waits.
        self.lock = threading.RLock()
        self.delivered = threading.Event()  # set by every delivery: "a worker has said something"
        self._queue_lock = threading.Lock()  # guards only the queue, never held while applying
        # keep_last: a burst keeps only its newest (notifications: nobody reads 200 pop-ups)
        self._queue: deque[tuple[str | None, Apply]] = deque(maxlen=keep_last)

    def deliver(self, apply: Apply, *, key: str | None = None, now: bool = True) -> None:
        """Queue `apply`; a `key` replaces an older delivery with that key not yet applied (a
        progress snapshot: only the newest matters). Applied at once when this is the main thread
        or the front end is `live`, unless `now` is False (a worker throttling its updates)."""
        with self._queue_lock:
            if key is not None and any(k == key for k, _ in self._queue):
                kept = [(k, a) for k, a in self._queue if k != key]
                self._queue.clear()
                self._queue.extend(kept)
            self._queue.append((key, apply))
        self.delivered.set()
        if now:
            self.apply()

    def apply(self) -> int:
        """Run what was delivered, in order; how many ran. Off the main thread it does nothing
        unless `live`: a trait set there would not reach Colab's page and would be lost."""
        if not (self.live or on_main_thread()):
            return 0
        with self.lock:
            with self._queue_lock:
                batch = [apply for _, apply in self._queue]
                self._queue.clear()
            for apply in batch:
                try:
                    apply()
                except Exception:  # one bad result must not stop the ticker or the others
                    _log.exception("applying a worker's result failed")
        return len(batch)

    def clear(self) -> None:
        """Drop what waits (notifications turned off: old news is never replayed)."""
        with self._queue_lock:
            self._queue.clear()

    def __len__(self) -> int:
        with self._queue_lock:
            return len(self._queue)
