"""The Monitor tab: the kernel's sampler -> `MonitorController` -> `MonitorTab`.

Panel options read here: ``monitor_transport`` ("auto", "comm" or "http"; see
`colab_panel.controllers.monitor`), e.g. ``Panel(monitor_transport="http")``, and
``metrics_port`` (serve ``/metrics`` for Prometheus on 127.0.0.1 while the panel lives; see
`colab_panel.monitor.exporter`), e.g. ``Panel(metrics_port=9400)``, and ``prometheus_url``
(+ ``prometheus_token``): show a fleet read from that Prometheus first (see
`colab_panel.monitor.fleet`); without it the fleet section waits, folded, for an address.
"""

from __future__ import annotations

from typing import Any

from colab_panel.controllers.monitor import MonitorController
from colab_panel.errors import PanelError
from colab_panel.tabs import PanelContext, TabParts
from colab_panel.views.monitor import MonitorTab
from colab_panel.widgets.live_chart import chart_page_files


def build_monitor_tab(ctx: PanelContext) -> TabParts:
    controller = MonitorController(transport=ctx.options.monitor_transport,
                                   staging_dir=ctx.staging_dir, chart_files=chart_page_files(),
                                   endpoint=ctx.endpoint)
    ctx.shared["monitor"] = controller  # notifications follow it (alerts)
    # The chart's routes go on the panel's endpoint (shared with the transfers) when the
    # transport is "http"; closing the controller withdraws them, the panel stops the endpoint.
    closeables: list[Any] = [controller]
    exporter = _metrics_exporter(ctx, controller)
    if exporter is not None:
        closeables.append(exporter)  # stops with the panel, like the endpoint
    url = ctx.options.prometheus_url
    # The fleet's controller is made with its view, when the section is first opened (at once
    # when an address was given). No thread, no socket: it queries only from the panel's tick,
    # so there is nothing to close.
    fleet: list[Any] = []

    def make_fleet() -> Any:
        from colab_panel.controllers.monitor_fleet import FleetController  # lazy: prometheus client code
        from colab_panel.views.monitor_fleet import FleetView

        fleet.append(FleetController(url=url, token=ctx.options.prometheus_token))
        return FleetView(fleet[0])

    def on_tick() -> None:
        controller.refresh()
        for each in fleet:
            each.refresh()  # queries only every refresh_s, and not while paused

    view = MonitorTab(controller, fleet=make_fleet, fleet_first=bool(url))
    return TabParts(title="Monitor", view=view, closeables=tuple(closeables), on_tick=on_tick)


def _metrics_exporter(ctx: PanelContext, controller: MonitorController) -> Any:
    """`Panel(metrics_port=N)`: the exporter on loopback, or None (a busy port is said in words)."""
    port = ctx.options.metrics_port
    if port is None:
        return None
    from colab_panel.monitor.exporter import MetricsExporter  # lazy: prometheus_client

    try:
        exporter = MetricsExporter(controller.sampler, port=int(port))
    except (PanelError, TypeError, ValueError) as error:
        controller.error = f"/metrics is not served: {error}"
        return None
    ctx.shared["metrics_exporter"] = exporter
    return exporter
