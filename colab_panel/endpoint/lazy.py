"""A panel's one kernel endpoint, started when its first feature asks for it and stopped once.

    endpoint = LazyEndpoint()
    SampleEndpoint(sampler, endpoint=endpoint())        # the chart's routes on it (starts it)
    TransferService(default_dest=d, endpoint=endpoint())  # the transfers' on the same port
    endpoint.close()                                     # the panel closes it, after its features

Features borrow it: closing one withdraws its routes and leaves the server to the others.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from colab_panel.errors import PanelError

if TYPE_CHECKING:
    from colab_panel.endpoint.server import KernelEndpoint

__all__ = ["LazyEndpoint"]


class LazyEndpoint:
    """Calling it returns the running `KernelEndpoint`, started on the first call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._endpoint: KernelEndpoint | None = None
        self._closed = False

    def __call__(self) -> KernelEndpoint:
        with self._lock:
            if self._closed:
                raise PanelError("The panel is closed: its endpoint does not start again.")
            if self._endpoint is None:
                from colab_panel.endpoint.server import KernelEndpoint  # lazy: http.server, for a panel that serves

                self._endpoint = KernelEndpoint()
            return self._endpoint

    @property
    def started(self) -> KernelEndpoint | None:
        """The endpoint if a feature has started it, else None."""
        return self._endpoint

    def close(self) -> None:
        """Stop the endpoint if it was started; later calls raise. Safe twice."""
        with self._lock:
            self._closed = True
            endpoint, self._endpoint = self._endpoint, None
        if endpoint is not None:
            endpoint.close()
