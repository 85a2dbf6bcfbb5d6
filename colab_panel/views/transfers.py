"""`ComputerTransfers`: the "Your computer" section, bound to a `TransfersController`.

A heading, then the transfer page in a frame (`TransferBox`): upload destination, optional Drive
folder, a drop zone with file and folder pickers, the list of transfers with progress, rate,
ETA and Cancel, and a "Download…" box. All of it lives in the frame because in Colab only a
document served through the port proxy may talk to the kernel's endpoint.
"""

from __future__ import annotations

import ipywidgets as widgets

from colab_panel.controllers.transfers import TransfersController
from colab_panel.widgets.transfer_box import TransferBox

__all__ = ["ComputerTransfers"]


class ComputerTransfers(widgets.VBox):
    def __init__(self, controller: TransfersController) -> None:
        self.controller = controller
        heading = widgets.HTML("<div style='line-height:1.4'><b>Your computer</b> <span class='cp-muted'>uploads to the runtime "
                               "(resumable, md5 checked) and downloads from it; they keep going "
                               "while a cell runs</span></div>").add_class("cp-transfers-heading")
        self.box = TransferBox(new_ticket=controller.page_ticket, endpoint_port=controller.port
                               ).add_class("cp-transfers-box")
        super().__init__([heading, self.box], layout=widgets.Layout(width="100%", margin="14px 0 0 0"))
        self.add_class("cp-transfers")
