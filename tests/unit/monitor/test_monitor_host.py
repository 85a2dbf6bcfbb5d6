"""Host readings: psutil figures, cgroup limits, disks, and torch only when already imported."""

from __future__ import annotations

import sys
import types

from colab_panel.monitor.cgroup_memory import CgroupMemory, read_cgroup_memory
from colab_panel.monitor.host import HostReader, read_host

GIB = 1024**3


def test_read_host_gives_real_figures_and_unknown_cpu_at_first():
    sample = read_host()
    assert sample.ram_total_bytes > 0 and 0 < sample.ram_used_bytes <= sample.ram_total_bytes
    assert sample.kernel_rss_bytes > 0
    assert sample.disk_root_total_bytes > 0 and sample.disk_root_free_bytes is not None
    assert sample.staging_dir is None and sample.disk_staging_free_bytes is None
    assert sample.torch_allocated_bytes is None and sample.torch_reserved_bytes is None


def test_cpu_percent_is_none_without_an_interval_then_a_percentage(monkeypatch):
    reader = HostReader()
    assert reader.read().cpu_percent is None  # read right after priming: no interval yet
    reader._last_cpu = (reader._last_cpu[0], reader._last_cpu[1] - 1.0, reader._last_cpu[2] - 1.0)
    cpu = reader.read().cpu_percent
    assert cpu is not None and 0.0 <= cpu <= 100.0


def test_staging_dir_that_does_not_exist_yet_uses_its_nearest_parent(tmp_path):
    sample = HostReader(tmp_path / "not" / "yet" / "there").read()
    assert sample.staging_dir == str(tmp_path / "not" / "yet" / "there")
    assert sample.disk_staging_total_bytes > 0


def test_drive_figures_only_when_mounted(tmp_path):
    assert HostReader(drive_mount=str(tmp_path)).read().disk_drive_free_bytes is None
    assert HostReader(drive_mount="/").read().disk_drive_total_bytes > 0  # "/" is a mount point


def test_slow_tier_repeats_the_last_disk_reading(tmp_path):
    reader = HostReader(tmp_path)
    first = reader.read(slow=True)
    reader.staging_dir = None  # would change the slow figures, but no slow read happens
    assert reader.read(slow=False).disk_staging_total_bytes == first.disk_staging_total_bytes
    assert reader.read(slow=True).disk_staging_total_bytes is None


def test_torch_memory_is_read_only_when_torch_is_imported_and_initialised(monkeypatch):
    assert "torch" not in sys.modules  # we never import it ourselves
    cuda = types.SimpleNamespace(is_initialized=lambda: False, device_count=lambda: 2,
                                 memory_allocated=lambda d: (d + 1) * GIB,
                                 memory_reserved=lambda d: (d + 2) * GIB)
    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace(cuda=cuda))
    assert HostReader().read().torch_allocated_bytes is None
    cuda.is_initialized = lambda: True
    sample = HostReader().read()
    assert (sample.torch_allocated_bytes, sample.torch_reserved_bytes) == (3 * GIB, 5 * GIB)


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_cgroup_v2_limit_of_the_tightest_ancestor(tmp_path):
    root = tmp_path / "cg"
    _write(root / "cgroup.controllers", "memory cpu\n")
    _write(root / "memory.max", "max\n")
    _write(root / "kube" / "memory.max", str(12 * GIB))
    _write(root / "kube" / "memory.current", str(5 * GIB))
    _write(root / "kube" / "memory.stat", f"anon 1\ninactive_file {GIB}\n")
    _write(root / "kube" / "pod" / "memory.max", "max\n")
    _write(tmp_path / "self_cgroup", "0::/kube/pod\n")
    assert read_cgroup_memory(root, tmp_path / "self_cgroup") == CgroupMemory(4 * GIB, 12 * GIB)


def test_cgroup_v1_ignores_the_no_limit_sentinel(tmp_path):
    root = tmp_path / "cg"
    _write(tmp_path / "self_cgroup", "4:memory:/docker/abc\n1:cpu:/\n")
    _write(root / "memory" / "memory.limit_in_bytes", "9223372036854771712\n")
    assert read_cgroup_memory(root, tmp_path / "self_cgroup") is None
    _write(root / "memory" / "docker" / "abc" / "memory.limit_in_bytes", str(8 * GIB))
    _write(root / "memory" / "docker" / "abc" / "memory.usage_in_bytes", str(3 * GIB))
    _write(root / "memory" / "docker" / "abc" / "memory.stat", f"total_inactive_file {GIB}\n")
    assert read_cgroup_memory(root, tmp_path / "self_cgroup") == CgroupMemory(2 * GIB, 8 * GIB)


def test_unreadable_cgroups_mean_no_limit(tmp_path):
    assert read_cgroup_memory(tmp_path / "missing", tmp_path / "missing_self") is None


def test_ram_uses_the_cgroup_limit_when_it_is_lower(monkeypatch):
    import colab_panel.monitor.host as host

    monkeypatch.setattr(host, "read_cgroup_memory", lambda: CgroupMemory(GIB, 2 * GIB))
    sample = HostReader().read()
    assert (sample.ram_used_bytes, sample.ram_total_bytes, sample.ram_limited_by_cgroup) == (
        GIB, 2 * GIB, True)
    monkeypatch.setattr(host, "read_cgroup_memory", lambda: CgroupMemory(GIB, 1 << 62))
    assert HostReader().read().ram_limited_by_cgroup is False


def test_fast_reads_follow_a_cgroup_limit_found_by_the_slow_tier(monkeypatch):
    import colab_panel.monitor.host as host

    readings = iter([CgroupMemory(GIB, 2 * GIB), CgroupMemory(GIB + 1, 2 * GIB),
                     CgroupMemory(GIB + 2, 2 * GIB)])
    monkeypatch.setattr(host, "read_cgroup_memory", lambda: next(readings))
    reader = HostReader()
    assert reader.read(slow=True).ram_used_bytes == GIB
    # Usage changes every second in a limited container: each fast read asks again.
    assert reader.read(slow=False).ram_used_bytes == GIB + 1
    fast = reader.read(slow=False)
    assert (fast.ram_used_bytes, fast.ram_total_bytes, fast.ram_limited_by_cgroup) == (
        GIB + 2, 2 * GIB, True)


def test_without_a_cgroup_limit_only_the_slow_tier_looks_for_one(monkeypatch):
    import colab_panel.monitor.host as host

    calls = []
    monkeypatch.setattr(host, "read_cgroup_memory", lambda: calls.append(1))  # returns None
    reader = HostReader()
    first = reader.read(slow=True)
    fast = reader.read(slow=False)
    assert len(calls) == 1
    assert fast.ram_limited_by_cgroup is False and 0 < fast.ram_used_bytes <= fast.ram_total_bytes
    assert fast.ram_total_bytes == first.ram_total_bytes
    reader.read(slow=True)
    assert len(calls) == 2  # a limit set later is found on the next slow read
