"""The Monitor tab: the kernel's sampler -> `MonitorController` -> `MonitorTab`.

Panel options read here: ``monitor_transport`` ("auto", "comm" or "http"; see
`colab_panel.controllers.monitor`), e.g. ``Panel(monitor_transport="http")``.
"""

from __future__ import annotations

from colab_panel.controllers.monitor import MonitorController
from colab_panel.tabs import PanelContext, TabParts
from colab_panel.views.monitor import MonitorTab
from colab_panel.widgets.live_chart import chart_page_files


def build_monitor_tab(ctx: PanelContext) -> TabParts:
    controller = MonitorController(transport=ctx.options.get("monitor_transport", "auto"),
                                   staging_dir=ctx.staging_dir, chart_files=chart_page_files())
    ctx.shared["monitor"] = controller  # notifications follow it (alerts)
    # The controller owns the HTTP endpoint (it is re-created when the transport changes),
    # so closing the controller also stops the endpoint when the panel closes.
    return TabParts(title="Monitor", view=MonitorTab(controller), closeables=(controller,),
                    on_tick=controller.refresh)
