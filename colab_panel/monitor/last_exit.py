"""Why did my kernel die? Read the trail a dead kernel's flight recorder left, and say it in words.

    exit = explain_last_exit()       # None when the last kernel closed cleanly (or never recorded)
    print(exit.words)                # "The previous kernel was killed for memory at 12.6 of 12.7 GB while ..."
    exit.chart_svg()                 # a small static chart of its last minutes

A kernel "did not close cleanly" when its folder has no `closed` mark and its process is gone
(the PID is dead, or now belongs to a process that started at another time). The cause comes
from the cgroup's `oom_kill` counter (read then and now), else from how close RAM was to its
limit; without either, the words say what is known and what the usual causes are.
Each dead kernel is explained once (its folder is then marked) and old folders are pruned.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from colab_panel.monitor.flight_recorder import (KERNELS_DIR, default_state_dir, process_start_ticks,
                                                  prune_trails, read_oom_kills)

__all__ = ["LastExit", "explain_last_exit", "find_unclean_exits"]

_NEAR_LIMIT = 0.92  # RAM this close to its limit at the end reads as "ran out of memory"
_KEEP_FOLDERS = 5


@dataclass(frozen=True)
class LastExit:
    """What is known about a kernel that did not close cleanly. Bytes are None when never read."""

    pid: int
    started_t: float
    last_seen_t: float  # the last reading or event on disk (the death is at most a few seconds later)
    killed_for_memory: bool | None  # True: the oom_kill counter went up; None: no counter to read
    oom_kills: int | None  # how many OOM kills the cgroup counted meanwhile
    peak_ram_bytes: int | None
    ram_total_bytes: int | None
    last_ram_bytes: int | None
    peak_gpu_memory_bytes: int | None
    gpu_memory_total_bytes: int | None
    peak_kernel_rss_bytes: int | None  # the kernel process alone (RAM above is the whole runtime/container)
    cell_number: int | None  # the cell that was running ("In [12]"), None if none was
    cell_source: str
    cell_running: bool
    words: str
    series: dict[str, list[Any]] = field(default_factory=dict, repr=False)  # t, ram, gpu: for the chart
    # the cell log of its last minutes, oldest first: {"n", "src", "started_t", "ended_t" (None: running), "failed"}
    cells: tuple[dict[str, Any], ...] = ()
    folder: str = ""

    def chart_svg(self, width: int = 360, height: int = 90) -> str:
        from colab_panel.monitor.exit_chart import exit_chart_svg

        return exit_chart_svg(self, width=width, height=height)


def find_unclean_exits(state_dir: str | Path | None = None) -> list[Path]:
    """Folders of recorded kernels that are gone without a clean close and not yet explained, newest last."""
    base = Path(state_dir or default_state_dir()) / KERNELS_DIR
    if not base.is_dir():
        return []
    found = []
    for folder in base.iterdir():
        if not folder.is_dir() or (folder / "closed").exists() or (folder / "explained").exists():
            continue
        meta = _read_meta(folder)
        if meta is None or _still_running(meta):
            continue
        found.append((float(meta.get("started_t") or 0), folder))
    return [folder for _, folder in sorted(found)]


def explain_last_exit(state_dir: str | Path | None = None, *, mark_explained: bool = True) -> LastExit | None:
    """The newest kernel that did not close cleanly, explained; None when there is none.

    With `mark_explained` (the default) it is said once: later calls return None for it.
    """
    folders = find_unclean_exits(state_dir)
    if not folders:
        return None
    folder = folders[-1]
    explanation = _explain(folder)
    if mark_explained:
        for done in folders:
            try:
                (done / "explained").write_text(json.dumps({"t": time.time()}))
            except OSError:
                pass
        prune_trails(folder.parent, _KEEP_FOLDERS)
    return explanation


# --- reading ------------------------------------------------------------------------------------


def _read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and isinstance(meta.get("pid"), int) else None


def _still_running(meta: dict[str, Any]) -> bool:
    pid = meta["pid"]
    if pid == os.getpid():
        return True  # this kernel's own trail
    if _is_zombie(pid):
        return False  # dead, only not yet reaped by its parent
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process holds the PID now, or ours under another user: check its start
    except OSError:
        return False
    recorded, now = meta.get("proc_start_ticks"), process_start_ticks(pid)
    if recorded is not None and now is not None:
        return bool(recorded == now)
    return _is_zombie(pid) is False


def _is_zombie(pid: int) -> bool | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
        return text[text.rindex(")") + 2] in "ZX"
    except (OSError, ValueError, IndexError):
        return None


def _lines(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for segment in sorted(folder.glob("seg-*.jsonl")):
        try:
            text = segment.read_text(errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue  # a line torn by the kill
            if isinstance(row, dict) and isinstance(row.get("t"), (int, float)):
                rows.append(row)
    rows.sort(key=lambda r: r["t"])
    return rows


def _explain(folder: Path) -> LastExit:
    meta = _read_meta(folder) or {}
    rows = _lines(folder)
    samples = [r for r in rows if "cell" not in r]
    cell: dict[str, Any] | None = None
    log: list[dict[str, Any]] = []
    for row in rows:
        if row.get("cell") == "start":
            cell = row
            if not log or log[-1]["started_t"] != row["t"]:  # a start carried into a new segment is not a new cell
                log.append({"n": row.get("n"), "src": row.get("src") or "", "started_t": row["t"], "ended_t": None,
                            "failed": False})
        elif row.get("cell") == "end":
            cell = None  # cells never overlap in one kernel: an end closes whatever was running
            if log and log[-1]["ended_t"] is None:
                log[-1].update(ended_t=row["t"], failed=bool(row.get("failed")),
                               n=row.get("n") if row.get("n") is not None else log[-1]["n"])

    def peak(key: str) -> int | None:
        values = [r[key] for r in samples if isinstance(r.get(key), (int, float))]
        return int(max(values)) if values else None

    def last(key: str) -> int | None:
        values = [r[key] for r in samples if isinstance(r.get(key), (int, float))]
        return int(values[-1]) if values else None

    ram_total = meta.get("memory_limit_bytes") or last("ram_total")
    before = meta.get("oom_kills_at_start")
    now = read_oom_kills(meta.get("oom_counter_file"))
    oom_kills = now - before if isinstance(before, int) and now is not None and now >= before else None
    killed = None if oom_kills is None else oom_kills > 0
    last_seen = rows[-1]["t"] if rows else float(meta.get("started_t") or 0)
    exit_: dict[str, Any] = dict(
        pid=int(meta.get("pid") or 0), started_t=float(meta.get("started_t") or 0), last_seen_t=last_seen,
        killed_for_memory=killed, oom_kills=oom_kills, peak_ram_bytes=peak("ram"), ram_total_bytes=ram_total,
        last_ram_bytes=last("ram"), peak_gpu_memory_bytes=peak("gpu"), gpu_memory_total_bytes=last("gpu_total"),
        peak_kernel_rss_bytes=peak("rss"),
        cell_number=cell.get("n") if cell else None, cell_source=str(cell.get("src") or "") if cell else "",
        cell_running=cell is not None,
        series={"t": [r["t"] for r in samples], "ram": [r.get("ram") for r in samples],
                "gpu": [r.get("gpu") for r in samples]},
        folder=str(folder), cells=tuple(log[-10:]),
    )
    return LastExit(words=_words(exit_), **exit_)


# --- words --------------------------------------------------------------------------------------


def _of(used: int | None, total: int | None) -> str:
    """'12.6 of 12.7 GB', '150.2 MB of 1.5 GB', '3.1 GB' (no total), in the units Colab's RAM bar uses."""
    from colab_panel.units import human_bytes

    if not total:
        return human_bytes(used)
    a, b = human_bytes(used), human_bytes(total)
    return f"{a.rsplit(' ', 1)[0]} of {b}" if a.rsplit(" ", 1)[-1] == b.rsplit(" ", 1)[-1] else f"{a} of {b}"


