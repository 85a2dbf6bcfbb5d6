"""Where one sampler tick spends its CPU at 8 fake GPUs: thread CPU time per call of each part.
Not a benchmark row (no baseline): the profile behind bench_sampler's figures.

    .venv/bin/python -m benchmarks.sampler_parts [CHECKOUT]

Runs in a fresh interpreter against the fake NVML ("h100x8"), importing colab_panel from
CHECKOUT when given (e.g. `git archive OLD | tar -x -C /tmp/before` for a before figure).
Each part is called in a hot loop, so these are the floor: in the sampler's own thread, woken
once a second with cold caches, the same parts cost about 3x more (bench_sampler measures that).
"tick at 1 Hz" is a whole `_tick()` with a clock moved 1 s per call, so the process scan
(every 2 s) and the slow tier (every 5 s) come in at their share.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fake_nvml"))

import fake_nvml_helpers  # noqa: E402  (needs the path above)

_PARTS = """
import time
import psutil
from colab_panel.monitor import cgroup_memory, gpu, gpu_processes, host, sampler as sampler_module

def per_call_us(fn, calls=300):
    fn()
    rounds = []
    for _ in range(5):
        start = time.thread_time()
        for _ in range(calls):
            fn()
        rounds.append((time.thread_time() - start) / calls * 1e6)
    return round(sorted(rounds)[2], 1)

gpus, hosts = gpu.GpuReader(), host.HostReader()
gpus.read()
sampler = sampler_module.Sampler(interval_s=1.0)
sampler.sample_now()
clock = [time.monotonic()]
class _Clock:
    def __getattr__(self, name):
        return getattr(time, name)
    def monotonic(self):
        return clock[0]
sampler_module.time = _Clock()
def tick():
    clock[0] += 1.0
    sampler._tick()
sampler._tick()
result = {
    "GPU fast tier, 8 GPUs": per_call_us(lambda: gpus.read(slow=False)),
    "GPU fast + slow tier, 8 GPUs": per_call_us(lambda: gpus.read(slow=True)),
    "GPU process scan": per_call_us(lambda: gpu_processes.read_gpu_processes(gpus), 100),
    "host fast tier": per_call_us(lambda: hosts.read(slow=False)),
    "host fast + slow tier": per_call_us(lambda: hosts.read(slow=True)),
    "  of which read_cgroup_memory()": per_call_us(cgroup_memory.read_cgroup_memory),
    "  of which psutil.virtual_memory()": per_call_us(psutil.virtual_memory),
    "  of which psutil.cpu_times()": per_call_us(psutil.cpu_times),
    # (before the appends below, which would make the "delta" thousands of rows)
    "since(t): delta of the newest 2 rows": per_call_us(
        lambda: sampler.since(sampler.history.last_t - 0.5, include_latest=False)),
    "latest(): current readings as dicts": per_call_us(sampler.latest),
    "history append, 45 columns": per_call_us(
        lambda: sampler.history.append(time.time(), [1.0] * len(sampler.history.columns))),
    "tick at 1 Hz (all of the above at their cadence)": per_call_us(tick),
    "processes on this machine": len(psutil.pids()),
}
"""


def main(checkout: str | None) -> None:
    code = _PARTS if checkout is None else f"import sys\nsys.path.insert(0, {checkout!r})\n{_PARTS}"
    parts = fake_nvml_helpers.run_snippet("h100x8", code, timeout=600)
    width = max(map(len, parts))
    for name, figure in parts.items():
        unit = "" if name.startswith("processes") else " us"
        print(f"{name.ljust(width)}  {figure}{unit}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
