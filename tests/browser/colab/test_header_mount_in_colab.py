"""The header's Mount Drive button in the Colab stand-in: a click between cells cannot answer Colab's
access prompt, so the header says which line to run in a cell, and calls nothing."""

from __future__ import annotations


def test_a_click_says_which_line_to_run_and_mounts_nothing(colab):
    colab.restart()
    i = colab.run_cell("import os\nfrom colab_panel import Panel\nfrom IPython.display import display\n"
                       "panel = Panel()\ndisplay(panel)")
    frame = colab.output_frame(i)
    button = frame.locator("button.cp-header-mount")
    button.wait_for(timeout=90_000)
    assert button.inner_text().strip() in ("Mount Drive", "Remount Drive")
    button.click()
    answer = frame.locator(".cp-fact-mount")
    answer.wait_for(timeout=30_000)
    text = answer.inner_text()
    assert "running cell" in text and "from colab_panel import mount_drive; mount_drive(" in text
    colab.run_cell("import json\nlog = os.environ.get('COLAB_STUB_LOG')\n"
                   "calls = [json.loads(l)['call'] for l in open(log)] if log and os.path.exists(log) else []\n"
                   "assert 'drive.mount' not in calls, calls")
