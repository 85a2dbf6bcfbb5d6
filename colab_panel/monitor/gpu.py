"""Per-GPU readings through NVML: `read_gpus()`, `require_gpus()` and `gpu_status()`.

Contract: `read_gpus()` returns `[]` when there is simply no GPU to read (no library, no
driver, zero devices) and never raises for that; `gpu_status()` says why in one sentence, and
`require_gpus()` raises `GpuUnavailable` with that sentence for callers that need a GPU.

Readings fall into two tiers so a sampler can run the cheap ones every second:
fast = utilization, memory, temperature, power; slow = power limit, clocks, throttle reasons,
PCIe throughput, MIG mode. (PCIe throughput alone blocks ~20 ms per counter in the driver.)
A `GpuReader` remembers per device what does not change (handle, name, UUID), the last slow
readings, and whether the GPU was lost.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from colab_panel.errors import GpuUnavailable
from colab_panel.monitor import nvml
from colab_panel.monitor.nvml import GpuLost, query
from colab_panel.monitor.samples import GpuSample

__all__ = ["GpuReader", "gpu_status", "read_gpus", "require_gpus", "throttle_words"]

# Clock "event" (formerly "throttle") reason bits, as in nvml.h; stable across drivers.
_THROTTLE_WORDS = (
    (0x001, "idle"),
    (0x002, "application clock setting"),
    (0x004, "software power cap"),
    (0x008, "hardware slowdown"),
    (0x010, "sync boost"),
    (0x020, "software thermal slowdown"),
    (0x040, "hardware thermal slowdown"),
    (0x080, "hardware power brake"),
    (0x100, "display clock setting"),
)


def throttle_words(mask: int | None) -> tuple[str, ...] | None:
    """The clock event reason bit mask in words; () when nothing holds the clocks back."""
    if mask is None:
        return None
    words = tuple(word for bit, word in _THROTTLE_WORDS if mask & bit)
    known = sum(bit for bit, _ in _THROTTLE_WORDS)
    if mask & ~known:
        words += (f"other (0x{mask & ~known:x})",)
    return words


@dataclass
class _Device:
    index: int
    handle: Any
    name: str | None = None
    uuid: str | None = None
    lost: bool = False
    slow: dict[str, Any] = field(default_factory=dict)


class GpuReader:
    """Reads every GPU NVML can see. Thread-safe; one per process is enough (`read_gpus`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._devices: list[_Device] | None = None

    def read(self, *, slow: bool = True) -> list[GpuSample]:
        """One `GpuSample` per GPU. With `slow=False` the slow fields repeat the last slow read."""
        with self._lock:
            return [self._read_device(device, slow) for device in self._ensure_devices()]

    def handles(self) -> list[tuple[int, Any]]:
        """(index, handle) of every GPU not lost; for the process reader."""
        with self._lock:
            return [(d.index, d.handle) for d in self._ensure_devices() if not d.lost]

    def mark_lost(self, index: int) -> None:
        with self._lock:
            for device in self._ensure_devices():
                if device.index == index:
                    device.lost = True

    def _ensure_devices(self) -> list[_Device]:
        if self._devices is None:
            self._devices = _enumerate_devices()
        return self._devices

    def _read_device(self, device: _Device, slow: bool) -> GpuSample:
        # A lost GPU stays lost until a reset; querying it again can stall in the driver.
        if not device.lost:
            try:
                if slow or not device.slow:
                    device.slow = _read_slow(device.handle)
                fast = _read_fast(device.handle, is_mig=bool(device.slow.get("is_mig")))
                return GpuSample(index=device.index, name=device.name, uuid=device.uuid,
                                 **fast, **device.slow)
            except GpuLost:
                device.lost = True
        return GpuSample(index=device.index, name=device.name, uuid=device.uuid, lost=True)


def _enumerate_devices() -> list[_Device]:
    pynvml = nvml.pynvml_module()
    if pynvml is None:
        return []
    devices = []
    for index in range(query(pynvml.nvmlDeviceGetCount, default=0) or 0):
        try:
            handle = query(pynvml.nvmlDeviceGetHandleByIndex, index)
            device = _Device(index, handle, lost=handle is None)
            if handle is not None:
                device.name = query(pynvml.nvmlDeviceGetName, handle)
                device.uuid = query(pynvml.nvmlDeviceGetUUID, handle)
        except GpuLost:
            device = _Device(index, None, lost=True)
        devices.append(device)
    return devices


def _read_fast(handle: Any, *, is_mig: bool) -> dict[str, Any]:
    pynvml = nvml.pynvml_module()
    assert pynvml is not None  # devices exist only when NVML initialised
    readings: dict[str, Any] = {}
    utilization = query(pynvml.nvmlDeviceGetUtilizationRates, handle)
    # MIG cards have no whole-card utilization; some drivers answer 0 instead of NotSupported.
    if utilization is not None and not is_mig:
        readings["utilization_gpu_percent"] = float(utilization.gpu)
        readings["utilization_memory_percent"] = float(utilization.memory)
    memory = _memory_info(pynvml, handle)
    if memory is not None:
        readings["memory_used_bytes"] = int(memory.used)
        readings["memory_total_bytes"] = int(memory.total)
    readings["temperature_c"] = _temperature(pynvml, handle)
    power_mw = query(pynvml.nvmlDeviceGetPowerUsage, handle)
    readings["power_w"] = None if power_mw is None else power_mw / 1000.0
    return readings


def _memory_info(pynvml: Any, handle: Any) -> Any:
    # v1 counts the driver's reserved memory as "used" on drivers >= 510; v2 does not.
    version = getattr(pynvml, "nvmlMemory_v2", None)
    if version is not None:
        memory = query(pynvml.nvmlDeviceGetMemoryInfo, handle, version)
        if memory is not None:
            return memory
    return query(pynvml.nvmlDeviceGetMemoryInfo, handle)


def _temperature(pynvml: Any, handle: Any) -> float | None:
    sensor = pynvml.NVML_TEMPERATURE_GPU
    celsius = query("nvmlDeviceGetTemperatureV", handle, sensor)  # driver >= 530, newer bindings
    if celsius is None:
        celsius = query(pynvml.nvmlDeviceGetTemperature, handle, sensor)
    return None if celsius is None else float(celsius)


def _read_slow(handle: Any) -> dict[str, Any]:
    pynvml = nvml.pynvml_module()
    assert pynvml is not None
    limit_mw = query(pynvml.nvmlDeviceGetEnforcedPowerLimit, handle)
    reasons = query("nvmlDeviceGetCurrentClocksEventReasons", handle)  # driver >= 535
    if reasons is None:
        reasons = query("nvmlDeviceGetCurrentClocksThrottleReasons", handle)
    rx_kb = query(pynvml.nvmlDeviceGetPcieThroughput, handle, pynvml.NVML_PCIE_UTIL_RX_BYTES)
    tx_kb = query(pynvml.nvmlDeviceGetPcieThroughput, handle, pynvml.NVML_PCIE_UTIL_TX_BYTES)
    mig_mode = query("nvmlDeviceGetMigMode", handle)
    return {
        "power_limit_w": None if limit_mw is None else limit_mw / 1000.0,
        "clock_sm_mhz": query(pynvml.nvmlDeviceGetClockInfo, handle, pynvml.NVML_CLOCK_SM),
        "clock_memory_mhz": query(pynvml.nvmlDeviceGetClockInfo, handle, pynvml.NVML_CLOCK_MEM),
        "throttle_reasons": throttle_words(reasons),
        "pcie_rx_bytes_per_s": None if rx_kb is None else rx_kb * 1024,  # NVML reports KB/s
        "pcie_tx_bytes_per_s": None if tx_kb is None else tx_kb * 1024,
        # Cards without MIG answer NotSupported: that is "not MIG", not "unknown".
        "is_mig": bool(mig_mode and mig_mode[0] == getattr(pynvml, "NVML_DEVICE_MIG_ENABLE", 1)),
    }


_default_reader: GpuReader | None = None
_default_lock = threading.Lock()


def default_reader() -> GpuReader:
    """The process-wide reader behind `read_gpus()` (and the sampler's default)."""
    global _default_reader
    with _default_lock:
        if _default_reader is None:
            _default_reader = GpuReader()
        return _default_reader


def read_gpus() -> list[GpuSample]:
    """Every GPU's current readings; `[]` when there is no GPU to read (see `gpu_status()`)."""
    return default_reader().read()


def require_gpus() -> list[GpuSample]:
    """Like `read_gpus()`, but raise `GpuUnavailable` with the reason when there is none."""
    samples = read_gpus()
    if not samples or all(sample.lost for sample in samples):
        raise GpuUnavailable(gpu_status())
    return samples


def gpu_status(samples: list[GpuSample] | None = None) -> str:
    """One sentence about the GPUs: "2 × NVIDIA H100 80GB HBM3, driver 550.54.15" or why none.

    Pass `samples` you already read (the sampler does) to avoid reading the GPUs again.
    """
    failure = nvml.init_failure()
    if failure is not None:
        return failure
    pynvml = nvml.pynvml_module()
    if samples is None:
        samples = default_reader().read(slow=False)
    if not samples:
        return "The NVIDIA driver is loaded but this machine has no NVIDIA GPU"
    counts = Counter(sample.name or "unknown GPU" for sample in samples)
    sentence = ", ".join(f"{n} × {name}" for name, n in counts.items())
    driver = query(pynvml.nvmlSystemGetDriverVersion) if pynvml else None
    if driver:
        sentence += f", driver {driver}"
    lost = [str(sample.index) for sample in samples if sample.lost]
    if lost:
        which = "GPU " + ", ".join(lost)
        sentence += (f"; {which} {'was' if len(lost) == 1 else 'were'} lost (fell off the bus): "
                     "restart the runtime to get it back")
    return sentence
