"""The sampler's fast ticks against the fake NVML: every reading arrives on every tick, each GPU
keeps its own figures, and what a card or driver cannot tell stays None, never 0."""

from __future__ import annotations

import pytest

MIB = 1024 * 1024

# The first tick reads both tiers; the next two come within 5 s, so they are fast ticks.
THREE_TICKS = """
from colab_panel.monitor import Sampler
sampler = Sampler(interval_s=1.0)
ticks = [sampler.sample_now() for _ in range(3)]
fields = ("utilization_gpu_percent", "memory_used_bytes", "memory_total_bytes", "temperature_c",
          "power_w", "power_limit_w", "is_mig")
result = [[{f: getattr(g, f) for f in fields} for g in tick.gpus] for tick in ticks]
"""


def test_eight_gpus_keep_their_own_readings_on_every_tick(fake_nvml):
    ticks = fake_nvml("h100x8", THREE_TICKS)
    for gpus in ticks:
        assert [g["utilization_gpu_percent"] for g in gpus] == [60.0 + i for i in range(8)]
        assert [g["power_w"] for g in gpus] == [27.5 + i for i in range(8)]
        assert [g["memory_used_bytes"] for g in gpus] == [(1000 + i) * MIB for i in range(8)]
        assert [g["temperature_c"] for g in gpus] == [51.0 + i for i in range(8)]
        assert {g["power_limit_w"] for g in gpus} == {700.0}  # slow tier, repeated


@pytest.mark.parametrize(("scenario", "expected"), [
    ("t4", {"utilization_gpu_percent": 37.0, "memory_used_bytes": 1000 * MIB,
            "memory_total_bytes": 15360 * MIB, "temperature_c": 51.0, "power_w": 27.5,
            "power_limit_w": 70.0, "is_mig": False}),
    # Memory v2 and the versioned temperature are missing: the older calls answer every tick.
    ("old_driver", {"utilization_gpu_percent": 37.0, "memory_used_bytes": 1261 * MIB,
                    "memory_total_bytes": 11441 * MIB, "temperature_c": 51.0, "power_w": 27.5,
                    "power_limit_w": 70.0, "is_mig": False}),
    ("mig", {"utilization_gpu_percent": None, "memory_used_bytes": 1000 * MIB,
             "memory_total_bytes": 40960 * MIB, "temperature_c": 51.0, "power_w": 27.5,
             "power_limit_w": 70.0, "is_mig": True}),
    ("notsupported", {"utilization_gpu_percent": None, "memory_used_bytes": 1000 * MIB,
                      "memory_total_bytes": 2048 * MIB, "temperature_c": None, "power_w": None,
                      "power_limit_w": None, "is_mig": False}),
])
def test_fast_ticks_repeat_what_the_card_can_and_cannot_tell(fake_nvml, scenario, expected):
    ticks = fake_nvml(scenario, THREE_TICKS)
    assert ticks == [[expected]] * 3
