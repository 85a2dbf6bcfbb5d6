"""GPU readings through the real pynvml against the fake libnvidia-ml, one machine per test."""

from __future__ import annotations

import pytest

MIB = 1024 * 1024

READ_ALL = """
from colab_panel.monitor import gpu_status, read_gpus, read_gpu_processes, read_host
result = {"gpus": read_gpus(), "status": gpu_status(), "processes": read_gpu_processes(),
          "host_ram": read_host().ram_total_bytes}
"""


def test_t4_readings_use_memory_v2_and_every_sensor(fake_nvml):
    got = fake_nvml("t4", READ_ALL)
    [gpu] = got["gpus"]
    assert got["status"] == "1 × Tesla T4, driver 535.104.05"
    assert gpu["name"] == "Tesla T4" and gpu["uuid"].startswith("GPU-")
    assert gpu["memory_total_bytes"] == 15360 * MIB  # a T4's 16 GB
    # v2 "used" excludes the driver's 261 MiB reservation; v1 would report 1261 MiB.
    assert gpu["memory_used_bytes"] == 1000 * MIB
    assert gpu["utilization_gpu_percent"] == 37.0 and gpu["utilization_memory_percent"] == 12.0
    assert gpu["temperature_c"] == 51.0
    assert gpu["power_w"] == 27.5 and gpu["power_limit_w"] == 70.0
    assert (gpu["clock_sm_mhz"], gpu["clock_memory_mhz"]) == (1590, 5000)
    assert gpu["throttle_reasons"] == ["software power cap", "software thermal slowdown"]
    assert gpu["pcie_rx_bytes_per_s"] == 3400 * 1024 and gpu["pcie_tx_bytes_per_s"] == 1200 * 1024
    assert gpu["is_mig"] is False and gpu["lost"] is False
    assert got["host_ram"] > 0


def test_processes_are_named_and_this_kernel_is_marked(fake_nvml):
    got = fake_nvml("t4", "import os\n" + READ_ALL + "result['pid'] = os.getpid()")
    ours = [p for p in got["processes"] if p["is_this_kernel"]]
    others = [p for p in got["processes"] if not p["is_this_kernel"]]
    assert [p["pid"] for p in ours] == [got["pid"]]
    assert ours[0]["memory_used_bytes"] == 512 * MIB and ours[0]["kind"] == "compute"
    assert ours[0]["name"]  # psutil found the subprocess itself
    assert len(others) == 1 and others[0]["memory_used_bytes"] == 256 * MIB  # the test runner


def test_eight_h100s(fake_nvml):
    got = fake_nvml("h100x8", READ_ALL)
    assert got["status"] == "8 × NVIDIA H100 80GB HBM3, driver 550.54.15"
    assert [g["index"] for g in got["gpus"]] == list(range(8))
    assert len({g["uuid"] for g in got["gpus"]}) == 8
    assert got["gpus"][7]["utilization_gpu_percent"] == 67.0
    assert all(g["is_mig"] is False for g in got["gpus"])


def test_mig_gpu_reports_no_utilization_but_keeps_the_rest(fake_nvml):
    [gpu] = fake_nvml("mig", READ_ALL)["gpus"]
    assert gpu["is_mig"] is True
    assert gpu["utilization_gpu_percent"] is None and gpu["utilization_memory_percent"] is None
    assert gpu["memory_used_bytes"] == 1000 * MIB and gpu["temperature_c"] == 51.0


def test_not_supported_sensors_are_none_never_zero(fake_nvml):
    got = fake_nvml("notsupported", READ_ALL)
    [gpu] = got["gpus"]
    for field in ("utilization_gpu_percent", "utilization_memory_percent", "temperature_c",
                  "power_w", "power_limit_w", "clock_sm_mhz", "clock_memory_mhz",
                  "throttle_reasons", "pcie_rx_bytes_per_s", "pcie_tx_bytes_per_s"):
        assert gpu[field] is None, field
    assert gpu["name"] == "NVIDIA GeForce GT 710" and gpu["memory_total_bytes"] == 2048 * MIB
    assert got["processes"] == []


