"""What one reading of the machine looks like: frozen records with the unit in every name.

Rule for every field: a reading the driver or OS cannot give is `None` (shown as "n/a"),
never 0 — a 0 % utilization and an unknown utilization are different facts.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GpuProcess", "GpuSample", "HostSample"]


@dataclass(frozen=True, slots=True)
class GpuSample:
    """One physical GPU at one moment.

    `lost` is True once NVML said the GPU fell off the bus; then every reading is None and
    only `index`, `name` and `uuid` (remembered from before) are kept. On a MIG-enabled GPU
    (`is_mig`) utilization is None: NVML cannot measure it for the whole card.
    """

    index: int
    name: str | None
    uuid: str | None
    utilization_gpu_percent: float | None = None
    utilization_memory_percent: float | None = None
    memory_used_bytes: int | None = None  # from NVML memory v2 where available (excludes reserved)
    memory_total_bytes: int | None = None
    temperature_c: float | None = None
    power_w: float | None = None
    power_limit_w: float | None = None
    clock_sm_mhz: int | None = None
    clock_memory_mhz: int | None = None
    throttle_reasons: tuple[str, ...] | None = None  # in words; () means "not throttled"
    pcie_rx_bytes_per_s: int | None = None
    pcie_tx_bytes_per_s: int | None = None
    is_mig: bool | None = None
    lost: bool = False


@dataclass(frozen=True, slots=True)
class GpuProcess:
    """One process holding memory on one GPU.

    `name` is None when the PID is not visible from here (NVML reports host PIDs, which a
    container may not see). `is_this_kernel` marks this Python process and its children.
    """

    pid: int
    name: str | None
    gpu_index: int
    memory_used_bytes: int | None
    kind: str  # "compute", "graphics" or "compute+graphics"
    is_this_kernel: bool


@dataclass(frozen=True, slots=True)
class HostSample:
    """The host (or container) at one moment.

    RAM respects a cgroup memory limit lower than the physical memory (a container's view);
    `ram_limited_by_cgroup` says when it did. Disk pairs are None when that place does not
    apply (no staging directory given, Drive not mounted). torch figures are None unless
    torch was already imported and CUDA initialised by the user — torch is never imported.
    """

    cpu_percent: float | None
    ram_used_bytes: int | None
    ram_total_bytes: int | None
    ram_limited_by_cgroup: bool = False
    kernel_rss_bytes: int | None = None
    disk_root_free_bytes: int | None = None
    disk_root_total_bytes: int | None = None
    staging_dir: str | None = None
    disk_staging_free_bytes: int | None = None
    disk_staging_total_bytes: int | None = None
    disk_drive_free_bytes: int | None = None  # /content/drive, when mounted
    disk_drive_total_bytes: int | None = None
    torch_allocated_bytes: int | None = None
    torch_reserved_bytes: int | None = None
