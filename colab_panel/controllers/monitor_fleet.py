"""`FleetController`: the Monitor tab's fleet section, read from a Prometheus server.

State as traits (`url`, `window_s`, `paused`, `reading`, `alerts`, `error`); actions as verbs
(`load(url)`, `refresh()`). The panel's ticker calls `refresh()` every few seconds; it queries
only when `refresh_s` has passed and the section is not paused, so a fleet of any size costs
one round of queries per `refresh_s`, not per tick.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import traitlets

from colab_panel.controllers.base import Controller
from colab_panel.errors import PanelError
from colab_panel.monitor.fleet import read_fleet
from colab_panel.monitor.prometheus_api import PrometheusApi

__all__ = ["FLEET_WINDOW_CHOICES_S", "FleetController"]

FLEET_WINDOW_CHOICES_S = (300, 900, 3600, 6 * 3600, 24 * 3600)
DEFAULT_REFRESH_S = 15.0  # Prometheus's default scrape interval: sooner shows nothing new
# After a failure the tick waits this long before trying by itself again (the button retries
# at once): queries run on the kernel's thread, and an address that swallows packets would
# otherwise hold the kernel for the request timeout at every refresh.
RETRY_AFTER_FAILURE_S = 300.0
QUERY_TIMEOUT_S = 5.0


class FleetController(Controller):
    """`busy` (a query under way) and `error` (why the fleet could not be read) come from `Controller`."""

    url = traitlets.Unicode("")
    window_s = traitlets.Int(900)
    paused = traitlets.Bool(False)
    reading = traitlets.Any(None, allow_none=True)  # the last `FleetReading`
    alerts = traitlets.List(traitlets.Unicode())

    def __init__(self, *, url: str | None = None, token: str | None = None, refresh_s: float = DEFAULT_REFRESH_S,
                 api_factory: Callable[..., Any] = PrometheusApi, clock: Callable[[], float] = time.monotonic,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token = token
        self.refresh_s = refresh_s
        self._api_factory = api_factory
        self._clock = clock
        self._last: float | None = None
        self._wait_s = refresh_s
        if url:
            self.url = url.strip()

    @traitlets.validate("window_s")
    def _validate_window_s(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if not 60 <= value <= 7 * 24 * 3600:
            raise traitlets.TraitError(f"The fleet window must be 1 minute to 7 days, not {value} s.")
        return value

    @traitlets.observe("window_s")
    def _on_window_s_change(self, _change: dict[str, Any]) -> None:
        self._last = None  # another window: query again at the next refresh

    def load(self, url: str) -> None:
        """Read the fleet from Prometheus at `url` now; a failure leaves `error` in words."""
        self.url = url.strip()
        self.refresh(force=True)

    def set_window(self, seconds: int) -> None:
        try:
            self.window_s = seconds
        except traitlets.TraitError as error:
            self.error = str(error)

    def refresh(self, force: bool = False) -> None:
        """Query when due (every `refresh_s`, unless paused), or now with `force`."""
        if not self.url or self.busy or (self.paused and not force):
            return
        now = self._clock()
        if not force and self._last is not None and now - self._last < self._wait_s:
            return
        self._last = now
        self.busy = True
        self._wait_s = RETRY_AFTER_FAILURE_S  # until this attempt succeeds
        try:
            api = self._api_factory(self.url, token=self.token, timeout_s=QUERY_TIMEOUT_S)
            reading = read_fleet(api, window_s=self.window_s)
        except PanelError as error:
            self.reading, self.alerts, self.error = None, [], str(error)
        except Exception as error:  # noqa: BLE001 - a fleet that answers oddly must not take the panel down
            self.reading, self.alerts = None, []
            self.error = f"Could not read the fleet: {type(error).__name__}: {error}"
        else:
            self.error = ""
            self.reading, self.alerts = reading, list(reading.alerts)
            self._wait_s = self.refresh_s
        finally:
            self.busy = False

    def close(self) -> None:
        self.paused = True
