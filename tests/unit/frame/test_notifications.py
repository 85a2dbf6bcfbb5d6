"""Kernel side of 'tell me when it is done': off by default, main-thread delivery, what is worth a notice.

The page side (Notification API, the permission prompt, the bell) is js/notifier.js; browser
tests for it are listed in the issue's report for the lead.
"""

from __future__ import annotations

import re
import sys
import threading

import traitlets

from colab_panel.controllers.notifications import NotificationController
from colab_panel.widgets.notifier import Notifier


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _controller(**kwargs) -> tuple[NotificationController, list[dict]]:
    sent: list[dict] = []
    c = NotificationController(shell=object(), **kwargs)
    c.attach(sent.append)
    return c, sent


def _in_thread(fn) -> None:
    worker = threading.Thread(target=fn)
    worker.start()
    worker.join()


def test_off_by_default_and_nothing_is_kept_while_off():
    c, sent = _controller()
    assert c.enabled is False
    c.notify("Staging finished")
    c.enabled = True
    c.deliver()
    assert sent == [] and c.queued == 0


def test_main_thread_sends_at_once_background_threads_wait_for_the_main_thread():
    c, sent = _controller(enabled=True)
    c.notify("now", "from the main thread")
    assert [n["title"] for n in sent] == ["now"]
    _in_thread(lambda: c.notify("later", "from a worker"))
    _in_thread(c.deliver)  # a worker may not send: Colab would drop it
    assert len(sent) == 1 and c.queued == 1
    assert c.deliver() == 1 and sent[-1]["title"] == "later" and c.sent == 2


def test_turning_off_drops_the_queue_and_bursts_are_capped():
    c, sent = _controller(enabled=True)
    _in_thread(lambda: [c.notify(f"alert {i}") for i in range(50)])
    assert c.queued == 20
    c.enabled = False
    assert c.queued == 0
    c.enabled = True
    _in_thread(lambda: [c.notify(f"alert {i}") for i in range(50)])
    c.deliver()
    assert [n["title"] for n in sent][-1] == "alert 49" and len(sent) == 20


def test_only_long_cells_are_worth_a_notice_and_a_failure_says_why():
    clock = Clock()
    c, sent = _controller(enabled=True, clock=clock, long_cell_s=60)
    c.cell_started(3)
    clock.t += 5
    c.cell_ended(3)
    assert sent == []
    c.cell_started(4)
    clock.t += 125
    c.cell_ended(4)
    c.cell_started(5)
    clock.t += 61
    c.cell_ended(5, "ZeroDivisionError: division by zero")
    assert [n["title"] for n in sent] == ["In [4] finished in 2 min 05 s", "In [5] failed after 1 min 01 s"]
    assert sent[1]["body"] == "ZeroDivisionError: division by zero" and sent[1]["kind"] == "cell"


class _Staging(traitlets.HasTraits):
    busy = traitlets.Bool(False)
    error = traitlets.Unicode("")
    message = traitlets.Unicode("")


class _Drive(traitlets.HasTraits):
    message = traitlets.Unicode("")


class _Monitor(traitlets.HasTraits):
    alerts = traitlets.List()


def test_staging_uploads_and_alerts_are_followed_once_each():
    c, sent = _controller(enabled=True)
    staging, drive, monitor = _Staging(), _Drive(), _Monitor()
    shared = {"staging": staging, "drive": drive, "monitor": monitor, "other": object()}
    c.watch(shared)
    c.watch(shared)  # the panel calls this every tick: still one observer each
    staging.busy = True
    staging.message = "/content/data/set: 2 files"
    staging.busy = False
    staging.busy, staging.error = True, "The disk is full."
    staging.busy = False
    staging.error, staging.message = "", "Pushing…"
    staging.busy = True
    staging.message = "Pushed 3 files to 'runs'."
    staging.busy = False
    drive.message = "Uploading model.pt..."
    drive.message = "Uploaded model.pt (1.2 GB) to 'runs'."
    monitor.alerts = ["GPU 0 memory is 97 % full"]
    monitor.alerts = ["GPU 0 memory is 97 % full", "RAM is 95 % full"]
    assert [(n["title"], n["body"]) for n in sent] == [
        ("Staging finished", "/content/data/set: 2 files"), ("Staging stopped", "The disk is full."),
        ("Push finished", "Pushed 3 files to 'runs'."),
        ("Upload finished", "Uploaded model.pt (1.2 GB) to 'runs'."),
        ("Monitor alert", "GPU 0 memory is 97 % full"), ("Monitor alert", "RAM is 95 % full")]
    c.close()
    staging.busy = True
    staging.busy = False
    assert len(sent) == 6


