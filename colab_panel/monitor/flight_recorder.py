"""A flight recorder for the kernel: its last minutes of readings and cells, on local disk.

When a kernel dies (most often killed for memory), everything it knew dies with it. The
recorder keeps a small trail that outlives it, so the next kernel can say what happened
(see `last_exit.py`):

    <state dir>/kernels/<pid>-<start>/meta.json    who this kernel was; cgroup counters at start
    <state dir>/kernels/<pid>-<start>/seg-000042.jsonl   readings and cell events, one JSON a line
    <state dir>/kernels/<pid>-<start>/closed       written only by a clean close

Choices, each for a reason:

- Crash-safe without fsync: a killed *process* loses nothing the kernel already accepted with
  write(2), so every flush is one append to an O_APPEND segment; only the machine dying would
  need fsync, and then the runtime and its disk are gone too. meta.json and `closed` are
  written whole with rename, so a reader sees either nothing or the full file. A line torn by
  a kill mid-write is skipped by the reader.
- A few seconds behind, cheaply: readings are buffered and written every `flush_s` seconds
  (one write call); a cell's start is written at once, because it is the fact most worth
  keeping and the kill may follow within a second.
- Bounded: a new segment every `segment_s` seconds; only the newest `keep_segments` are kept,
  and each starts with the cell still running, so deleting old segments never loses it.
  At 1 Hz that is ~6 KB a minute and under 50 KB on disk, whatever the uptime.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["FlightRecorder", "default_state_dir", "process_start_ticks", "cgroup_oom_counter_file",
           "read_oom_kills", "kernel_recorder", "prune_trails", "KERNELS_DIR"]

KERNELS_DIR = "kernels"
_SOURCE_CHARS = 160  # the start of a cell's first line is enough to recognise it


def default_state_dir() -> Path:
    """`$COLAB_PANEL_STATE`, else `$XDG_STATE_HOME/colab_panel`, else `~/.local/state/colab_panel`."""
    override = os.environ.get("COLAB_PANEL_STATE")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "colab_panel"


def process_start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (/proc/PID/stat field 22): with the PID,
    it names one process even after the PID is reused. None where /proc cannot say."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
        return int(text[text.rindex(")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def cgroup_oom_counter_file(root: str | Path = "/sys/fs/cgroup",
                            proc_cgroup: str | Path = "/proc/self/cgroup") -> Path | None:
    """The file whose `oom_kill` line counts this process's cgroup's OOM kills: memory.events
    (v2) or memory.oom_control (v1); None when neither can be read."""
    root = Path(root)
    try:
        lines = Path(proc_cgroup).read_text().splitlines()
    except OSError:
        return None
    paths = {}
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(","):
                paths[controller] = parts[2]
    candidates = []
    if "" in paths:
        candidates.append(root / paths[""].strip("/") / "memory.events")
    if "memory" in paths:
        candidates.append(root / "memory" / paths["memory"].strip("/") / "memory.oom_control")
    for candidate in candidates:
        if read_oom_kills(candidate) is not None:
            return candidate
    return None


def read_oom_kills(path: str | Path | None) -> int | None:
    """The `oom_kill` count in a memory.events / memory.oom_control file; None if unreadable."""
    if path is None:
        return None
    try:
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == "oom_kill":
                return int(value)
    except (OSError, ValueError):
        return None
    return None


class FlightRecorder:
    """Writes this kernel's trail. Feed it with `record(...)` (or `attach(sampler)`), `cell_started`,
    `cell_ended`; `close()` marks a clean exit. Thread-safe; never raises into its callers."""

    def __init__(self, state_dir: str | Path | None = None, *, flush_s: float = 5.0, segment_s: float = 60.0,
                 keep_segments: int = 6, clock: Callable[[], float] = time.time,
                 oom_counter_file: str | Path | None | bool = True) -> None:
        self.flush_s, self.segment_s, self.keep_segments = flush_s, segment_s, max(1, keep_segments)
        self._clock = clock
        pid = os.getpid()
        started = clock()
        self.dir = _new_folder(Path(state_dir or default_state_dir()) / KERNELS_DIR, f"{pid}-{int(started * 1000)}")
        counter = cgroup_oom_counter_file() if oom_counter_file is True else (oom_counter_file or None)
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._last_flush = started
        self._segment_no = 0
        self._segment_started = started
        self._fd: int | None = None
        self._running_cell: dict[str, Any] | None = None
        self._closed = False
        self.bytes_written = 0
        self.write_errors = 0
        self._unsubscribe: Callable[[], None] | None = None
        from colab_panel.monitor.cgroup_memory import read_cgroup_memory

        limit = read_cgroup_memory()
        _write_atomic(self.dir / "meta.json", json.dumps({
            "version": 1, "pid": pid, "proc_start_ticks": process_start_ticks(pid), "started_t": started,
            "oom_counter_file": str(counter) if counter else None, "oom_kills_at_start": read_oom_kills(counter),
            "memory_limit_bytes": limit.limit_bytes if limit else None,
        }))
        self._open_segment(started)

    # --- feeding --------------------------------------------------------------------------------

    def attach(self, sampler: Any) -> FlightRecorder:
        """Record every tick of a `monitor.sampler.Sampler` (on its thread) until `detach()`."""
        self.detach()
        self._unsubscribe = sampler.subscribe(self.on_tick)
        return self

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def on_tick(self, tick: Any) -> None:
        """A sampler subscriber: one `Tick` becomes one line."""
        host, gpus = tick.host, [g for g in tick.gpus if not g.lost]
        self.record(tick.t, ram_used_bytes=host.ram_used_bytes, ram_total_bytes=host.ram_total_bytes,
                    kernel_rss_bytes=host.kernel_rss_bytes,
                    gpu_memory_used_bytes=_sum(g.memory_used_bytes for g in gpus),
                    gpu_memory_total_bytes=_sum(g.memory_total_bytes for g in gpus))

    def record(self, t: float, *, ram_used_bytes: int | None = None, ram_total_bytes: int | None = None,
               kernel_rss_bytes: int | None = None, gpu_memory_used_bytes: int | None = None,
               gpu_memory_total_bytes: int | None = None) -> None:
        row = {"t": round(t, 3), "ram": ram_used_bytes, "ram_total": ram_total_bytes, "rss": kernel_rss_bytes,
               "gpu": gpu_memory_used_bytes, "gpu_total": gpu_memory_total_bytes}
        line = json.dumps({k: v for k, v in row.items() if v is not None}, separators=(",", ":"))
        with self._lock:
            if self._closed:
                return
            self._pending.append(line)
            if t - self._last_flush >= self.flush_s:
                self._flush_locked(t)

    def cell_started(self, number: int | None, source: str, t: float | None = None) -> None:
        t = self._clock() if t is None else t
        cell = {"n": number, "src": _first_line(source), "t": round(t, 3)}
        with self._lock:
            if self._closed:
                return
            self._running_cell = cell
            self._pending.append(json.dumps({"t": cell["t"], "cell": "start", "n": number, "src": cell["src"]}))
            self._flush_locked(t)  # at once: the kill may come before the next flush

    def cell_ended(self, number: int | None, failed: bool = False, t: float | None = None) -> None:
        t = self._clock() if t is None else t
        with self._lock:
            if self._closed:
                return
            self._running_cell = None
            self._pending.append(json.dumps({"t": round(t, 3), "cell": "end", "n": number, "failed": failed}))
            self._flush_locked(t)

    def flush(self) -> None:
        with self._lock:
            if not self._closed:
                self._flush_locked(self._clock())

    def close(self, *, clean: bool = True) -> None:
        """Write what is buffered and, for a clean exit, the `closed` mark (idempotent)."""
        self.detach()
        with self._lock:
            if self._closed:
                return
            self._flush_locked(self._clock())
            self._closed = True
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
        if clean:
            try:
                _write_atomic(self.dir / "closed", json.dumps({"t": self._clock()}))
            except OSError:
                self.write_errors += 1

    @property
    def disk_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.dir.iterdir() if p.is_file())

    # --- internals (hold self._lock) ------------------------------------------------------------

    def _flush_locked(self, now: float) -> None:
        self._last_flush = now
        if now - self._segment_started >= self.segment_s:
            self._open_segment(now)
        if not self._pending or self._fd is None:
            return
        data = ("\n".join(self._pending) + "\n").encode()
        self._pending.clear()
        try:
            os.write(self._fd, data)  # O_APPEND: one write, whole lines, no seek races
            self.bytes_written += len(data)
        except OSError:  # disk full or the folder removed: drop this batch, keep the kernel alive
            self.write_errors += 1

    def _open_segment(self, now: float) -> None:
        if self._fd is not None:
            os.close(self._fd)
        self._segment_no += 1
        self._segment_started = now
        path = self.dir / f"seg-{self._segment_no:06d}.jsonl"
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError:
            self._fd = None
            self.write_errors += 1
            return
        if self._running_cell is not None:  # carried forward so pruning never loses it
            self._pending.insert(0, json.dumps({"t": self._running_cell["t"], "cell": "start",
                                                "n": self._running_cell["n"], "src": self._running_cell["src"]}))
        for old in sorted(self.dir.glob("seg-*.jsonl"))[:-self.keep_segments]:
            try:
                old.unlink()
            except OSError:
                pass


# --- the one recorder of this kernel ------------------------------------------------------------

_kernel_recorder: FlightRecorder | None = None
_kernel_lock = threading.Lock()


def kernel_recorder(state_dir: str | Path | None = None) -> FlightRecorder:
    """This kernel's recorder, made on first use; a normal interpreter exit closes it cleanly
    (so only a kernel that was killed or crashed leaves an unclosed trail)."""
    global _kernel_recorder
    with _kernel_lock:
        if _kernel_recorder is None or _kernel_recorder.dir.parent.parent != Path(state_dir or default_state_dir()):
            _kernel_recorder = FlightRecorder(state_dir)
            atexit.register(_kernel_recorder.close)
            prune_trails(_kernel_recorder.dir.parent)
        return _kernel_recorder


def prune_trails(kernels_dir: Path, keep: int = 5) -> None:
    """Remove all but the newest `keep` trails that need no explaining any more (closed cleanly, or
    explained): a restart a day for a year must not leave 365 folders behind."""
    try:
        done = [p for p in kernels_dir.iterdir()
                if p.is_dir() and ((p / "closed").exists() or (p / "explained").exists())]
        done.sort(key=lambda p: p.stat().st_mtime)
    except OSError:
        return
    for old in done[:-keep] if keep else done:
        shutil.rmtree(old, ignore_errors=True)


def _new_folder(base: Path, name: str) -> Path:
    """A folder of our own: never another recorder's trail, even one made in the same millisecond."""
    base.mkdir(parents=True, exist_ok=True)
    for n in range(1000):
        folder = base / (name if n == 0 else f"{name}-{n}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise OSError(f"cannot make a trail folder under {base}")


def _write_atomic(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(text)
    os.replace(temp, path)


def _sum(values: Any) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _first_line(source: str) -> str:
    for line in (source or "").splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= _SOURCE_CHARS else line[:_SOURCE_CHARS - 1] + "…"
    return ""
