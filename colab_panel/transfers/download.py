"""The process-wide transfer endpoint that `download_to_browser` uses outside a panel.

A panel has its own (closed with it); a plain call from a cell needs one that outlives the cell
for the browser to fetch from, so it is started on first use and closed by `close_shared()` or
when the interpreter exits (its thread is a daemon).
"""

from __future__ import annotations

import atexit
import threading

from colab_panel.runtime.paths import default_staging_root
from colab_panel.transfers.routes import TransferService

__all__ = ["close_shared", "shared_service"]

_lock = threading.Lock()
_service: TransferService | None = None


def shared_service() -> TransferService:
    """The process-wide service, started on first use."""
    global _service
    with _lock:
        if _service is None or _service.endpoint.closed:
            _service = TransferService(default_dest=default_staging_root())
            atexit.register(close_shared)
        return _service


def close_shared() -> None:
    """Stop the process-wide service, if running."""
    global _service
    with _lock:
        service, _service = _service, None
    if service is not None:
        service.close()
