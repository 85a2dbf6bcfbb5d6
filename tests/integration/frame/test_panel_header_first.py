"""In a real kernel, `Panel()`'s header reaches the page before the rest of the panel is built.

The page cannot draw an output until it has created every widget model the output names, and
an anywidget model (the tab bar, the bell, the timer, the Monitor's chart) first loads its
front end. So the `display_data` goes out naming a panel of core widgets only (the header),
and the tabs' models follow it, then one update adds them to the panel. Read here from the
kernel's own iopub messages (a real ipykernel, started by jupyter_client).
"""

from __future__ import annotations

import pytest
from jupyter_client.manager import start_new_kernel

VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def kernel():
    manager, client = start_new_kernel(kernel_name="python3", startup_timeout=60)
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _run(client, code: str) -> list[dict]:
    """The iopub messages of one cell, in the order the kernel sent them."""
    messages: list[dict] = []
    client.execute_interactive(code, output_hook=messages.append, timeout=120)
    return messages


def test_the_header_is_shown_before_the_tabs_are_built(kernel):
    messages = _run(kernel, "from colab_panel import Panel\nPanel()")
    kinds = [m["msg_type"] for m in messages]
    assert "error" not in kinds, [m["content"] for m in messages if m["msg_type"] == "error"]
    [shown] = [i for i, m in enumerate(messages) if m["msg_type"] == "display_data"]
    root = messages[shown]["content"]["data"][VIEW]["model_id"]

    def opened(part: list[dict]) -> list[str]:
        return [m["content"]["data"]["state"]["_model_name"] for m in part
                if m["msg_type"] == "comm_open"]

    before, after = opened(messages[:shown]), opened(messages[shown:])
    assert "AnyModel" not in before, " ".join(before)  # nothing in the first paint waits for a front end to load
    assert len(before) < 25, before  # the header: a few core widgets, not the whole panel
    assert after.count("AnyModel") >= 3, after  # the tab bar, the bell, the timer, the chart ...
    updates = [m["content"]["data"]["state"] for m in messages[shown:] if m["msg_type"] == "comm_msg"
               and m["content"]["comm_id"] == root and "children" in m["content"]["data"].get("state", {})]
    assert updates and len(updates[-1]["children"]) > 2  # the tabs joined the shown panel

    # a part asked for in code is there at once (built on demand), and the panel closes whole
    messages = _run(kernel, "p = Panel()\nprint([s.title for s in p.slots]); p.close(); print(p.closed)")
    printed = "".join(m["content"].get("text", "") for m in messages if m["msg_type"] == "stream")
    assert "'Drive'" in printed and "'Monitor'" in printed and "True" in printed, printed


def test_a_panel_not_shown_yet_already_keeps_the_kernels_trail(kernel):
    """`p = Panel()` and training in the same cell: the rest waits for the cell's end, but the
    flight recorder (why a kernel died, for the next one to say) runs from `Panel()` on."""
    messages = _run(kernel, "p = Panel()\n"
                            "print(p._rest, p.last_exit.recording, 'slots' in p.__dict__)\n")
    printed = "".join(m["content"].get("text", "") for m in messages if m["msg_type"] == "stream")
    assert printed.split() == ["pending", "True", "False"], printed
    messages = _run(kernel, "print(p._rest, [s.title for s in p.slots]); p.close()")
    printed = "".join(m["content"].get("text", "") for m in messages if m["msg_type"] == "stream")
    assert printed.startswith("built ['Drive'"), printed  # built at the first cell's end
