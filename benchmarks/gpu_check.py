"""On a machine with a real NVIDIA GPU: the Monitor's readings next to nvidia-smi's (issue 16).

    python benchmarks/gpu_check.py OUT_DIR [--workload-s 60] [--idle-s 20]

One run, about two minutes: `nvidia-smi -q` and `colab-panel monitor --count 10` into files;
`read_gpus()`, `read_gpu_processes()` and `gpu_status()` each read with `nvidia-smi --query-*`
taken between two of our readings (so each of its values has ours just before and just after);
the sampler at 1 Hz while idle, then while this process multiplies bf16 matrices on the GPU
(PyTorch), then while a child process does; its CPU cost per phase. Writes OUT_DIR/report.json
and OUT_DIR/figure.json (the session as `monitor.figure()` draws it; render it with plotly).
Needs psutil, nvidia-ml-py and plotly; torch only for the workload.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from colab_panel.controllers.monitor_export import session_figure  # noqa: E402
from colab_panel.monitor import Sampler, gpu_status, read_gpu_processes, read_gpus  # noqa: E402
from colab_panel.monitor import nvml  # noqa: E402

#: nvidia-smi's --query-gpu names, with the GpuSample field each is compared with
QUERY_FIELDS = {
    "utilization.gpu": "utilization_gpu_percent",
    "utilization.memory": "utilization_memory_percent",
    "memory.used": "memory_used_bytes",
    "memory.total": "memory_total_bytes",
    "memory.reserved": None,
    "temperature.gpu": "temperature_c",
    "power.draw": "power_w",
    "power.draw.instant": "power_w",
    "power.draw.average": "power_w",
    "enforced.power.limit": "power_limit_w",
    "power.limit": "power_limit_w",
    "clocks.sm": "clock_sm_mhz",
    "clocks.mem": "clock_memory_mhz",
    "clocks_event_reasons.active": "throttle_reasons",
    "clocks_throttle_reasons.active": "throttle_reasons",
    "mig.mode.current": "is_mig",
}

#: nvml.h's clock event (throttle) reason bits, to put nvidia-smi's mask into words
REASON_BITS = {
    0x1: "GpuIdle", 0x2: "ApplicationsClocksSetting", 0x4: "SwPowerCap", 0x8: "HwSlowdown",
    0x10: "SyncBoost", 0x20: "SwThermalSlowdown", 0x40: "HwThermalSlowdown",
    0x80: "HwPowerBrakeSlowdown", 0x100: "DisplayClockSetting",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--workload-s", type=float, default=60.0)
    parser.add_argument("--idle-s", type=float, default=20.0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}

    report["environment"] = _environment()
    _save_command(args.out / "nvidia-smi-q.txt", ["nvidia-smi", "-q"])
    _save_command(args.out / "monitor.txt",
                  [sys.executable, "-m", "colab_panel.cli", "monitor", "--count", "10"])
    report["gpu_status"] = gpu_status()
    fields = _valid_query_fields()
    report["query_fields"] = fields

    report["idle"] = _compare_rounds(fields, rounds=3)
    sampler = Sampler(interval_s=1.0).start()
    try:
        report["sampler_idle"] = _sampler_phase(sampler, args.idle_s, "idle")
        work = _Workload()
        report["workload"] = work.start()
        sampler.mark("matmuls start")
        dmon = _start_dmon(args.out / "dmon-busy.txt")
        busy = _sampler_phase(sampler, args.workload_s, "this process", compare=fields)
        busy["processes"] = _processes_now()
        report["sampler_busy_in_process"] = busy
        report["workload"].update(work.stop())
        if dmon is not None:
            dmon.wait(30)
        sampler.mark("matmuls end")
        report["child"] = _child_phase(sampler)
        report["idle_after"] = _compare_rounds(fields, rounds=2)
        names = {g.index: g.name or "" for g in sampler.latest_gpus}
        figure = session_figure(sampler.snapshot(), names, sampler.gpu_status)
        (args.out / "figure.json").write_text(figure.to_json())
        report["history_rows"] = len(sampler.snapshot()["t"])
    finally:
        sampler.stop()
    (args.out / "report.json").write_text(json.dumps(report, indent=1, default=str))
    print(json.dumps({k: report[k] for k in ("environment", "gpu_status")}, indent=1, default=str))
    print("sampler cost, % of a core:",
          {k: report[k]["sampler_cost_cpu_percent"] for k in report if k.startswith("sampler_")})
    return 0


def _environment() -> dict[str, Any]:
    pynvml = nvml.pynvml_module()
    found: dict[str, Any] = {"python": sys.version.split()[0], "platform": platform.platform(),
                             "nvml_init_failure": nvml.init_failure()}
    if pynvml is not None:
        for name in ("nvmlSystemGetDriverVersion", "nvmlSystemGetNVMLVersion",
                     "nvmlSystemGetCudaDriverVersion_v2"):
            try:
                found[name] = getattr(pynvml, name)()
            except Exception as error:  # noqa: BLE001 - a report, not a check
                found[name] = f"error: {error}"
    found["nvidia_ml_py"] = _version("nvidia-ml-py")
    found["psutil"] = _version("psutil")
    found["torch"] = _version("torch")
    return found


def _version(package: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _save_command(path: Path, command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=REPO)
        path.write_text(done.stdout + done.stderr + f"\n[exit {done.returncode}]\n")
    except (OSError, subprocess.TimeoutExpired) as error:
        path.write_text(f"{command}: {error}\n")


def _start_dmon(path: Path) -> subprocess.Popen[bytes] | None:
    """`nvidia-smi dmon` for 10 s (power, utilization, clocks, PCIe) into `path`, in the background."""
    if shutil.which("nvidia-smi") is None:
        return None
    with path.open("wb") as sink:
        return subprocess.Popen(["nvidia-smi", "dmon", "-c", "10", "-s", "puct"], stdout=sink,
                                stderr=subprocess.STDOUT)


def _valid_query_fields() -> list[str]:
    if shutil.which("nvidia-smi") is None:
        return []
    helptext = subprocess.run(["nvidia-smi", "--help-query-gpu"], capture_output=True,
                              text=True).stdout
    return [f for f in QUERY_FIELDS if f'"{f}"' in helptext]


def _smi_gpus(fields: list[str]) -> list[dict[str, str]]:
    if not fields:
        return []
    done = subprocess.run(["nvidia-smi", "--query-gpu=" + ",".join(["index", "timestamp", *fields]),
                           "--format=csv,noheader,nounits"], capture_output=True, text=True)
    rows = []
    for line in done.stdout.strip().splitlines():
        values = [v.strip() for v in line.split(",")]
        rows.append(dict(zip(["index", "timestamp", *fields], values)))
    return rows


def _compare_rounds(fields: list[str], rounds: int) -> list[dict[str, Any]]:
    """Each round: ours, nvidia-smi's, ours again, per GPU and field (ours in smi's units)."""
    results = []
    for _ in range(rounds):
        before = read_gpus()
        t0 = time.monotonic()
        smi = _smi_gpus(fields)
        smi_s = time.monotonic() - t0
        after = read_gpus()
        for row in smi:
            index = int(row["index"])
            ours = [_in_smi_units(g) for g in (before[index], after[index])]
            fields_out = {}
            for field in fields:
                mine = QUERY_FIELDS[field]
                smi_value = row.get(field)
                if field.endswith("reasons.active") and smi_value:
                    smi_value = f"{smi_value} {_reason_words(smi_value)}"
                fields_out[field] = {"before": ours[0].get(mine) if mine else None,
                                     "nvidia_smi": smi_value,
                                     "after": ours[1].get(mine) if mine else None}
            results.append({"gpu": index, "smi_timestamp": row["timestamp"],
                            "smi_took_s": round(smi_s, 3), "fields": fields_out})
        time.sleep(0.5)
    return results


def _in_smi_units(sample: Any) -> dict[str, Any]:
    mib = 1024 * 1024
    values = dataclasses.asdict(sample)
    for name in ("memory_used_bytes", "memory_total_bytes"):
        if values.get(name) is not None:
            values[name] = round(values[name] / mib, 1)  # nvidia-smi says MiB
    return values


def _reason_words(mask: str) -> list[str]:
    try:
        bits = int(mask, 16)
    except ValueError:
        return []
    return [name for bit, name in REASON_BITS.items() if bits & bit] or ["none"]


def _processes_now() -> dict[str, Any]:
    ours = [dataclasses.asdict(p) for p in read_gpu_processes()]
    smi = ""
    if shutil.which("nvidia-smi"):
        smi = subprocess.run(["nvidia-smi", "--query-compute-apps=pid,process_name,used_memory",
                              "--format=csv,noheader,nounits"], capture_output=True,
                             text=True).stdout.strip()
    return {"ours": ours, "nvidia_smi": smi.splitlines(), "this_pid": os.getpid()}


def _sampler_phase(sampler: Sampler, seconds: float, label: str,
                   compare: list[str] | None = None) -> dict[str, Any]:
    """Let the sampler run `seconds`; its CPU (thread time) per wall second, and comparisons."""
    ticks0, cpu0, wall0 = sampler.tick_count, _sampler_cpu_s(), time.monotonic()
    rounds: list[dict[str, Any]] = []
    deadline = wall0 + seconds
    while time.monotonic() < deadline:
        time.sleep(min(10.0, max(0.0, deadline - time.monotonic())))
        if compare is not None and time.monotonic() < deadline:
            rounds.extend(_compare_rounds(compare, rounds=1))
    wall = time.monotonic() - wall0
    cpu = _sampler_cpu_s() - cpu0
    return {"label": label, "wall_s": round(wall, 2), "ticks": sampler.tick_count - ticks0,
            "sampler_cost_cpu_percent": round(cpu / wall * 100, 4),
            "sampler_reported_cost_cpu_percent": sampler.cost_cpu_percent,
            "latest": [dataclasses.asdict(g) for g in sampler.latest_gpus],
            "processes_seen_by_sampler": [dataclasses.asdict(p) for p in sampler.latest_processes],
            "compare": rounds}


def _sampler_cpu_s() -> float:
    """CPU seconds of the sampler's thread so far (from /proc, by the thread's name)."""
    import psutil

    names = {t.native_id: t.name for t in threading.enumerate()}
    for thread in psutil.Process().threads():
        if names.get(thread.id) == "colab_panel-sampler":
            return thread.user_time + thread.system_time
    return 0.0


class _Workload:
    """bf16 8192² matrix products on GPU 0 from a thread of this process, until stopped."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.products = 0
        self.error: str | None = None

    def start(self) -> dict[str, Any]:
        try:
            import torch
        except ImportError as error:
            return {"error": f"no torch: {error}"}
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._run, args=(torch,), daemon=True)
        self._thread.start()
        return {"kind": "torch bf16 matmul 8192x8192x8192 + a 32 GiB tensor, in this process"}

    def _run(self, torch: Any) -> None:
        try:
            ballast = torch.empty(32 * 2**30, dtype=torch.uint8, device="cuda")
            a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
            b = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
            while not self._stop.is_set():
                for _ in range(20):
                    a @ b
                torch.cuda.synchronize()
                self.products += 20
            del ballast
        except Exception as error:  # noqa: BLE001 - reported
            self.error = repr(error)

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
        seconds = time.monotonic() - getattr(self, "_t0", time.monotonic())
        flops = self.products * 2 * 8192**3
        return {"products": self.products, "seconds": round(seconds, 1),
                "tflops": round(flops / seconds / 1e12, 1) if seconds else None,
                "error": self.error}


_CHILD = """
import time, torch
x = torch.empty(8 * 2**30, dtype=torch.uint8, device="cuda")
a = torch.randn(4096, 4096, device="cuda")
print("ready", flush=True)
t = time.monotonic()
while time.monotonic() - t < 12:
    a @ a
torch.cuda.synchronize()
"""


def _child_phase(sampler: Sampler) -> dict[str, Any]:
    """A child process holds GPU memory: is it listed, and marked as this kernel's?"""
    try:
        import torch  # noqa: F401
    except ImportError:
        return {"error": "no torch"}
    child = subprocess.Popen([sys.executable, "-c", _CHILD], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    child.stdout.readline()
    time.sleep(4)  # the sampler reads processes every 2 s
    seen = _processes_now()
    seen["child_pid"] = child.pid
    seen["processes_seen_by_sampler"] = [dataclasses.asdict(p) for p in sampler.latest_processes]
    child.wait(60)
    return seen


if __name__ == "__main__":
    raise SystemExit(main())
