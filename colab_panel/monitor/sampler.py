"""The kernel's one background sampler: reads GPUs and host on a tiered cadence into history.

    sampler = get_sampler().acquire()      # starts it if nobody else uses it yet
    sampler.subscribe(on_tick)             # on_tick(tick) runs on the sampler thread
    delta = sampler.since(last_t)          # columnar rows after last_t, for a chart update
    sampler.release()                      # stops it when the last user lets go

Cadence: the fast tier (utilization, memory, temperature, power, CPU, RAM) every
`interval_s` (1 s by default), GPU processes every `process_interval_s` (2 s), the slow tier
(clocks, throttle reasons, PCIe, power limit, disks) every `slow_interval_s` (5 s); with a
longer interval every tier simply runs each tick. Sleeping is `Event.wait`, so `stop()`,
`pause()` and interval changes take effect at once instead of after the current sleep.

The sampler measures itself: `cost_cpu_percent` is the CPU time of its thread over the last
minute, as a percentage of one core (subscriber callbacks included: they run on it).
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import os
import threading
import time
from collections import deque
from typing import Any, Callable, NamedTuple

from colab_panel.monitor.gpu import GpuReader, gpu_status
from colab_panel.monitor.gpu_processes import read_gpu_processes
from colab_panel.monitor.history import RingHistory
from colab_panel.monitor.host import HostReader
from colab_panel.monitor.samples import GpuProcess, GpuSample, HostSample

__all__ = ["GPU_COLUMNS", "HOST_COLUMNS", "Sampler", "Tick", "get_sampler"]

#: History columns. GPU columns are "gpu{index}.{field}", e.g. "gpu0.memory_used_bytes".
HOST_COLUMNS = ("cpu_percent", "ram_used_bytes", "kernel_rss_bytes", "torch_allocated_bytes")
GPU_COLUMNS = ("utilization_gpu_percent", "utilization_memory_percent", "memory_used_bytes",
               "temperature_c", "power_w")

_MIN_INTERVAL_S = 0.1
_COST_WINDOW_TICKS = 60
_MAX_MARKERS = 10_000


class Tick(NamedTuple):
    """What a subscriber receives after every sample."""

    t: float  # the timestamp stored in history (wall-clock seconds)
    gpus: list[GpuSample]
    host: HostSample
    processes: list[GpuProcess]  # the latest process list (refreshed every process_interval_s)


class Marker(NamedTuple):
    t: float
    label: str


Subscriber = Callable[[Tick], None]


class Sampler:
    """Samples into a `RingHistory` from one daemon thread. Thread-safe."""

    def __init__(self, *, interval_s: float = 1.0, capacity: int = 3600,
                 process_interval_s: float = 2.0, slow_interval_s: float = 5.0,
                 staging_dir: str | None = None, gpu_reader: GpuReader | None = None) -> None:
        self._interval_s = _checked_interval(interval_s)
        self.capacity = capacity
        self.process_interval_s = process_interval_s
        self.slow_interval_s = slow_interval_s
        self._staging_dir = staging_dir
        self._gpu_reader = gpu_reader or GpuReader()
        self._host_reader: HostReader | None = None
        self._history: RingHistory | None = None  # built on the first tick, once GPUs are counted

        self._state_lock = threading.Lock()  # thread, flags, refcount, subscribers
        self._tick_lock = threading.Lock()  # one sample at a time (thread or sample_now)
        # Each thread gets its own pair of events, so a thread still finishing after stop()
        # cannot be revived by a start() that follows quickly.
        self._wake = threading.Event()
        self._stop_flag = threading.Event()
        self._thread: threading.Thread | None = None
        self._paused = False
        self._users = 0
        self._subscribers: list[Subscriber] = []
        self.callback_errors = 0  # subscriber exceptions swallowed so the thread lives on
        self.last_callback_error: str | None = None

        self._markers: deque[Marker] = deque(maxlen=_MAX_MARKERS)
        self._latest_gpus: list[GpuSample] = []
        self._latest_host: HostSample | None = None
        self._latest_processes: list[GpuProcess] = []
        self._gpu_status = ""
        self._last_tick_mono: float | None = None
        self._last_slow_mono: float | None = None
        self._last_process_mono: float | None = None
        self._cost_window: deque[tuple[float, float]] = deque(maxlen=_COST_WINDOW_TICKS + 1)
        self.tick_count = 0

    # ---- lifecycle -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> Sampler:
        """Start the thread (no-op when running). Returns self."""
        with self._state_lock:
            if self.running:
                return self
            self._wake, self._stop_flag = threading.Event(), threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._wake, self._stop_flag),
                                            name="colab_panel-sampler", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and wait up to `timeout` s for it (a tick in progress finishes)."""
        with self._state_lock:
            thread, self._thread = self._thread, None
            self._stop_flag.set()
            self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def acquire(self) -> Sampler:
        """Count one more user (a panel) and make sure the thread runs. Returns self."""
        with self._state_lock:
            self._users += 1
        return self.start()

    def release(self) -> None:
        """One user is done; the last one to leave stops the thread."""
        with self._state_lock:
            self._users = max(self._users - 1, 0)
            last = self._users == 0
        if last:
            self.stop()

    @property
    def users(self) -> int:
        return self._users

    def pause(self) -> None:
        """Stop sampling but keep the thread and the history; `resume()` continues."""
        self._paused = True
        self._wake.set()

    def resume(self) -> None:
        self._paused = False
        self._wake.set()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def interval_s(self) -> float:
        return self._interval_s

    @interval_s.setter
    def interval_s(self, value: float) -> None:
        self._interval_s = _checked_interval(value)
        self._wake.set()  # re-plan the current sleep with the new interval

    @property
    def staging_dir(self) -> str | None:
        return self._staging_dir

    @staging_dir.setter
    def staging_dir(self, value: str | os.PathLike[str] | None) -> None:
        """Also report free space where datasets are staged (read on the next slow tick)."""
        self._staging_dir = None if value is None else os.fspath(value)
        self._last_slow_mono = None
        if self._host_reader is not None:
            self._host_reader.staging_dir = self._staging_dir

    # ---- subscribers and markers -------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(tick)` after every sample, on the sampler thread; returns unsubscribe.

        A callback that raises is counted in `callback_errors`, never kills the thread.
        """
        with self._state_lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._state_lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def mark(self, label: str, t: float | None = None) -> Marker:
        """Put an event (e.g. "cell 12 started") on the timeline at `t` (now by default).

        Delta consumers see markers newer than the `since` they ask with; a marker placed
        in the past, before what they already fetched, is only in `snapshot()`.
        """
        marker = Marker(time.time() if t is None else float(t), str(label))
        self._markers.append(marker)
        return marker

    def markers(self, since: float | None = None) -> list[Marker]:
        return [m for m in list(self._markers) if since is None or m.t > since]

    # ---- reading back ------------------------------------------------------------------------

    @property
    def latest_gpus(self) -> list[GpuSample]:
        return self._latest_gpus

    @property
    def latest_host(self) -> HostSample | None:
        return self._latest_host

    @property
    def latest_processes(self) -> list[GpuProcess]:
        return self._latest_processes

    @property
    def gpu_status(self) -> str:
        """One sentence about the GPUs (see `gpu.gpu_status`); "" before the first sample."""
        return self._gpu_status

    @property
    def history(self) -> RingHistory | None:
        return self._history

    @property
    def cost_cpu_percent(self) -> float | None:
        """CPU used by the sampler thread over its last minute, in % of one core."""
        window = list(self._cost_window)
        if len(window) < 2 or window[-1][0] <= window[0][0]:
            return None
        (wall0, cpu0), (wall1, cpu1) = window[0], window[-1]
        return (cpu1 - cpu0) / (wall1 - wall0) * 100.0

    def since(self, t: float | None = None, *, include_latest: bool = True) -> dict[str, Any]:
        """Everything a chart needs after time `t` (all of history when None), JSON-ready:

        - ``t``: timestamps (wall-clock s), ``series``: {column: values, None = n/a}
        - ``markers``: [{"t", "label"}] newer than `t`
        - ``until``: pass this as the next `t` for the following delta
        - ``latest`` (unless `include_latest=False`): full current readings, process list,
          GPU status sentence, sampler cost, interval and paused flag.
        """
        history = self._history
        rows = history.since(t) if history is not None else {"t": [], "series": {}}
        result: dict[str, Any] = {
            **rows,
            "markers": [m._asdict() for m in self.markers(t)],
            "until": rows["t"][-1] if rows["t"] else t,
        }
        if include_latest:
            result["latest"] = self.latest()
        return result

    def snapshot(self) -> dict[str, Any]:
        """The whole history (same shape as `since(None)`)."""
        return self.since(None)

    def latest(self) -> dict[str, Any]:
        host = self._latest_host
        return {
            "gpus": [_as_dict(g) for g in self._latest_gpus],
            "host": _as_dict(host) if host is not None else None,
            "processes": [_as_dict(p) for p in self._latest_processes],
            "gpu_status": self._gpu_status,
            "cost_cpu_percent": self.cost_cpu_percent,
            "interval_s": self._interval_s,
            "paused": self._paused,
        }

    # ---- sampling ----------------------------------------------------------------------------

    def sample_now(self) -> Tick:
        """Take one sample right away, on the calling thread (also works when not running)."""
        return self._tick()

    def _run(self, wake: threading.Event, stop_flag: threading.Event) -> None:
        while True:
            wake.clear()  # before reading flags: a later set() still ends the wait below
            if stop_flag.is_set():
                return
            if self._paused:
                wake.wait()
                continue
            last = self._last_tick_mono
            wait_s = 0.0 if last is None else last + self._interval_s - time.monotonic()
            if wait_s > 0:
                wake.wait(wait_s)
                continue
            self._tick()
            self._cost_window.append((time.monotonic(), time.thread_time()))

    def _tick(self) -> Tick:
        with self._tick_lock:
            now = time.monotonic()
            self._last_tick_mono = now
            slow = self._due(self._last_slow_mono, self.slow_interval_s, now)
            if slow:
                self._last_slow_mono = now
            if self._host_reader is None:
                self._host_reader = HostReader(self._staging_dir)
            gpus = self._gpu_reader.read(slow=slow)
            host = self._host_reader.read(slow=slow)
            if self._due(self._last_process_mono, self.process_interval_s, now):
                self._last_process_mono = now
                self._latest_processes = read_gpu_processes(self._gpu_reader)
            if self._history is None:
                self._history = RingHistory(_columns(len(gpus)), self.capacity)
            stored_t = self._history.append(time.time(), _row(gpus, host))
            if slow or not self._gpu_status or any(g.lost for g in gpus):
                self._gpu_status = gpu_status(gpus)
            self._latest_gpus, self._latest_host = gpus, host
            self.tick_count += 1
            tick = Tick(stored_t, gpus, host, self._latest_processes)
        self._notify(tick)
        return tick

    def _due(self, last: float | None, every_s: float, now: float) -> bool:
        # Half an interval of slack: at 1 s ticks, "every 2 s" must not slip to every 3 s.
        return last is None or now - last >= every_s - self._interval_s / 2

    def _notify(self, tick: Tick) -> None:
        with self._state_lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(tick)
            except Exception as error:  # one broken chart must not stop the sampler
                self.callback_errors += 1
                self.last_callback_error = f"{type(error).__name__}: {error}"


def _as_dict(record: GpuSample | HostSample | GpuProcess) -> dict[str, Any]:
    """`dataclasses.asdict` without its deep copy: a sample's fields are numbers, strings and
    tuples of strings, nothing to copy (the copy took `latest()` from 11 to 150 us at 8 GPUs)."""
    record_type: type = type(record)  # plain `type`: mypy does not take a union of classes as Hashable
    return {name: getattr(record, name) for name in _field_names(record_type)}


@functools.cache
def _field_names(record_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(record_type))


def _checked_interval(value: float) -> float:
    value = float(value)
    if not value >= _MIN_INTERVAL_S:  # also rejects NaN
        raise ValueError(f"interval_s must be at least {_MIN_INTERVAL_S} s, got {value}")
    return value


def _columns(gpu_count: int) -> list[str]:
    return [*HOST_COLUMNS, *(f"gpu{i}.{c}" for i in range(gpu_count) for c in GPU_COLUMNS)]


def _row(gpus: list[GpuSample], host: HostSample) -> list[float | None]:
    row: list[float | None] = [getattr(host, c) for c in HOST_COLUMNS]
    for gpu in gpus:
        row.extend(getattr(gpu, c) for c in GPU_COLUMNS)
    return row


# ---- the one sampler per kernel ------------------------------------------------------------

_sampler: Sampler | None = None
_sampler_lock = threading.Lock()


def get_sampler() -> Sampler:
    """The kernel's shared sampler (created, not started: call `acquire()` to use it)."""
    global _sampler
    with _sampler_lock:
        if _sampler is None:
            _sampler = Sampler()
        return _sampler


def _stop_shared_sampler() -> None:
    # A daemon thread calling into NVML while the interpreter finalises can crash it.
    sampler = _sampler
    if sampler is not None:
        sampler.stop(timeout=2.0)


def _forget_after_fork() -> None:
    # The child of a fork has no sampler thread: start over rather than report a dead one.
    global _sampler, _sampler_lock
    _sampler = None
    _sampler_lock = threading.Lock()


atexit.register(_stop_shared_sampler)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
