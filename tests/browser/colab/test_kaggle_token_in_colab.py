"""The Staging tab's Kaggle token upload under Colab's widget manager (where ipywidgets' FileUpload
does not render): Playwright chooses kaggle.json, the file ends up 0600 where the kaggle package
looks, and the key is in no widget's state, kernel side or page side, nor in the page."""

from __future__ import annotations

import json
import stat

KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def test_kaggle_json_chosen_in_the_page_is_stored_0600_and_shown_nowhere(colab, tmp_path):
    colab.restart()
    config = tmp_path / "kaggle-config"
    token = tmp_path / "kaggle.json"
    token.write_text(json.dumps({"username": "colab-user", "key": KEY}))
    i = colab.run_cell(f"import os\nos.environ['KAGGLE_CONFIG_DIR'] = {str(config)!r}\n"
                       "from colab_panel import Panel\nfrom IPython.display import display\n"
                       "panel = Panel()\ndisplay(panel)")
    frame = colab.output_frame(i)
    frame.locator(".cp-tabs .cp-tabbar button", has_text="Staging").click()
    frame.locator(".cp-kaggle-picker button").wait_for(timeout=60_000)
    assert "No Kaggle token here yet" in frame.locator(".cp-kaggle-status").inner_text()

    frame.locator(".cp-kaggle-picker input[type=file]").set_input_files(str(token))
    # The page's message reaches the kernel at once (it is idle); the answer comes back in words.
    frame.locator(".cp-kaggle-outcome .cp-ok").wait_for(timeout=30_000)
    outcome = frame.locator(".cp-kaggle-outcome").inner_text()
    stored = config / "kaggle.json"
    assert str(stored) in outcome and "colab-user" in outcome and "0600" in outcome
    assert json.loads(stored.read_text()) == {"username": "colab-user", "key": KEY}
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600 and stat.S_IMODE(config.stat().st_mode) == 0o700

    page_side = colab.frame(i).evaluate(
        "() => document.documentElement.outerHTML + JSON.stringify("
        "[...document.querySelectorAll('input')].map(x => x.value))")
    assert "colab-user" in page_side and KEY not in page_side
    colab.run_cell(
        "import json\nfrom colab_panel.widgets.compat import open_widgets\n"
        "state = json.dumps([w.get_state() for w in list(open_widgets().values())], default=str)\n"
        f"assert {KEY!r} not in state, 'the key is in a widget state'\n"
        "assert 'colab-user' in state")

    too_big = tmp_path / "big.json"
    too_big.write_bytes(b" " * 100_000)
    frame.locator(".cp-kaggle-picker input[type=file]").set_input_files(str(too_big))
    frame.get_by_text("big.json is 97.7 KB").wait_for(timeout=30_000)
    assert json.loads(stored.read_text())["username"] == "colab-user"  # the old token stays
