"""Byte counts in words: `human_bytes(12_300_000_000) == "12.3 GB"`.

Decimal units (1 GB = 10**9 bytes) because that is what Colab's disk gauge and Drive show,
so the numbers in our messages match the ones the user sees elsewhere.
"""

from __future__ import annotations

_UNITS = ("bytes", "KB", "MB", "GB", "TB", "PB")


def human_bytes(n: int | float) -> str:
    """`0 -> "0 bytes"`, `1536 -> "1.5 KB"`, `12_300_000_000 -> "12.3 GB"` (one decimal above KB)."""
    value = float(n)
    sign = "-" if value < 0 else ""
    value = abs(value)
    for unit in _UNITS:
        if value < 1000 or unit == _UNITS[-1]:
            if unit == "bytes":
                return f"{sign}{int(value)} bytes"
            return f"{sign}{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")
