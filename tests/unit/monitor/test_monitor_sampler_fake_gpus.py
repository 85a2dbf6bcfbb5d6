"""The sampler thread against the fake NVML: eight GPUs, and a GPU lost while sampling."""

from __future__ import annotations

SAMPLE_FOR_A_WHILE = """
import time
from colab_panel.monitor import Sampler
sampler = Sampler(interval_s=0.1).start()
deadline = time.monotonic() + 20
while sampler.tick_count < 8 and time.monotonic() < deadline:
    time.sleep(0.02)
sampler.stop()
data = sampler.snapshot()
result = {"ticks": sampler.tick_count, "series": data["series"], "latest": data["latest"],
          "running": sampler.running}
"""


def test_eight_gpus_fill_their_columns(fake_nvml):
    got = fake_nvml("h100x8", SAMPLE_FOR_A_WHILE)
    assert got["ticks"] >= 8 and not got["running"]
    assert got["series"]["gpu7.utilization_gpu_percent"][-1] == 67
    assert got["series"]["gpu0.memory_used_bytes"][-1] == 1000 * 1024 * 1024
    assert got["latest"]["gpu_status"] == "8 × NVIDIA H100 80GB HBM3, driver 550.54.15"
    assert len(got["latest"]["processes"]) == 2
    assert got["latest"]["cost_cpu_percent"] is not None


def test_a_gpu_lost_while_sampling_goes_to_none_and_sampling_goes_on(fake_nvml):
    got = fake_nvml("lost_after_3", SAMPLE_FOR_A_WHILE)
    lost_series = got["series"]["gpu1.utilization_gpu_percent"]
    assert lost_series[:2] == [38, 38] and set(lost_series[2:]) == {None}
    assert set(got["series"]["gpu0.utilization_gpu_percent"]) == {37}
    assert [g["lost"] for g in got["latest"]["gpus"]] == [False, True]
    assert "GPU 1 was lost" in got["latest"]["gpu_status"]
    assert got["ticks"] >= 8
