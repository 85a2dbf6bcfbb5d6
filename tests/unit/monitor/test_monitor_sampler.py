"""Sampler: cadence tiers, deltas, markers, subscribers, pause, refcounted lifecycle.

Runs in-process with a stub GPU reader (this machine has no NVIDIA library); the sampler
against the fake NVML is exercised in test_monitor_sampler_fake_gpus.py. Every wait is
bounded and no test asserts on durations.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import types

import pytest

import colab_panel.monitor.sampler as sampler_module
from colab_panel.monitor.samples import GpuSample
from colab_panel.monitor.sampler import Sampler, get_sampler
from support.polling import poll_until


class StubGpuReader:
    """Stands in for GpuReader: one GPU, records which ticks asked for slow readings."""

    def __init__(self) -> None:
        self.slow_flags: list[bool] = []

    def read(self, *, slow: bool = True) -> list[GpuSample]:
        self.slow_flags.append(slow)
        return [GpuSample(index=0, name="Stub GPU", uuid="GPU-stub", utilization_gpu_percent=50.0,
                          memory_used_bytes=1024, memory_total_bytes=4096)]

    def handles(self) -> list:
        return []

    def mark_lost(self, index: int) -> None:
        pass


@pytest.fixture
def sampler():
    made = Sampler(interval_s=0.1, gpu_reader=StubGpuReader())
    yield made
    made.stop()


def test_tiers_follow_the_clock(monkeypatch):
    clock = [1000.0]
    fake_time = types.SimpleNamespace(monotonic=lambda: clock[0], time=time.time,
                                      thread_time=time.thread_time)
    monkeypatch.setattr(sampler_module, "time", fake_time)
    process_reads = []
    monkeypatch.setattr(sampler_module, "read_gpu_processes",
                        lambda reader: process_reads.append(clock[0]) or [])
    reader = StubGpuReader()
    sampler = Sampler(interval_s=1.0, gpu_reader=reader)
    for _ in range(11):  # t = 0..10 s
        sampler.sample_now()
        clock[0] += 1.0
    assert reader.slow_flags == [True, False, False, False, False, True,
                                 False, False, False, False, True]
    assert [t - 1000.0 for t in process_reads] == [0, 2, 4, 6, 8, 10]


def test_columns_and_delta_shape(sampler):
    sampler.sample_now()
    first = sampler.since(None)
    assert list(first["series"]) == ["cpu_percent", "ram_used_bytes", "kernel_rss_bytes",
                                     "torch_allocated_bytes", "gpu0.utilization_gpu_percent",
                                     "gpu0.utilization_memory_percent", "gpu0.memory_used_bytes",
                                     "gpu0.temperature_c", "gpu0.power_w"]
    assert first["series"]["gpu0.utilization_gpu_percent"] == [50]
    assert first["series"]["gpu0.temperature_c"] == [None]
    assert first["latest"]["gpus"][0]["name"] == "Stub GPU"
    assert first["latest"]["host"]["ram_total_bytes"] > 0
    assert first["until"] == first["t"][-1]
    sampler.sample_now()
    sampler.sample_now()
    delta = sampler.since(first["until"], include_latest=False)
    assert len(delta["t"]) == 2 and "latest" not in delta
    assert sampler.since(delta["until"], include_latest=False)["t"] == []
    assert len(sampler.snapshot()["t"]) == 3


def test_markers_come_with_the_delta_after_them(sampler):
    sampler.sample_now()
    before = sampler.since(None)["until"]
    marker = sampler.mark("cell 3 started")
    assert sampler.since(before)["markers"] == [{"t": marker.t, "label": "cell 3 started"}]
    assert sampler.since(marker.t)["markers"] == []
    sampler.mark("an old event", t=before - 100)
    assert [m.label for m in sampler.markers()] == ["cell 3 started", "an old event"]


def test_thread_samples_and_a_failing_subscriber_does_not_kill_it(sampler):
    seen = []
    unsubscribe = sampler.subscribe(lambda tick: seen.append(tick))
    sampler.subscribe(lambda tick: 1 / 0)
    sampler.start()
    assert poll_until(lambda: len(seen) >= 3)
    assert sampler.running and sampler.callback_errors >= 3
    assert "ZeroDivisionError" in sampler.last_callback_error
    assert seen[0].gpus[0].name == "Stub GPU" and seen[0].host.ram_total_bytes > 0
    unsubscribe()
    count = len(seen)
    assert poll_until(lambda: sampler.tick_count >= count + 3)
    assert len(seen) == count
    assert sampler.cost_cpu_percent is not None and sampler.cost_cpu_percent >= 0


def test_pause_resume_and_interval_changes(sampler):
    sampler.start()
    assert poll_until(lambda: sampler.tick_count >= 1)
    sampler.pause()
    assert poll_until(lambda: sampler.paused)
    time.sleep(0.05)  # let a tick that was already running finish
    paused_at = sampler.tick_count
    time.sleep(0.3)
    assert sampler.tick_count == paused_at and sampler.running
    sampler.interval_s = 0.2
    sampler.resume()
    assert poll_until(lambda: sampler.tick_count > paused_at)
    with pytest.raises(ValueError):
        sampler.interval_s = 0.0
    assert sampler.interval_s == 0.2


def test_stop_is_prompt_even_with_a_long_interval():
    sampler = Sampler(interval_s=3600, gpu_reader=StubGpuReader()).start()
    assert poll_until(lambda: sampler.tick_count == 1)
    sampler.stop(timeout=10)
    assert not sampler.running


def test_acquire_release_is_refcounted(sampler):
    assert sampler.acquire() is sampler and sampler.acquire() is sampler
    assert sampler.users == 2 and sampler.running
    sampler.release()
    assert sampler.running
    sampler.release()
    assert not sampler.running and sampler.users == 0
    sampler.release()  # one release too many is harmless
    assert sampler.users == 0


def test_restart_after_stop_keeps_history(sampler):
    sampler.start()
    assert poll_until(lambda: sampler.tick_count >= 2)
    sampler.stop()
    kept = len(sampler.history)
    sampler.start()
    assert poll_until(lambda: len(sampler.history) > kept)
    assert len([t for t in threading.enumerate() if t.name == "colab_panel-sampler"]) == 1


def test_staging_dir_is_read_on_the_next_tick(sampler, tmp_path):
    sampler.sample_now()
    assert sampler.latest_host.disk_staging_total_bytes is None
    sampler.staging_dir = tmp_path
    sampler.sample_now()
    assert sampler.latest_host.staging_dir == str(tmp_path)
    assert sampler.latest_host.disk_staging_total_bytes > 0


def test_get_sampler_is_one_per_process():
    assert get_sampler() is get_sampler()
    assert not get_sampler().running  # created idle; acquire() starts it


def test_latest_carries_every_field_of_every_record(monkeypatch):
    gpu = GpuSample(index=0, name="Stub GPU", uuid="GPU-stub", utilization_gpu_percent=50.0,
                    throttle_reasons=("software power cap",), is_mig=False)
    process = sampler_module.GpuProcess(pid=7, name="python", gpu_index=0,
                                        memory_used_bytes=None, kind="compute",
                                        is_this_kernel=True)
    monkeypatch.setattr(sampler_module, "read_gpu_processes", lambda reader: [process])
    reader = StubGpuReader()
    reader.read = lambda *, slow=True: [gpu]
    sampler = Sampler(interval_s=1.0, gpu_reader=reader)
    sampler.sample_now()
    latest = sampler.latest()
    assert latest["gpus"] == [dataclasses.asdict(gpu)]
    assert latest["processes"] == [dataclasses.asdict(process)]
    assert latest["host"] == dataclasses.asdict(sampler.latest_host)
    assert latest["gpus"][0]["throttle_reasons"] == ("software power cap",)
    assert latest["gpus"][0]["temperature_c"] is None  # unknown stays None, never 0
