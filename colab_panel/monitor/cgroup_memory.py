"""The container's memory limit and usage from cgroups (v2, else v1), when a limit applies.

A notebook in a container is killed at its cgroup limit, not at the machine's physical RAM,
so the RAM chart must use the smaller of the two. Usage is counted the way `docker stats`
and the kernel's OOM logic see it: charged memory minus inactive page cache, which the kernel
reclaims before it kills anyone.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

__all__ = ["CgroupMemory", "read_cgroup_memory"]

# cgroup v1 spells "no limit" as a page-rounded LONG_MAX; anything this large is no limit.
_NO_LIMIT = 1 << 60


class CgroupMemory(NamedTuple):
    used_bytes: int
    limit_bytes: int


def read_cgroup_memory(root: str | Path = "/sys/fs/cgroup",
                       proc_cgroup: str | Path = "/proc/self/cgroup") -> CgroupMemory | None:
    """The tightest memory limit on this process's cgroup and its ancestors, with that
    cgroup's usage; None when no limit is set or cgroups cannot be read."""
    root = Path(root)
    paths = _cgroup_paths(Path(proc_cgroup))
    try:
        if (root / "cgroup.controllers").exists():
            return _read_v2(root, paths.get("", "/"))
        return _read_v1(root / "memory", paths.get("memory", "/"))
    except (OSError, ValueError):
        return None


def _cgroup_paths(proc_cgroup: Path) -> dict[str, str]:
    """Controller -> path from /proc/self/cgroup ("" is the v2 unified hierarchy)."""
    paths: dict[str, str] = {}
    try:
        for line in proc_cgroup.read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(","):
                paths[controller] = path
    except (OSError, ValueError):
        pass
    return paths


def _candidates(base: Path, path: str) -> list[Path]:
    """The process's cgroup directory and each ancestor up to the mount root, leaf first.

    Inside a container with a cgroup namespace the path is "/" and the root *is* the leaf.
    """
    parts = [p for p in path.strip("/").split("/") if p]
    dirs = [base.joinpath(*parts[:n]) for n in range(len(parts), -1, -1)]
    return [d for d in dirs if d.is_dir()]


def _read_v2(root: Path, path: str) -> CgroupMemory | None:
    best: tuple[int, Path] | None = None
    for directory in _candidates(root, path):
        limit_file = directory / "memory.max"
        if not limit_file.exists():
            continue
        text = limit_file.read_text().strip()
        if text != "max" and (best is None or int(text) < best[0]):
            best = (int(text), directory)
    if best is None:
        return None
    limit, directory = best
    used = int((directory / "memory.current").read_text())
    used -= _stat(directory / "memory.stat", "inactive_file")
    return CgroupMemory(max(used, 0), limit)


def _read_v1(base: Path, path: str) -> CgroupMemory | None:
    best: tuple[int, Path] | None = None
    for directory in _candidates(base, path):
        limit_file = directory / "memory.limit_in_bytes"
        if not limit_file.exists():
            continue
        limit = int(limit_file.read_text())
        if limit < _NO_LIMIT and (best is None or limit < best[0]):
            best = (limit, directory)
    if best is None:
        return None
    limit, directory = best
    used = int((directory / "memory.usage_in_bytes").read_text())
    used -= _stat(directory / "memory.stat", "total_inactive_file")
    return CgroupMemory(max(used, 0), limit)


def _stat(stat_file: Path, key: str) -> int:
    try:
        for line in stat_file.read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    except (OSError, ValueError):
        pass
    return 0
