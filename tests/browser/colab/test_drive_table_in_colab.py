"""The Drive tab's file table in the Colab stand-in (Colab's custom widget manager, and Colab's
ipywidgets 7.7.1 stack in .venv-colab): it renders its rows, and double-click opens a folder.

The kernel serves a Drive emulator and the panel is given a Drive on it, as a script would."""

from __future__ import annotations

SETUP = """
from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
emu = DriveEmulator(manifest={"items": [
    {"title": "datasets", "children": [{"title": "cats.zip", "content": "zip"}, {"title": "dogs.zip", "content": "z"}]},
    {"title": "a-rather-long-name-that-the-old-list-box-cut-at-thirty-one-characters.csv", "content": "a,b"},
]}).start()
drive = Drive.for_emulator(emu.base_url, emu.token, emu.ca_cert_path)
"""
ROWS = ".cp-drive-table .cp-ft-row"


def test_table_renders_and_opens_a_folder(colab):
    colab.restart()
    colab.run_cell(SETUP)
    i = colab.run_cell("from colab_panel import Panel\nfrom IPython.display import display\n"
                       "panel = Panel(drive=drive)\ndisplay(panel)")
    frame = colab.output_frame(i)
    frame.locator(".cp-tabs .cp-tabbar button").first.wait_for(timeout=90_000)
    frame.locator(".cp-tabs .cp-tabbar button", has_text="Drive").click()  # built on first need
    long_name = "a-rather-long-name-that-the-old-list-box-cut-at-thirty-one-characters.csv"
    row = frame.locator(ROWS, has=frame.locator(".cp-ft-name", has_text="datasets")).first
    row.wait_for(timeout=90_000)
    name = frame.locator(ROWS, has=frame.locator(".cp-ft-name", has_text=long_name)).locator(".cp-ft-name")
    assert name.get_attribute("title") == long_name  # whole, ellipsis only on screen
    row.dblclick()
    frame.locator(ROWS, has=frame.locator(".cp-ft-name", has_text="dogs.zip")).wait_for(timeout=30_000)
    assert sorted(frame.locator(f"{ROWS} .cp-ft-name").all_inner_texts()) == ["cats.zip", "dogs.zip"]
    colab.run_cell("assert [t for _, t in panel.slots[0].parts.view.controller.breadcrumbs] == ['My Drive', 'datasets']")
    colab.run_cell("panel.close(); drive.close(); emu.close()")
