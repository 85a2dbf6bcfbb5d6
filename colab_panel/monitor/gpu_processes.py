"""Which processes hold GPU memory: `read_gpu_processes()`.

NVML has grown three generations of process lists; we ask the newest the driver has
(v3 → v2 → v1) for compute and graphics processes, merge a PID that appears in both, name
each process with psutil, and mark this kernel's own process and its children.

Caveat: NVML reports PIDs of the host's PID namespace. Inside a container that does not share
it, a PID may be invisible (name None) or, rarely, belong to an unrelated local process.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

from colab_panel.monitor import nvml
from colab_panel.monitor.gpu import GpuReader, default_reader
from colab_panel.monitor.nvml import GpuLost, query
from colab_panel.monitor.samples import GpuProcess

__all__ = ["read_gpu_processes"]


def read_gpu_processes(reader: GpuReader | None = None) -> list[GpuProcess]:
    """Every process using a GPU, sorted by GPU then memory (largest first); [] without GPUs."""
    pynvml = nvml.pynvml_module()
    if pynvml is None:
        return []
    reader = reader or default_reader()
    found: dict[tuple[int, int], dict[str, Any]] = {}
    for index, handle in reader.handles():
        try:
            for kind in ("compute", "graphics"):
                for info in _process_list(pynvml, handle, kind):
                    entry = found.setdefault((index, int(info.pid)), {"memory": None, "kinds": []})
                    entry["kinds"].append(kind)
                    if info.usedGpuMemory is not None:  # None: the driver cannot tell (WDDM)
                        entry["memory"] = max(entry["memory"] or 0, int(info.usedGpuMemory))
        except GpuLost:
            reader.mark_lost(index)
    pids = {pid for _, pid in found}
    names, ours = _names_and_this_kernel(pids)
    processes = [
        GpuProcess(pid=pid, name=names.get(pid), gpu_index=index,
                   memory_used_bytes=entry["memory"], kind="+".join(entry["kinds"]),
                   is_this_kernel=pid in ours)
        for (index, pid), entry in found.items()
    ]
    processes.sort(key=lambda p: (p.gpu_index, -(p.memory_used_bytes or 0), p.pid))
    return processes


def _process_list(pynvml: Any, handle: Any, kind: str) -> list[Any]:
    stem = "nvmlDeviceGetComputeRunningProcesses" if kind == "compute" else \
        "nvmlDeviceGetGraphicsRunningProcesses"
    for suffix in ("_v3", "_v2"):
        listed = query(stem + suffix, handle)
        if listed is not None:
            return listed
    listed = query(_process_list_v1, pynvml, handle, stem)
    return listed or []


class _ProcessInfoV1(ctypes.Structure):
    # nvmlProcessInfo_v1_t: what drivers before R470 fill in.
    _fields_ = [("pid", ctypes.c_uint), ("usedGpuMemory", ctypes.c_ulonglong)]


def _process_list_v1(pynvml: Any, handle: Any, symbol: str) -> list[Any]:
    """The unversioned (v1) call; current bindings no longer wrap it, so we call the symbol.

    Uses pynvml's own function-pointer lookup so a missing symbol raises the usual
    NVMLError_FunctionNotFound (which `query` turns into None).
    """
    function = pynvml._nvmlGetFunctionPointer(symbol)
    count = ctypes.c_uint(0)
    result = function(handle, ctypes.byref(count), None)
    if result == pynvml.NVML_SUCCESS:
        return []
    if result != pynvml.NVML_ERROR_INSUFFICIENT_SIZE:
        raise pynvml.NVMLError(result)
    count.value = count.value * 2 + 5  # room for processes started between the two calls
    infos = (_ProcessInfoV1 * count.value)()
    pynvml._nvmlCheckReturn(function(handle, ctypes.byref(count), infos))
    not_available = ctypes.c_ulonglong(-1).value
    return [_Info(info.pid, None if info.usedGpuMemory == not_available else info.usedGpuMemory)
            for info in infos[: count.value]]


class _Info:
    __slots__ = ("pid", "usedGpuMemory")

    def __init__(self, pid: int, used: int | None) -> None:
        self.pid = pid
        self.usedGpuMemory = used


# (PID, start time) -> (name, whether it is this kernel's), from the previous scan. Neither
# changes while a process lives, so each GPU process is named and traced once, and later
# scans only read its start time to be sure the PID was not reused.
_known: dict[tuple[int, float], tuple[str | None, bool]] = {}


def _names_and_this_kernel(pids: set[int]) -> tuple[dict[int, str], set[int]]:
    """Each PID's name, and which PIDs are this process or one of its descendants
    (DataLoader workers, subprocess training runs).

    Walks up from each new GPU process to its ancestors rather than listing this process's
    children: that reads a few /proc entries per GPU process instead of every process on the
    machine, which is what `psutil.Process().children(recursive=True)` has to do.
    """
    global _known
    if not pids:
        return {}, set()
    try:
        import psutil
    except ImportError:  # no names without psutil, but this process still knows itself
        return {}, pids & {os.getpid()}
    known: dict[tuple[int, float], tuple[str | None, bool]] = {}
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    ours = set()
    for pid in pids:
        started = _start_time(pid, psutil)
        if started is None:  # gone, another PID namespace, or access denied: not ours
            continue
        key = (pid, started)
        found = _known.get(key) or _identify(pid, parents, psutil)
        if found is None:
            continue
        known[key] = found
        if found[0] is not None:
            names[pid] = found[0]
        if found[1]:
            ours.add(pid)
    _known = known  # only the processes seen now, so it never grows
    return names, ours


def _start_time(pid: int, psutil: Any) -> float | None:
    """When `pid` started, in a unit only good for telling two processes with one PID apart."""
    try:  # Linux: one read, without building a psutil.Process
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # The name (in parentheses) may hold spaces; the start time is the 20th field after.
            return float(stat.read().rpartition(b")")[2].split()[19])
    except FileNotFoundError:
        if os.path.isdir("/proc/self"):  # Linux, and that process is not visible
            return None
    except (OSError, ValueError, IndexError):
        return None
    try:  # elsewhere
        return float(psutil.Process(pid).create_time())
    except (psutil.Error, OSError):
        return None


def _identify(pid: int, parents: dict[int, int], psutil: Any) -> tuple[str | None, bool] | None:
    """The name of `pid` and whether it descends from this process; None when it is gone."""
    try:
        process = psutil.Process(pid)
        with process.oneshot():  # name and parent from one read of /proc/PID/stat
            name = process.name()
            parents[pid] = process.ppid()
    except (psutil.Error, OSError):
        return None
    return name, _descends_from_us(pid, parents, psutil)


def _descends_from_us(pid: int, parents: dict[int, int], psutil: Any) -> bool:
    """Whether `pid` is this process or below it; `parents` caches PID -> parent PID."""
    me = os.getpid()
    seen = set()
    while pid > 0 and pid not in seen:
        if pid == me:
            return True
        seen.add(pid)
        if pid not in parents:
            try:
                parents[pid] = psutil.Process(pid).ppid()
            except (psutil.Error, OSError):  # an ancestor we cannot see: the chain ends here
                return False
        pid = parents[pid]
    return False
