"""This test process's TCP sockets: the ports it listens on (to check that closed servers let go of
theirs) and its connections (to check that clients closed theirs)."""

from __future__ import annotations

import psutil


def connections() -> list:
    """psutil's connections of this process (inet: TCP and UDP)."""
    process = psutil.Process()
    # psutil 6 renamed connections() to net_connections(); Colab's psutil 5.9.5 has only the old name
    read = getattr(process, "net_connections", None) or process.connections
    return read(kind="inet")


def listening_ports() -> set[int]:
    return {c.laddr.port for c in connections() if c.status == psutil.CONN_LISTEN}
