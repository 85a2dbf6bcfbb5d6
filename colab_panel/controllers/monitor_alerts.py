"""Alerts in words, raised *before* trouble: memory nearly full, disk nearly full, session nearly over.

`alerts_for(...)` is a pure function of the latest readings, so the thresholds are tested
without a machine in that state. Each alert says what is wrong and what to do about it.
"""

from __future__ import annotations

from typing import Sequence

from colab_panel.monitor.samples import GpuSample, HostSample
from colab_panel.units import human_bytes, human_duration

__all__ = ["DISK_FREE_MIN_BYTES", "MEMORY_FULL_SHARE", "SESSION_WARN_S", "alerts_for"]

MEMORY_FULL_SHARE = 0.90  # RAM or GPU memory above this share of the total
DISK_FREE_MIN_BYTES = 2 * 1024**3  # free disk below this
SESSION_WARN_S = 11 * 3600  # Colab ends a runtime at 12 h; an hour's notice saves a checkpoint
SESSION_MAX_S = 12 * 3600


def alerts_for(host: HostSample | None, gpus: Sequence[GpuSample],
               session_age_s: float | None = None) -> list[str]:
    """Every alert that applies now, most urgent kinds first (memory, disk, session)."""
    alerts: list[str] = []
    if host is not None:
        share = _share(host.ram_used_bytes, host.ram_total_bytes)
        if share is not None and share > MEMORY_FULL_SHARE:
            limit = " (the container's limit)" if host.ram_limited_by_cgroup else ""
            alerts.append(f"RAM is {share:.0%} full ({human_bytes(host.ram_used_bytes)} of "
                          f"{human_bytes(host.ram_total_bytes)}{limit}): free memory or the "
                          "kernel may be killed without warning.")
    for gpu in gpus:
        share = _share(gpu.memory_used_bytes, gpu.memory_total_bytes)
        if share is not None and share > MEMORY_FULL_SHARE:
            alerts.append(f"GPU {gpu.index} memory is {share:.0%} full "
                          f"({human_bytes(gpu.memory_used_bytes)} of "
                          f"{human_bytes(gpu.memory_total_bytes)}): a larger batch will fail "
                          "with CUDA out of memory.")
    if host is not None:
        disks = [("/", host.disk_root_free_bytes)]
        if host.staging_dir is not None:
            disks.append((host.staging_dir, host.disk_staging_free_bytes))
        seen: set[str] = set()
        for where, free in disks:
            if free is None or free >= DISK_FREE_MIN_BYTES or where in seen:
                continue
            seen.add(where)
            alerts.append(f"Only {human_bytes(free)} of disk is free at {where}: writes there "
                          "(checkpoints, extracted datasets) will soon fail.")
    if session_age_s is not None and session_age_s > SESSION_WARN_S:
        left = SESSION_MAX_S - session_age_s
        when = (f"on Colab's free tier it ends at 12 h (about {human_duration(left)} left)" if left > 0
                else "that is past the 12 h at which Colab's free tier ends a runtime")
        alerts.append(f"This Colab runtime has run {human_duration(session_age_s)}; {when}: save "
                      "checkpoints to Drive now. Paid tiers run longer.")
    return alerts


def _share(used: int | None, total: int | None) -> float | None:
    if used is None or not total:
        return None
    return used / total
