"""Numbers in words a person reads at a glance: bytes, durations, rates."""

from __future__ import annotations

_BYTE_UNITS = ("B", "KB", "MB", "GB", "TB", "PB")


def human_bytes(n: float | None) -> str:
    """1536 -> '1.5 KB' (powers of 1024, as `df -h` and Colab's RAM bar count); None -> 'n/a'."""
    if n is None:
        return "n/a"
    value = float(n)
    for unit in _BYTE_UNITS:
        if abs(value) < 1024 or unit == _BYTE_UNITS[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def human_duration(seconds: float | None) -> str:
    """3725 -> '1 h 02 min'; 42 -> '42 s'; None -> 'n/a'."""
    if seconds is None:
        return "n/a"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {(s % 3600) // 60:02d} min"
