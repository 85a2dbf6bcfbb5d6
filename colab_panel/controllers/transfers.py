"""State and verbs of "Your computer": the transfer endpoint's lifetime, its page tickets, downloads.

    transfers = TransfersController(default_dest="/content/data", drive=lambda: drive, files=...)
    transfers.port; transfers.page_ticket()        # what the TransferBox widget needs
    transfers.download_url("/content/run")         # a single-use URL, or "" with `error` set
    transfers.close()                              # stops the endpoint and the Drive worker

``endpoint=`` (a function that returns the panel's `KernelEndpoint`) puts the routes on that
one; `close()` then withdraws them and leaves it to the panel.

The uploading itself happens between the browser and the endpoint (see transfers/routes.py):
this controller holds no per-file state, so a running cell cannot hold a transfer up.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colab_panel.controllers.base import Controller
from colab_panel.errors import PanelError
from colab_panel.transfers.drive_onward import DriveOnward
from colab_panel.transfers.routes import TransferService

if TYPE_CHECKING:
    from colab_panel.endpoint.server import KernelEndpoint

__all__ = ["TransfersController"]


class TransfersController(Controller):
    """`error` (a refused download) comes from `Controller`. Safe to use without widgets (tests, scripts)."""

    def __init__(self, *, default_dest: str | os.PathLike[str], drive: Callable[[], Any] | None = None,
                 files: Mapping[str, Path] | None = None,
                 endpoint: Callable[[], KernelEndpoint] | None = None) -> None:
        super().__init__()
        shared = endpoint() if endpoint is not None else None  # first, so a refusal leaves no worker
        self._onward = DriveOnward(drive) if drive is not None else None
        self.service = TransferService(default_dest=default_dest, files=files, endpoint=shared,
                                       on_uploaded=self._onward.submit if self._onward else None,
                                       drive_status=self._onward.status if self._onward else None)

    @property
    def port(self) -> int:
        return self.service.port

    @property
    def default_dest(self) -> str:
        return self.service.default_dest

    def page_ticket(self) -> str:
        return self.service.page_ticket()

    def download_url(self, path: str | os.PathLike[str]) -> str:
        """A single-use URL (relative to the endpoint) that downloads `path`; "" with `error` set if refused."""
        try:
            url = self.service.download_url(path)
        except PanelError as error:
            self.fail(error)
            return ""
        self.error = ""
        return url

    def close(self) -> None:
        self.service.close()
        if self._onward is not None:
            self._onward.close()
