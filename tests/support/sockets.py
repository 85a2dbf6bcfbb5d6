"""The TCP ports this test process listens on (to check that closed servers let go of theirs)."""

from __future__ import annotations

import psutil


def listening_ports() -> set[int]:
    process = psutil.Process()
    # psutil 6 renamed connections() to net_connections(); Colab's psutil 5.9.5 has only the old name
    connections = getattr(process, "net_connections", None) or process.connections
    return {c.laddr.port for c in connections(kind="inet") if c.status == psutil.CONN_LISTEN}