def _words(e: dict[str, Any]) -> str:
    when = time.strftime("%H:%M:%S", time.localtime(e["last_seen_t"])) if e["last_seen_t"] else "an unknown time"
    cell = ""
    if e["cell_running"]:
        label = f"In [{e['cell_number']}]" if e["cell_number"] is not None else "a cell"
        cell = f" while {label} ran" + (f" (`{e['cell_source']}`)" if e["cell_source"] else "")
    ram, total = e["peak_ram_bytes"], e["ram_total_bytes"]
    ram_words = _of(ram, total) if ram is not None else ""
    gpu = ""
    if e["peak_kernel_rss_bytes"] is not None:
        gpu += f"; the kernel process itself held up to {_of(e['peak_kernel_rss_bytes'], None)}"
    if e["peak_gpu_memory_bytes"] is not None:
        gpu += f"; GPU memory peaked at {_of(e['peak_gpu_memory_bytes'], e['gpu_memory_total_bytes'])}"
    near = ram is not None and bool(total) and e["last_ram_bytes"] is not None and \
        e["last_ram_bytes"] >= _NEAR_LIMIT * total
    if e["killed_for_memory"]:
        n = e["oom_kills"]
        head = (f"The previous kernel was killed for memory around {when}"
                f"{' at ' + ram_words if ram_words else ''}{cell}")
        why = (f" (the container's out-of-memory killer struck {n} time{'s' if n != 1 else ''} since it started; "
               "memory readings are from its last seconds, the kill came at most a few seconds later)")
        advice = (" To avoid it: load less at once (smaller batches, memory-mapped or streamed data), free "
                  "big objects with `del` and `gc.collect()`, or use a runtime with more RAM.")
        return head + gpu + why + "." + advice
    if e["killed_for_memory"] is None and near:
        return (f"The previous kernel stopped without closing at {when}{cell}, with RAM at "
                f"{_of(e['last_ram_bytes'], total)}: it most likely ran out of memory (this runtime "
                f"gives no out-of-memory counter to confirm it){gpu}.")
    causes = ("an out-of-memory kill of the whole runtime, a crash inside native code (a CUDA or C "
              "extension error), a restart or interrupt from the Runtime menu, or a kill signal")
    memory = f" RAM peaked at {ram_words}{gpu}." if ram_words else (gpu[2:].capitalize() + "." if gpu else "")
    counted = (" The container's out-of-memory counter did not move, so it was not killed for memory by its "
               "limit." if e["killed_for_memory"] is False else "")
    return (f"The previous kernel stopped without closing at {when}{cell}.{memory}{counted} "
            f"Possible causes: {causes}.")
