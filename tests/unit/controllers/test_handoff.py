"""The one worker -> main thread hand-off: order, newest-only keys, main thread only unless live."""

from __future__ import annotations

import threading
from collections.abc import Callable

from colab_panel.controllers.handoff import Handoff


def _in_thread(fn: Callable[[], object]) -> None:
    worker = threading.Thread(target=fn)
    worker.start()
    worker.join(10)


def test_a_worker_only_queues_and_the_main_thread_applies_in_order() -> None:
    handoff, seen = Handoff(), []
    _in_thread(lambda: [handoff.deliver(lambda n=n: seen.append(n)) for n in range(3)])
    _in_thread(handoff.apply)  # another worker may not apply either: Colab would drop its messages
    assert seen == [] and len(handoff) == 3 and handoff.delivered.is_set()
    assert handoff.apply() == 3 and seen == [0, 1, 2] and len(handoff) == 0


def test_live_applies_in_the_worker_at_once() -> None:
    handoff, where = Handoff(live=True), []
    _in_thread(lambda: handoff.deliver(lambda: where.append(threading.current_thread().name)))
    assert len(where) == 1 and where[0] != threading.main_thread().name and len(handoff) == 0


def test_a_key_keeps_only_the_newest_not_yet_applied() -> None:
    handoff, seen = Handoff(), []
    def work() -> None:
        for n in range(5):
            handoff.deliver(lambda n=n: seen.append(("progress", n)), key="progress")
        handoff.deliver(lambda: seen.append(("done", None)))
    _in_thread(work)
    handoff.apply()
    assert seen == [("progress", 4), ("done", None)]


def test_now_false_waits_even_where_live_and_keep_last_cuts_a_burst() -> None:
    handoff, seen = Handoff(live=True, keep_last=2), []
    for n in range(4):
        handoff.deliver(lambda n=n: seen.append(n), now=False)
    assert seen == [] and len(handoff) == 2
    handoff.apply()
    assert seen == [2, 3]


def test_one_failing_result_does_not_stop_the_others() -> None:
    handoff, seen = Handoff(), []

    def broken() -> None:
        raise RuntimeError("boom")

    _in_thread(lambda: (handoff.deliver(broken), handoff.deliver(lambda: seen.append("after"))))
    assert handoff.apply() == 2 and seen == ["after"]


def test_applying_waits_for_a_verb_holding_the_lock() -> None:
    handoff, seen = Handoff(live=True), []
    with handoff.lock:  # a verb runs on the main thread
        worker = threading.Thread(target=lambda: handoff.deliver(lambda: seen.append("applied")))
        worker.start()
        worker.join(0.5)
        assert seen == []  # not halfway through the verb
    worker.join(10)
    assert seen == ["applied"]
