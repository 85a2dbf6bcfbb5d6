"""The "Your computer" section: its controller's endpoint, tickets, refusals, and closing."""

from __future__ import annotations

import threading
from pathlib import Path

from support.transfers import call

from colab_panel.controllers.transfers import TransfersController
from colab_panel.views.transfers import ComputerTransfers
from colab_panel.widgets.transfer_box import transfer_page_files


def test_the_box_opens_the_page_once_and_asks_for_a_new_ticket(tmp_path: Path):
    controller = TransfersController(default_dest=tmp_path, files=transfer_page_files())
    try:
        view = ComputerTransfers(controller)
        box = view.box
        assert box.endpoint_port == controller.port
        first = box.frame_ticket
        status, _, page = call(controller.service, "GET", f"/transfers/page?ticket={first}", token=False)
        assert status == 200 and b"transfer_frame.js" in page and str(tmp_path).encode() in page
        assert call(controller.service, "GET", f"/transfers/page?ticket={first}", token=False)[0] == 403
        box._on_page_msg(box, {"type": "need_ticket"}, [])
        assert box.frame_ticket != first
        assert call(controller.service, "GET", "/transfers/static/transfer_frame.js", token=False)[0] == 200
    finally:
        controller.close()


def test_a_refused_download_is_an_error_in_words(tmp_path: Path):
    controller = TransfersController(default_dest=tmp_path)
    try:
        assert controller.download_url(tmp_path / "missing") == ""
        assert "no file or folder" in controller.error
        assert controller.download_url(tmp_path).startswith("transfers/download?ticket=")
        assert controller.error == ""
    finally:
        controller.close()


def test_closing_stops_the_endpoint_thread(tmp_path: Path):
    before = {t.name for t in threading.enumerate()}
    controller = TransfersController(default_dest=tmp_path, drive=lambda: None)
    port = controller.port
    controller.close()
    assert f"colab_panel-http-{port}" not in {t.name for t in threading.enumerate()} - before
