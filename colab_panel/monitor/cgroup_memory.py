"""The container's memory limit and usage from cgroups (v2, else v1), when a limit applies.

A notebook in a container is killed at its cgroup limit, not at the machine's physical RAM,
so the RAM chart must use the smaller of the two. Usage is counted the way `docker stats`
and the kernel's OOM logic see it: charged memory minus inactive page cache, which the kernel
reclaims before it kills anyone.
"""

from __future__ import annotations

import os
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
    # Plain os calls on strings, not pathlib: the sampler may ask every second.
    root = os.fspath(root)
    paths = _cgroup_paths(os.fspath(proc_cgroup))
    try:
        if os.path.exists(os.path.join(root, "cgroup.controllers")):
            return _read(root, paths.get("", "/"), "memory.max", "memory.current",
                         "inactive_file")
        return _read(os.path.join(root, "memory"), paths.get("memory", "/"),
                     "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")
    except (OSError, ValueError):
        return None


def _cgroup_paths(proc_cgroup: str) -> dict[str, str]:
    """Controller -> path from /proc/self/cgroup ("" is the v2 unified hierarchy)."""
    paths: dict[str, str] = {}
    try:
        for line in _read_text(proc_cgroup).splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(","):
                paths[controller] = path
    except (OSError, ValueError):
        pass
    return paths


def _candidates(base: str, path: str) -> list[str]:
    """The process's cgroup directory and each ancestor up to the mount root, leaf first.

    Inside a container with a cgroup namespace the path is "/" and the root *is* the leaf.
    """
    parts = [p for p in path.strip("/").split("/") if p]
    return [os.path.join(base, *parts[:n]) for n in range(len(parts), -1, -1)]


def _read(base: str, path: str, limit_name: str, usage_name: str,
          inactive_key: str) -> CgroupMemory | None:
    """v2 and v1 differ only in file names and in how they spell "no limit" ("max", or a
    page-rounded LONG_MAX)."""
    best: tuple[int, str] | None = None
    for directory in _candidates(base, path):
        try:
            text = _read_text(os.path.join(directory, limit_name)).strip()
        except (FileNotFoundError, NotADirectoryError):  # no such cgroup level or no limit file
            continue
        if text == "max":
            continue
        limit = int(text)
        if limit < _NO_LIMIT and (best is None or limit < best[0]):
            best = (limit, directory)
    if best is None:
        return None
    limit, directory = best
    used = int(_read_text(os.path.join(directory, usage_name)))
    used -= _stat(os.path.join(directory, "memory.stat"), inactive_key)
    return CgroupMemory(max(used, 0), limit)


def _stat(stat_file: str, key: str) -> int:
    try:
        for line in _read_text(stat_file).splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as file:
        return file.read()
