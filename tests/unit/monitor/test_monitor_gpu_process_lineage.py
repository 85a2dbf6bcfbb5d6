"""Which GPU processes belong to this kernel: itself and every process below it, nobody else."""

from __future__ import annotations

MIB = 1024 * 1024

# The kernel starts a child that starts a grandchild (as a training script's DataLoader would),
# and both show up on GPU 0 next to the kernel itself and the test runner above it.
FAMILY_ON_GPU = """
import os, subprocess, sys
child = subprocess.Popen(["sh", "-c", "sleep 60 & echo $!; wait"], stdout=subprocess.PIPE,
                         text=True)
grandchild = int(child.stdout.readline())
os.environ["FAKE_NVML_EXTRA_PIDS"] = f"{child.pid},{grandchild}"
try:
    from colab_panel.monitor import read_gpu_processes
    processes = read_gpu_processes()
finally:
    child.kill()
    os.kill(grandchild, 9)
    child.wait()
result = {"processes": processes, "kernel": os.getpid(), "runner": os.getppid(),
          "child": child.pid, "grandchild": grandchild}
"""


def test_children_and_grandchildren_of_the_kernel_are_marked_and_the_runner_is_not(fake_nvml):
    got = fake_nvml("t4", FAMILY_ON_GPU)
    marked = {p["pid"]: p["is_this_kernel"] for p in got["processes"]}
    assert marked == {got["kernel"]: True, got["child"]: True, got["grandchild"]: True,
                      got["runner"]: False}
    names = {p["pid"]: p["name"] for p in got["processes"]}
    assert names[got["child"]] == "sh" and names[got["grandchild"]] == "sleep"
    sizes = {p["pid"]: p["memory_used_bytes"] for p in got["processes"]}
    assert sizes[got["child"]] == sizes[got["grandchild"]] == 128 * MIB


def test_a_gpu_process_this_machine_cannot_see_is_unnamed_and_not_ours(fake_nvml):
    # NVML reports host PIDs; from inside a container such a PID may not exist here at all.
    got = fake_nvml("t4", """
import os
os.environ["FAKE_NVML_EXTRA_PIDS"] = "4194303"
from colab_panel.monitor import read_gpu_processes
result = read_gpu_processes()
""")
    [invisible] = [p for p in got if p["pid"] == 4194303]
    assert invisible["name"] is None and invisible["is_this_kernel"] is False
