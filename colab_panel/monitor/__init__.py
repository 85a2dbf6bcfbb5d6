"""The Monitor backend: GPU and host readings, the kernel's sampler, and its loopback endpoint.

No widgets here. Importing this package imports neither pynvml nor psutil; they load on the
first reading.

    from colab_panel.monitor import read_gpus, read_host, gpu_status, get_sampler
"""

from __future__ import annotations

from typing import Any

from colab_panel.monitor.gpu import gpu_status, read_gpus, require_gpus
from colab_panel.monitor.gpu_processes import read_gpu_processes
from colab_panel.monitor.host import read_host
from colab_panel.monitor.samples import GpuProcess, GpuSample, HostSample
from colab_panel.monitor.sampler import Sampler, Tick, get_sampler

__all__ = [
    "GpuProcess",
    "GpuSample",
    "HostSample",
    "SampleEndpoint",
    "Sampler",
    "Tick",
    "get_sampler",
    "gpu_status",
    "read_gpu_processes",
    "read_gpus",
    "read_host",
    "require_gpus",
]


def __getattr__(name: str) -> Any:
    # http.server and its imports cost ~25 ms; only the Colab transport needs them.
    if name == "SampleEndpoint":
        from colab_panel.monitor.endpoint import SampleEndpoint

        return SampleEndpoint
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