def test_a_failing_sender_never_breaks_the_caller():
    c = NotificationController(shell=object(), enabled=True)

    def broken(_notice):
        raise RuntimeError("widget closed")

    c.attach(broken)
    c.notify("x")  # no exception
    assert c.sent == 0


def test_the_bell_widget_is_bound_both_ways_and_sends_a_notify_message(monkeypatch):
    c = NotificationController(shell=object())
    bell = Notifier.for_controller(c)
    messages = []
    monkeypatch.setattr(bell, "send", lambda content, buffers=None: messages.append(content))
    bell.permission = "granted"  # as the page reports after the user allowed it
    bell.enabled = True
    assert c.enabled and c.permission == "granted"
    c.notify("Staging finished", "ready", kind="staging")
    assert messages == [{"type": "notify", "title": "Staging finished", "body": "ready", "kind": "staging",
                         "tag": "staging"}]
    bell.permission, bell.enabled = "denied", False
    assert not c.enabled and c.permission == "denied"
    assert "_esm" in dir(bell) and bell.has_trait("sound")


def test_real_ipython_cells_through_events():
    from IPython.core.interactiveshell import InteractiveShell

    hooks = sys.displayhook, sys.excepthook
    shell = InteractiveShell.instance()
    clock = Clock()
    sent: list[dict] = []
    c = NotificationController(shell=shell, enabled=True, clock=clock, long_cell_s=0)
    c.attach(sent.append)
    c.register_cell_events()
    try:
        shell.run_cell("x = 1", store_history=True)
        shell.run_cell("1/0", store_history=True)
        shell.run_cell("y = 2", store_history=False)  # a front end's silent run: not the user's cell
    finally:
        c.close()
        InteractiveShell.clear_instance()
        sys.displayhook, sys.excepthook = hooks
    assert re.fullmatch(r"In \[\d+\] finished in 0 s", sent[0]["title"]), sent[0]["title"]
    assert "failed" in sent[1]["title"] and sent[1]["body"].startswith("ZeroDivisionError")
    assert len(sent) == 2


def test_panel_has_the_bell_off_and_its_tick_delivers(tmp_path, monkeypatch):
    monkeypatch.setenv("COLAB_PANEL_STATE", str(tmp_path))
    from colab_panel import Panel

    panel = Panel()
    try:
        assert panel.notifier in panel.widget.children[1].children and not panel.notifications.enabled
        sent = []
        panel.notifications.attach(sent.append)
        panel.notifications.enabled = True
        _in_thread(lambda: panel.notifications.notify("Upload finished", "from a worker"))
        assert sent == []
        panel._on_tick()
        assert [n["title"] for n in sent] == ["Upload finished"]
    finally:
        panel.close()


def test_the_panel_follows_monitor_alerts_from_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("COLAB_PANEL_STATE", str(tmp_path))
    from colab_panel import Panel

    panel = Panel()
    try:
        sent = []
        panel.notifications.attach(sent.append)
        panel.notifications.enabled = True
        monitor = panel._context.shared["monitor"]
        monitor.alerts = ["GPU 0 is at 91 °C"]  # before any tick reached the kernel
        assert [n["body"] for n in sent] == ["GPU 0 is at 91 °C"]
    finally:
        panel.close()
