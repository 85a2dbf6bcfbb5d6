"""The Drive tab's workers (connect, the rest of a listing, sharing) in Colab's mode: no trait
changes in a worker thread, everything applied by the main thread's poll (Colab drops widget
messages from other threads, colabtools#3373); and at once where the front end shows them."""

from __future__ import annotations

import threading

from colab_panel.controllers.drive import DriveController
from colab_panel.drive.client import Drive
from colab_panel.drive.retry import RetryPolicy

WATCHED = ["items", "listing", "folder_id", "message", "sharing", "connected", "breadcrumbs"]


def _backend(emulator):
    return Drive.for_emulator(emulator.base_url, emulator.token, emulator.ca_cert_path,
                              retry=RetryPolicy(sleep=lambda s: None))


def test_in_colab_mode_workers_never_set_a_trait(emulator, child, known):
    backend = _backend(emulator)
    c = DriveController(lambda: backend, apply_from_thread=False)
    threads: list[str] = []
    c.observe(lambda change: threads.append(threading.current_thread().name), names=WATCHED)
    c.start()
    c.settle()  # joins the connecting worker (which also read the start folder's pages), then applies
    assert c.connected and c.breadcrumbs[0][1] == "My Drive"
    c.open(child(emulator.root_id, "many").id)  # the first of three pages now, the rest from a worker
    c.settle()
    assert len(c.items) == known.many and not c.listing
    c.select(c.items[0].id)  # the sharing is read in a worker
    c.settle()
    assert c.sharing and c.sharing != "Checking who can open it..."
    assert threads and set(threads) == {threading.main_thread().name}
    c.close()
    backend.close()


def test_where_thread_updates_show_the_worker_applies_at_once(emulator, child, known):
    backend = _backend(emulator)
    c = DriveController(backend, apply_from_thread=True)
    workers: list[str] = []
    c.observe(lambda change: workers.append(threading.current_thread().name)
              if threading.current_thread() is not threading.main_thread() else None, names=["items", "listing"])
    c.open(child(emulator.root_id, "many").id)
    assert c._list_thread is not None
    c._list_thread.join(30)
    assert len(c.items) == known.many and not c.listing  # no poll() was needed
    assert workers and set(workers) == {"drive-list"}
    c.close()
    backend.close()
