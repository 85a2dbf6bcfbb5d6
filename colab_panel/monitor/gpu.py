"""Per-GPU readings through NVML: `read_gpus()`, `require_gpus()` and `gpu_status()`.

Contract: `read_gpus()` returns `[]` when there is simply no GPU to read (no library, no
driver, zero devices) and never raises for that; `gpu_status()` says why in one sentence, and
`require_gpus()` raises `GpuUnavailable` with that sentence for callers that need a GPU.

Readings fall into two tiers so a sampler can run the cheap ones every second:
fast = utilization, memory, temperature, power; slow = power limit, clocks, throttle reasons,
PCIe throughput, MIG mode. (PCIe throughput alone blocks ~20 ms per counter in the driver.)
A `GpuReader` remembers per device what does not change (handle, name, UUID), its fast-tier
calls prepared once, the last slow readings, and whether the GPU was lost.
"""

from __future__ import annotations

import ctypes
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
    fast: _FastTier | None = None  # prepared on the first read


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
                if device.fast is None:
                    device.fast = _FastTier(device.handle)
                fast = device.fast.read(is_mig=bool(device.slow.get("is_mig")))
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


class _FastTier:
    """One GPU's fast readings (utilization, memory, temperature, power) as prepared C calls.

    The sampler makes these 4 calls per GPU every second. pynvml's wrappers look the function
    up under a lock, build a fresh struct and raise an exception object for "not supported"
    on each call; here each function is looked up and each struct allocated once per device,
    and a call costs one ctypes call and a return-code check. Return codes mean what
    `nvml.query` makes of them: success a reading, "GPU lost" raises `GpuLost`, any other
    error None. The newer calls (memory v2, versioned temperature) fall back to the older
    ones when the driver lacks them or they fail.
    """

    def __init__(self, handle: Any) -> None:
        pynvml = nvml.pynvml_module()
        assert pynvml is not None  # devices exist only when NVML initialised
        self._handle = handle
        self._utilization = _Call(pynvml, "nvmlDeviceGetUtilizationRates", _Utilization())
        self._memory_v2 = _Call(pynvml, "nvmlDeviceGetMemoryInfo_v2", _MemoryV2(),
                                version=_struct_version(_MemoryV2, 2))
        self._memory_v1 = _Call(pynvml, "nvmlDeviceGetMemoryInfo", _MemoryV1())
        sensor = pynvml.NVML_TEMPERATURE_GPU
        self._temperature_v = _Call(pynvml, "nvmlDeviceGetTemperatureV", _TemperatureV1(),
                                    version=_struct_version(_TemperatureV1, 1),
                                    sensorType=sensor)  # driver >= 530
        self._temperature = _Call(pynvml, "nvmlDeviceGetTemperature", ctypes.c_uint(),
                                  leading=(ctypes.c_uint(sensor),))
        self._power_mw = _Call(pynvml, "nvmlDeviceGetPowerUsage", ctypes.c_uint())

    def read(self, *, is_mig: bool) -> dict[str, Any]:
        handle = self._handle
        readings: dict[str, Any] = {}
        utilization = self._utilization(handle)
        # MIG cards have no whole-card utilization; some drivers answer 0 instead of NotSupported.
        if utilization is not None and not is_mig:
            readings["utilization_gpu_percent"] = float(utilization.gpu)
            readings["utilization_memory_percent"] = float(utilization.memory)
        # v1 counts the driver's reserved memory as "used" on drivers >= 510; v2 does not.
        memory = self._memory_v2(handle)
        if memory is None:
            memory = self._memory_v1(handle)
        if memory is not None:
            readings["memory_used_bytes"] = int(memory.used)
            readings["memory_total_bytes"] = int(memory.total)
        reading = self._temperature_v(handle)
        celsius = None if reading is None else reading.temperature
        if celsius is None:
            reading = self._temperature(handle)
            celsius = None if reading is None else reading.value
        readings["temperature_c"] = None if celsius is None else float(celsius)
        power = self._power_mw(handle)
        readings["power_w"] = None if power is None else power.value / 1000.0
        return readings


class _Call:
    """One NVML function with its output struct: `call(handle)` is the struct, or None.

    The struct is the same one on every call: read what you need before the next call.
    """

    __slots__ = ("_arguments", "_function", "_out", "_pynvml")

    def __init__(self, pynvml: Any, name: str, out: Any, *, leading: tuple[Any, ...] = (),
                 **fields: Any) -> None:
        self._pynvml = pynvml
        self._out = out
        for field_name, value in fields.items():  # versioned structs say which layout they are
            setattr(out, field_name, value)
        self._arguments = (*leading, ctypes.byref(out))
        try:
            self._function = pynvml._nvmlGetFunctionPointer(name)
        except pynvml.NVMLError:  # FunctionNotFound: this driver is older than the call
            self._function = None

    def __call__(self, handle: Any) -> Any:
        if self._function is None:
            return None
        code = self._function(handle, *self._arguments)
        if code == 0:
            return self._out
        if code in _LOST_CODES:
            raise GpuLost(str(self._pynvml.NVMLError(code)))
        return None


_LOST_CODES = (15, 16)  # NVML_ERROR_GPU_IS_LOST, NVML_ERROR_RESET_REQUIRED: stable in nvml.h


# The structs of nvml.h, declared here rather than taken from pynvml: its structs convert
# every field read in Python (for "N/A" values), which cost more than the calls themselves.
class _Utilization(ctypes.Structure):
    _fields_ = [("gpu", ctypes.c_uint), ("memory", ctypes.c_uint)]  # percent


class _MemoryV1(ctypes.Structure):
    _fields_ = [("total", ctypes.c_ulonglong), ("free", ctypes.c_ulonglong),
                ("used", ctypes.c_ulonglong)]  # bytes


class _MemoryV2(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("total", ctypes.c_ulonglong),
                ("reserved", ctypes.c_ulonglong), ("free", ctypes.c_ulonglong),
                ("used", ctypes.c_ulonglong)]  # bytes


class _TemperatureV1(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("sensorType", ctypes.c_uint),
                ("temperature", ctypes.c_int)]  # degrees C


def _struct_version(struct: type[ctypes.Structure], number: int) -> int:
    """nvml.h's NVML_STRUCT_VERSION: the struct's size with the version in the top byte."""
    return ctypes.sizeof(struct) | number << 24


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
