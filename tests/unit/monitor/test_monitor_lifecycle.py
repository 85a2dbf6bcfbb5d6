"""Starting and stopping 50 times leaves no thread and no listening socket behind."""

from __future__ import annotations

import threading
import urllib.request

from colab_panel.monitor.endpoint import SampleEndpoint
from colab_panel.monitor.sampler import Sampler
from support.sockets import listening_ports
from support.polling import poll_until


def our_threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name.startswith("colab_panel-")}


def test_sampler_start_stop_50_times_leaves_no_thread():
    threads_before = set(threading.enumerate())
    sampler = Sampler(interval_s=0.1)
    for _ in range(50):
        sampler.acquire()
        sampler.release()
    assert not sampler.running
    assert poll_until(lambda: set(threading.enumerate()) <= threads_before)
    assert our_threads() == set()


def test_endpoint_create_close_50_times_leaves_no_thread_or_socket():
    threads_before = set(threading.enumerate())
    ports_before = listening_ports()
    sampler = Sampler(interval_s=0.1)
    sampler.sample_now()
    for i in range(50):
        endpoint = SampleEndpoint(sampler)
        if i % 10 == 0:  # serve a request now and then, so request threads are covered too
            url = f"{endpoint.url}samples?latest=0&token={endpoint.token}"
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200
        endpoint.close()
    assert poll_until(lambda: set(threading.enumerate()) <= threads_before)
    assert poll_until(lambda: listening_ports() <= ports_before)
    assert our_threads() == set()