def test_old_driver_falls_back_to_older_calls(fake_nvml):
    got = fake_nvml("old_driver", READ_ALL)
    [gpu] = got["gpus"]
    assert got["status"] == "1 × Tesla K80, driver 470.82.01"
    # Memory v2 is missing: v1's figure (which includes the reservation) is the best there is.
    assert gpu["memory_used_bytes"] == 1261 * MIB
    assert gpu["temperature_c"] == 51.0  # nvmlDeviceGetTemperature, not ...TemperatureV
    assert gpu["throttle_reasons"] == ["software power cap", "software thermal slowdown"]
    # Process lists come from the unversioned v1 symbol.
    assert sorted(p["memory_used_bytes"] for p in got["processes"]) == [256 * MIB, 512 * MIB]


def test_gpu_lost_mid_run_marks_only_that_gpu(fake_nvml):
    got = fake_nvml("lost_after_3", """
from colab_panel.monitor import gpu_status, read_gpus, read_gpu_processes
rounds = [read_gpus() for _ in range(5)]
result = {"lost": [[g.lost for g in r] for r in rounds], "last": rounds[-1],
          "status": gpu_status(), "processes": read_gpu_processes()}
""")
    # GPU 1 falls off the bus right after its third utilization read, i.e. during round 3.
    assert got["lost"][:2] == [[False, False]] * 2
    assert got["lost"][2:] == [[False, True]] * 3
    healthy, lost = got["last"]
    assert healthy["utilization_gpu_percent"] == 37.0
    assert lost["name"] == "Tesla T4" and lost["uuid"].endswith("1")  # remembered from before
    assert lost["memory_used_bytes"] is None and lost["utilization_gpu_percent"] is None
    assert "GPU 1 was lost" in got["status"] and got["status"].startswith("2 × Tesla T4")
    assert {p["gpu_index"] for p in got["processes"]} == {0}


@pytest.mark.parametrize(("scenario", "sentence"), [
    ("nolib", "NVML library not found: no NVIDIA driver is installed on this machine"),
    ("driver_not_loaded", "No NVIDIA driver is loaded on this machine"),
    ("zero", "The NVIDIA driver is loaded but this machine has no NVIDIA GPU"),
])
def test_no_gpu_gets_a_sentence_and_host_still_reads(fake_nvml, scenario, sentence):
    got = fake_nvml(scenario, """
from colab_panel.errors import GpuUnavailable
from colab_panel.monitor import gpu_status, read_gpus, read_gpu_processes, read_host, require_gpus
try:
    require_gpus()
    raised = None
except GpuUnavailable as error:
    raised = str(error)
host = read_host()
result = {"gpus": read_gpus(), "processes": read_gpu_processes(), "status": gpu_status(),
          "raised": raised, "ram": host.ram_total_bytes, "rss": host.kernel_rss_bytes}
""")
    assert got["gpus"] == [] and got["processes"] == []
    assert got["status"] == sentence and got["raised"] == sentence
    assert got["ram"] > 0 and got["rss"] > 0


def test_no_library_is_told_without_importing_the_bindings(fake_nvml):
    # importing pynvml costs ~20 ms of the panel's first paint; with no library it reads nothing
    got = fake_nvml("nolib", """
import sys
from colab_panel.monitor import gpu_status
result = {"status": gpu_status(), "imported": "pynvml" in sys.modules}
""")
    assert got == {"status": "NVML library not found: no NVIDIA driver is installed on this machine",
                   "imported": False}


def test_nvml_is_initialised_once_per_process_even_from_many_threads(fake_nvml):
    got = fake_nvml("h100x8", """
import ctypes, threading
from colab_panel.monitor import gpu_status, read_gpus
from colab_panel.monitor.nvml import pynvml_module
threads = [threading.Thread(target=lambda: [read_gpus() for _ in range(5)]) for _ in range(8)]
[t.start() for t in threads]; [t.join(30) for t in threads]
gpu_status()
result = ctypes.CDLL("libnvidia-ml.so.1").fakeNvmlInitCalls()
""")
    assert got == 1
