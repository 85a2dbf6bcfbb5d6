"""Host readings: CPU, RAM (cgroup-aware), disks, this kernel's RSS, torch's CUDA memory.

`read_host()` is the plain call; `HostReader` is what the sampler keeps, because CPU % is a
rate between two readings and disks belong to the slow tier. psutil is imported lazily.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

from colab_panel.monitor.cgroup_memory import read_cgroup_memory
from colab_panel.monitor.samples import HostSample

__all__ = ["DRIVE_MOUNT", "HostReader", "read_host"]

DRIVE_MOUNT = "/content/drive"
_MIN_CPU_INTERVAL_S = 0.05


class HostReader:
    """Reads the host. CPU % is measured between this reader's own consecutive calls.

    We keep our own CPU-times baseline instead of `psutil.cpu_percent(interval=None)`,
    whose baseline is shared with every other caller in the process (their calls would
    shorten our interval). A reading taken within 50 ms of
    the previous one has no meaningful interval and reports None.
    """

    def __init__(self, staging_dir: str | os.PathLike[str] | None = None, *,
                 drive_mount: str = DRIVE_MOUNT) -> None:
        import psutil

        self._psutil = psutil
        self._process = psutil.Process()
        self._lock = threading.Lock()
        # Primed once here; the first read() measures from this baseline.
        self._last_cpu = (*_busy_and_total(psutil.cpu_times()), time.monotonic())
        self.staging_dir = None if staging_dir is None else os.fspath(staging_dir)
        self.drive_mount = drive_mount
        self._disks: dict[str, Any] = {}
        self._cgroup_limited = False  # whether the last slow read found a cgroup limit below RAM

    def read(self, *, slow: bool = True) -> HostSample:
        """One `HostSample`. With `slow=False` the disk fields repeat the last slow read, and
        cgroups are read only if the last slow read found a memory limit there."""
        with self._lock:
            if slow or not self._disks:
                slow = True
                self._disks = self._read_disks()
            return HostSample(cpu_percent=self._cpu_percent(), **self._ram(slow),
                              kernel_rss_bytes=self._rss(), **self._disks, **_torch_memory())

    def _cpu_percent(self) -> float | None:
        now = (*_busy_and_total(self._psutil.cpu_times()), time.monotonic())
        before = self._last_cpu
        # Too short an interval (kernel CPU counters tick at 10 ms) is noise: unknown, not 0 %.
        if now[2] - before[2] < _MIN_CPU_INTERVAL_S or now[1] - before[1] <= 0:
            return None
        self._last_cpu = now
        busy = (now[0] - before[0]) / (now[1] - before[1]) * 100.0
        return round(min(max(busy, 0.0), 100.0), 2)  # beyond 0.01 % is counter noise

    def _ram(self, slow: bool) -> dict[str, Any]:
        memory = self._psutil.virtual_memory()
        # "available" is what can be allocated without swapping; total - available is the
        # pressure that matters, unlike psutil's "used", which ignores reclaimable buffers.
        reading = {"ram_used_bytes": int(memory.total - memory.available),
                   "ram_total_bytes": int(memory.total), "ram_limited_by_cgroup": False}
        # A limit is set when the container starts, so looking for one belongs to the slow
        # tier; only a limited container pays for reading its usage every tick.
        if slow or self._cgroup_limited:
            cgroup = read_cgroup_memory()
            self._cgroup_limited = cgroup is not None and cgroup.limit_bytes < memory.total
            if cgroup is not None and self._cgroup_limited:
                reading = {"ram_used_bytes": cgroup.used_bytes,
                           "ram_total_bytes": cgroup.limit_bytes, "ram_limited_by_cgroup": True}
        return reading

    def _rss(self) -> int | None:
        try:
            return int(self._process.memory_info().rss)
        except Exception:  # /proc unreadable in a locked-down sandbox
            return None

    def _read_disks(self) -> dict[str, Any]:
        disks: dict[str, Any] = {"staging_dir": self.staging_dir}
        disks["disk_root_free_bytes"], disks["disk_root_total_bytes"] = _disk("/")
        if self.staging_dir is not None:
            existing = _nearest_existing(Path(self.staging_dir))
            disks["disk_staging_free_bytes"], disks["disk_staging_total_bytes"] = _disk(existing)
        # Only when mounted: an unmounted /content/drive would report the root disk again.
        # Note statvfs on the Drive FUSE mount can be slow; this is slow-tier only.
        if os.path.ismount(self.drive_mount):
            disks["disk_drive_free_bytes"], disks["disk_drive_total_bytes"] = _disk(self.drive_mount)
        return disks


def _busy_and_total(times: Any) -> tuple[float, float]:
    total = sum(times)
    idle = times.idle + getattr(times, "iowait", 0.0)  # waiting on I/O is not CPU work
    return total - idle, total


def _disk(path: str | Path | None) -> tuple[int | None, int | None]:
    if path is None:
        return None, None
    try:
        usage = shutil.disk_usage(path)  # free = space an unprivileged user may still use
    except OSError:
        return None, None
    return int(usage.free), int(usage.total)


def _nearest_existing(path: Path) -> Path | None:
    """The staging directory may not exist yet; its disk is that of its nearest ancestor."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return None


def _torch_memory() -> dict[str, Any]:
    """torch's CUDA caching-allocator figures, summed over devices; only if the user already
    imported torch and initialised CUDA (we never import torch or create a CUDA context)."""
    torch = sys.modules.get("torch")
    cuda = getattr(torch, "cuda", None)
    try:
        if cuda is None or not cuda.is_initialized():
            return {}
        devices = range(cuda.device_count())
        return {"torch_allocated_bytes": int(sum(cuda.memory_allocated(d) for d in devices)),
                "torch_reserved_bytes": int(sum(cuda.memory_reserved(d) for d in devices))}
    except Exception:  # a half-initialised or exotic torch build must not break host readings
        return {}


_readers: dict[str | None, HostReader] = {}
_readers_lock = threading.Lock()


def read_host(staging_dir: str | os.PathLike[str] | None = None) -> HostSample:
    """The host right now. CPU % covers the time since the previous `read_host()` call with
    the same `staging_dir` (None on the very first call: there is no interval yet)."""
    from colab_panel.errors import MonitorError
    from colab_panel.inputs import user_path

    key = None if staging_dir is None else os.fspath(user_path(staging_dir, "staging_dir", MonitorError))
    with _readers_lock:
        reader = _readers.get(key)
        if reader is None:
            reader = _readers[key] = HostReader(key)
    return reader.read()
